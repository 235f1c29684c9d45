// The notify-insales queue and a notice's job (docs/PRODUCT.md flow 7). Kept apart from the worker so the
// code that causes or re-queues a notice (result-store, the sweeper) does not import the HTTP sender.
// The notice row itself is written with the state change (lib/results/result-store.ts writeResult).
import type { Tx } from "../db";
import { enqueue } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «notify-insales». */
export const NOTIFY_INSALES_QUEUE = "notify-insales" as const;

export type NotifyInsalesJob = { noticeId: string };

/** (Re-)queues the job of one notice; `startAfter` in seconds for Retry-After and back-off. */
export async function enqueueNotice(noticeId: string, options: { tx?: Tx; startAfter?: number } = {}): Promise<string | null> {
  return enqueue<NotifyInsalesJob>(NOTIFY_INSALES_QUEUE, { noticeId }, {
    tx: options.tx,
    singletonKey: noticeId,
    ...(options.startAfter ? { startAfter: options.startAfter } : {}),
  });
}
