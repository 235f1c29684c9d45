// The `sweep-mails` job (every 5 minutes, one instance at a time): a PENDING mail whose send-mail job is
// gone (expired on its last attempt after a crash, archived, lost with a restored database, or never queued
// because the process died between the checkout's or the result's statement and its queueing) is queued
// again, or marked FAILED when it has used up its attempts. Without it such a mail would wait forever.
import { env } from "../env";
import { enqueue } from "../jobs/queue";
import { QUEUES } from "../jobs/queues";
import { registerScheduledWorker } from "../jobs/workers";
import { log } from "../log";
import { failMail, findMailsWithoutJob } from "./mail-store";
import { SEND_MAIL_QUEUE, sendMailJob } from "./send-mail-queue";

export const SWEEP_MAILS_QUEUE = "sweep-mails" as const;

/** As many attempts as one send-mail job makes (the first plus its retries). */
export const MAX_MAIL_ATTEMPTS = QUEUES[SEND_MAIL_QUEUE].retryLimit + 1;

/** Younger mails may still be about to get their first job (queued right after their statement); leave them alone. */
const GRACE_SECONDS = 120;

export type SweepOutcome = { requeued: number; failed: number };

export async function sweepPendingMails(): Promise<SweepOutcome> {
  if (!env().SMTP_URL) return { requeued: 0, failed: 0 };
  const orphans = await findMailsWithoutJob(GRACE_SECONDS);
  let requeued = 0;
  let failed = 0;
  for (const mail of orphans) {
    if (mail.attempts >= MAX_MAIL_ATTEMPTS) {
      await failMail(mail.id, "Попытки отправки исчерпаны");
      failed += 1;
    } else {
      await enqueue([sendMailJob(mail.id)]);
      requeued += 1;
    }
  }
  if (requeued + failed > 0) log.warn({ requeued, failed }, "mail: sweeper found pending mails without a job");
  return { requeued, failed };
}

registerScheduledWorker(SWEEP_MAILS_QUEUE, "*/5 * * * *", sweepPendingMails);
