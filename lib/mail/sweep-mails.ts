// The `sweep-mails` job (every 5 minutes, one instance at a time): a PENDING mail whose send-mail job is
// gone (expired on its last attempt after a crash, archived, or lost with a restored database) is queued
// again, or marked FAILED when it has used up its attempts. Without it such a mail would wait forever.
import { db } from "../db";
import { env } from "../env";
import { enqueue } from "../jobs/queue";
import { QUEUES } from "../jobs/queues";
import { registerScheduledWorker } from "../jobs/workers";
import { log } from "../log";
import { SEND_MAIL_QUEUE } from "./queue-mail";

export const SWEEP_MAILS_QUEUE = "sweep-mails" as const;

/** As many attempts as one send-mail job makes (the first plus its retries). */
export const MAX_MAIL_ATTEMPTS = QUEUES[SEND_MAIL_QUEUE].retryLimit + 1;

/** Younger mails may still be in their enqueueing transaction's aftermath; leave them alone. */
const GRACE_SECONDS = 120;

export type SweepOutcome = { requeued: number; failed: number };

export async function sweepPendingMails(): Promise<SweepOutcome> {
  if (!env().SMTP_URL) return { requeued: 0, failed: 0 };
  // A live job is one pg-boss may still run: created, waiting for a retry, or running.
  const orphans = await db().$queryRaw<Array<{ id: string; attempts: number }>>`
    SELECT m.id::text AS id, m.attempts
    FROM "Mail" m
    WHERE m.state = 'PENDING'
      AND m."createdAt" < now() - make_interval(secs => ${GRACE_SECONDS})
      AND NOT EXISTS (
        SELECT 1 FROM pgboss.job j
        WHERE j.name = ${SEND_MAIL_QUEUE} AND j.singleton_key = m.id::text
          AND j.state IN ('created', 'retry', 'active')
      )
    ORDER BY m."createdAt"
    LIMIT 500`;
  let requeued = 0;
  let failed = 0;
  for (const mail of orphans) {
    if (mail.attempts >= MAX_MAIL_ATTEMPTS) {
      await db().mail.updateMany({
        where: { id: mail.id, state: "PENDING" },
        data: { state: "FAILED", lastError: "Попытки отправки исчерпаны" },
      });
      failed += 1;
    } else {
      await enqueue(SEND_MAIL_QUEUE, { mailId: mail.id }, { singletonKey: mail.id });
      requeued += 1;
    }
  }
  if (requeued + failed > 0) log.warn({ requeued, failed }, "mail: sweeper found pending mails without a job");
  return { requeued, failed };
}

registerScheduledWorker(SWEEP_MAILS_QUEUE, "*/5 * * * *", sweepPendingMails);
