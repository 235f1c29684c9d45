// The send-mail queue and a letter's job (lib/mail/send-mail.ts runs it). Kept apart from the worker so the
// code that writes letters (queue-mail.ts, the checkout's and the results' statements, the sweeper) does not
// import the SMTP sender.
import type { JobRequest } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «send-mail». */
export const SEND_MAIL_QUEUE = "send-mail" as const;

export type SendMailJob = { mailId: string };

/** One waiting job per letter ("stately" + singletonKey = mail id). */
export function sendMailJob(mailId: string): JobRequest {
  const data: SendMailJob = { mailId };
  return { name: SEND_MAIL_QUEUE, data, singletonKey: mailId };
}
