// The notify-insales queue and a notice's job (docs/PRODUCT.md flow 7). Kept apart from the worker so the
// code that causes or re-queues a notice (the result's transition, the sweeper) does not import the HTTP
// sender. The notice row itself is written with the state change (lib/results/result-store.ts writeResult).
import type { Tx } from "../db";
import { enqueue, type JobRequest } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «notify-insales». */
export const NOTIFY_INSALES_QUEUE = "notify-insales" as const;

export type NotifyInsalesJob = { noticeId: string };

/** One waiting job per notice ("stately" + singletonKey = notice id); `startAfterSeconds` for Retry-After and back-off. */
export function notifyInsalesJob(noticeId: string, startAfterSeconds?: number): JobRequest {
  const data: NotifyInsalesJob = { noticeId };
  return { name: NOTIFY_INSALES_QUEUE, data, singletonKey: noticeId, ...(startAfterSeconds ? { startAfterSeconds } : {}) };
}

/** (Re-)queues the job of one notice, in `tx` when given. */
export async function enqueueNotice(noticeId: string, options: { tx?: Tx; startAfter?: number } = {}): Promise<void> {
  await enqueue([notifyInsalesJob(noticeId, options.startAfter)], { tx: options.tx });
}
