// The `send-mail` job: one letter through SMTP_URL (docs/PRODUCT.md «The 13 e-mail notifications»: mails
// are queued and retried like any other job). Idempotent: only a PENDING mail is sent, and a sent one is
// marked SENT at once, so a repeated job never sends it again. On an SMTP error the attempt is counted
// and the job throws so pg-boss retries with back-off (lib/jobs/queues.ts «send-mail»); after the last
// attempt the mail becomes FAILED, visible on «Письма».
import nodemailer, { type Transporter } from "nodemailer";
import { retryDbWrite } from "../db-retry";
import { env } from "../env";
import { workEach } from "../jobs/work-each";
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { loadMail, markMailSent, recordMailFailure } from "./mail-store";
import { SEND_MAIL_QUEUE, type SendMailJob } from "./send-mail-queue";

export type SendMailOutcome =
  | { ok: true; result: "sent" | "not_pending" | "missing" }
  | { ok: false; reason: "smtp_not_configured" | "smtp_error"; error: string; final: boolean };

const globalForMail = globalThis as unknown as { mailTransport?: Transporter; mailTransportUrl?: string };

/** One transport per process and SMTP_URL (nodemailer opens a connection per message without pooling). */
function transport(url: string): Transporter {
  if (!globalForMail.mailTransport || globalForMail.mailTransportUrl !== url) {
    globalForMail.mailTransport?.close();
    globalForMail.mailTransport = nodemailer.createTransport({
      url,
      // A hung server must not hold the job past its expiry (120 s): fail fast, retry later.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 45_000,
    });
    globalForMail.mailTransportUrl = url;
  }
  return globalForMail.mailTransport;
}

/** Tests restart their SMTP server; production never calls this. */
export function resetMailTransport(): void {
  globalForMail.mailTransport?.close();
  globalForMail.mailTransport = undefined;
  globalForMail.mailTransportUrl = undefined;
}

/** An SMTP error for the «Письма» page and the log: one line, bounded, never the SMTP password. */
function describeError(error: unknown, smtpUrl: string): string {
  let message = error instanceof Error ? error.message : String(error);
  try {
    const password = decodeURIComponent(new URL(smtpUrl).password);
    if (password) message = message.split(password).join("***");
  } catch {
    // an unparsable URL has no password to hide
  }
  message = message.replace(/\s+/g, " ").trim();
  return message.length > 500 ? `${message.slice(0, 499)}…` : message;
}

/**
 * Sends one mail if it is still PENDING. `finalAttempt`: pg-boss will not retry after this one, so a
 * failure marks the mail FAILED instead of leaving it PENDING.
 */
export async function sendQueuedMail(mailId: string, options: { finalAttempt: boolean }): Promise<SendMailOutcome> {
  const mail = await loadMail(mailId);
  if (!mail) return { ok: true, result: "missing" };
  if (mail.state !== "PENDING") return { ok: true, result: "not_pending" };

  const smtpUrl = env().SMTP_URL;
  const failure = async (reason: "smtp_not_configured" | "smtp_error", error: string): Promise<SendMailOutcome> => {
    await recordMailFailure(mailId, error, options.finalAttempt);
    log.warn({ mailId, shopId: mail.shopId, kind: mail.kind, err: error, final: options.finalAttempt }, "mail: sending failed");
    return { ok: false, reason, error, final: options.finalAttempt };
  };
  if (!smtpUrl) return failure("smtp_not_configured", "SMTP_URL не задан в процессе, который отправляет письма");

  try {
    await transport(smtpUrl).sendMail({
      from: env().MAIL_FROM,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // Stable per letter: a receiving server or client can recognise a duplicate after a crash between
      // "sent" and "marked SENT" (the only window in which a letter can go out twice).
      messageId: `<${mail.id}@intellectmoney-insales>`,
    });
  } catch (error) {
    return failure("smtp_error", describeError(error, smtpUrl));
  }
  // The letter has left: recording that must survive a short database outage, or the retry resends it.
  await retryDbWrite("mail sent", () => markMailSent(mailId));
  log.info({ mailId, shopId: mail.shopId, kind: mail.kind }, "mail: sent");
  return { ok: true, result: "sent" };
}

registerWorker({
  name: SEND_MAIL_QUEUE,
  start: (boss) =>
    workEach<SendMailJob>(boss, SEND_MAIL_QUEUE, { concurrency: 10, pollingIntervalSeconds: 1 }, async (job) => {
      const outcome = await sendQueuedMail(job.data.mailId, { finalAttempt: job.retryCount >= job.retryLimit });
      // Throwing hands the retry and its back-off to pg-boss; the final failure is already stored.
      if (!outcome.ok && !outcome.final) throw new Error(`send-mail: ${outcome.reason}`);
    }),
});
