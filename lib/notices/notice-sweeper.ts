// The `sweep-notices` job (every minute, one instance at a time): defence in depth for «nothing is lost»
// (docs/PRODUCT.md Non-negotiables). A PENDING notice whose notify-insales job is gone — expired on its
// last pg-boss retry after crashes, archived, lost with a restored database, or never queued because the
// process died or the database went away between the result's commit and its queueing
// (lib/results/result-transition.ts queueTransitionJobs) — is queued again, or marked FAILED (with a Problem)
// once past its deadline. Without it such a notice would wait forever.
import { registerScheduledWorker } from "../jobs/workers";
import { log } from "../log";
import { failNotice, NOTICE_DEADLINE_MS, paidText } from "./notify-insales";
import { findNoticesWithoutJob } from "./notice-store";
import { enqueueNotice } from "./notify-insales-queue";

export const SWEEP_NOTICES_QUEUE = "sweep-notices" as const;

/**
 * Younger notices may still be about to get their first job: the result's transition queues it right after
 * the statement that commits the notice (docs/PERFORMANCE.md), milliseconds later. A minute covers that gap
 * many times over and gets a notice whose first job was lost to a crash or a database outage in that gap
 * going within about two minutes. Queuing one twice is harmless: "stately" keeps one waiting job per
 * notice and the worker sends only a PENDING notice.
 */
export const SWEEP_GRACE_SECONDS = 60;

export type SweepNoticesOutcome = { requeued: number; failed: number };

export async function sweepPendingNotices(options: { graceSeconds?: number; now?: Date } = {}): Promise<SweepNoticesOutcome> {
  const grace = options.graceSeconds ?? SWEEP_GRACE_SECONDS;
  const now = options.now ?? new Date();
  const orphans = await findNoticesWithoutJob(grace, now);
  let requeued = 0;
  let failed = 0;
  for (const notice of orphans) {
    if (now.getTime() > notice.createdAt.getTime() + NOTICE_DEADLINE_MS) {
      const order = notice.orderNumber ?? notice.insalesOrderId;
      const done = await failNotice(notice.id, {
        kind: "notice_failed",
        error: "срок доставки истёк",
        problem: `Не удалось сообщить InSales, что заказ ${order} ${paidText(notice.paid)}: попытки в течение суток не удались. Отметьте оплату заказа вручную.`,
      });
      if (done) failed += 1;
    } else {
      await enqueueNotice(notice.id);
      requeued += 1;
    }
  }
  if (requeued + failed > 0) log.warn({ requeued, failed }, "notify-insales: sweeper found pending notices without a job");
  return { requeued, failed };
}

registerScheduledWorker(SWEEP_NOTICES_QUEUE, "* * * * *", sweepPendingNotices);
