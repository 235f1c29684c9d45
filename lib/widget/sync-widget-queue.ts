// The sync-widget queue: push the order-card widget's code to one shop (lib/widget/sync-widget.ts, run by
// sync-widget-job.ts). Queued when the payment method gets connected (lib/shops/connect-gateway.ts) and by the
// backfill (widget-backfill-sweeper.ts). "stately" with singletonKey = shop id (lib/jobs/queues.ts): one run per
// shop at a time and at most one waiting behind it.
import type { Tx } from "../db";
import { enqueue, type JobRequest } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «sync-widget». */
export const SYNC_WIDGET_QUEUE = "sync-widget" as const;

export type SyncWidgetJob = { shopId: string };

export function syncWidgetJob(shopId: string): JobRequest {
  const data: SyncWidgetJob = { shopId };
  return { name: SYNC_WIDGET_QUEUE, data, singletonKey: shopId };
}

/** Queues a push of the widget for one shop, in `tx` when given. */
export async function requestWidgetSync(shopId: string, options: { tx?: Tx } = {}): Promise<void> {
  await enqueue([syncWidgetJob(shopId)], { tx: options.tx });
}
