// Creating a notice to InSales and its job (spec/product.md flow 7). Kept apart from the worker so the
// code that causes a notice (apply-result, the sweeper) does not import the HTTP sender.
import type { Tx } from "../db";
import { enqueue } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «notify-insales». */
export const NOTIFY_INSALES_QUEUE = "notify-insales" as const;

export type NotifyInsalesJob = { noticeId: string };

/**
 * Inside the transaction of the state change: the notice row (one per payment and `paid`, the unique key
 * makes a second one impossible) and its job, singletonKey = notice id. Returns the notice id when this
 * call created it, null when it already existed (then its own job is already on its way).
 */
export async function createInsalesNotice(tx: Tx, input: { shopId: string; paymentId: string; paid: 0 | 1 }): Promise<string | null> {
  const created = await tx.insalesNotice.createManyAndReturn({
    data: [{ shopId: input.shopId, paymentId: input.paymentId, paid: input.paid }],
    skipDuplicates: true, // INSERT … ON CONFLICT DO NOTHING on (paymentId, paid)
    select: { id: true },
  });
  const notice = created[0];
  if (!notice) return null;
  await tx.payment.update({ where: { id: input.paymentId }, data: { noticeState: "PENDING" } });
  await enqueueNotice(notice.id, { tx });
  return notice.id;
}

/** (Re-)queues the job of one notice; `startAfter` in seconds for Retry-After and back-off. */
export async function enqueueNotice(noticeId: string, options: { tx?: Tx; startAfter?: number } = {}): Promise<string | null> {
  return enqueue<NotifyInsalesJob>(NOTIFY_INSALES_QUEUE, { noticeId }, {
    tx: options.tx,
    singletonKey: noticeId,
    ...(options.startAfter ? { startAfter: options.startAfter } : {}),
  });
}
