// The `sweep-widgets` job (every 10 minutes, one instance at a time): the order-card widget is pushed when the
// payment method is connected (lib/shops/connect-gateway.ts), so shops connected before the widget existed,
// shops whose widget code is older than this release's (WIDGET_CODE_VERSION), and shops whose last push failed
// more than a day ago get a sync-widget job here. A batch per run keeps a large upgrade within InSales's API
// limits (a push is 2–3 requests of the shop's 500 per 5 minutes, docs/protocols/insales.md §1 «API calls»).
import { enqueue } from "../jobs/queue";
import { registerScheduledWorker } from "../jobs/workers";
import { log } from "../log";
import { WIDGET_CODE_VERSION } from "./widget-code";
import { syncWidgetJob } from "./sync-widget-queue";
import { shopsNeedingWidget } from "./widget-store";

export const SWEEP_WIDGETS_QUEUE = "sweep-widgets" as const;

/** Shops queued per run. */
export const WIDGET_BACKFILL_BATCH = 50;
/** A failed or interrupted push is tried again after this long (a missing permission does not fix itself sooner). */
export const WIDGET_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export async function sweepWidgets(now: Date = new Date()): Promise<{ queued: number }> {
  const shopIds = await shopsNeedingWidget(WIDGET_CODE_VERSION, new Date(now.getTime() - WIDGET_RETRY_AFTER_MS), WIDGET_BACKFILL_BATCH);
  if (shopIds.length > 0) {
    // "stately" + singletonKey = shop id: a shop whose job is still waiting gets no second one.
    await enqueue(shopIds.map(syncWidgetJob));
    log.info({ queued: shopIds.length }, "sync-widget: backfill queued widget pushes");
  }
  return { queued: shopIds.length };
}

registerScheduledWorker(SWEEP_WIDGETS_QUEUE, "*/10 * * * *", () => sweepWidgets());
