// The letters' statements. Every letter is written by the one INSERT of insertMailsSql — on its own
// (queuePaymentMails), or as a CTE of the statement that creates a payment (lib/checkout/checkout-store.ts)
// or moves one (lib/results/result-store.ts), so that a letter exists exactly when its event does — and
// sent, failed and swept by the statements below.
import { Prisma } from "../generated/prisma/client";
import type { Mail, Payment, Shop, ShopSettings } from "../generated/prisma/client";
import { db, type Tx } from "../db";
import { noLiveJobSql } from "../jobs/queue";
import { SEND_MAIL_QUEUE } from "./send-mail-queue";
import type { RenderedMail } from "./templates";

/** A rendered letter ready for INSERT … ON CONFLICT ("dedupeKey") DO NOTHING. */
export type PlannedMail = { id: string; kind: number; to: string; dedupeKey: string; state: "STORED" | "PENDING"; mail: RenderedMail };

/**
 * The INSERT of `mails`, returning the rows it wrote ("id", "kind", "to"): a letter whose dedupe key exists
 * is skipped, so an event written twice makes no second letter. `row` says where each letter's shop,
 * payment and time come from — values, or the columns of the CTE `from` whose rows the letters belong to
 * (then there are letters only where that CTE has a row).
 */
export function insertMailsSql(mails: readonly PlannedMail[], row: { shopId: Prisma.Sql; paymentId: Prisma.Sql; createdAt: Prisma.Sql; from?: Prisma.Sql }): Prisma.Sql {
  const json = JSON.stringify(mails.map((m) => ({ id: m.id, kind: m.kind, dedupeKey: m.dedupeKey, to: m.to, state: m.state, subject: m.mail.subject, text: m.mail.text, html: m.mail.html })));
  const from = row.from ? Prisma.sql`${row.from}, ` : Prisma.empty;
  return Prisma.sql`
      INSERT INTO "Mail" ("id", "shopId", "paymentId", "kind", "dedupeKey", "to", "subject", "text", "html", "state", "createdAt")
      SELECT m.id, ${row.shopId}, ${row.paymentId}, m.kind, m."dedupeKey", m."to", m.subject, m.text, m.html, m.state::"MailState", ${row.createdAt}
        FROM ${from}jsonb_to_recordset(${json}::jsonb) AS m(id uuid, kind int, "dedupeKey" text, "to" text, subject text, text text, html text, state text)
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id", "kind", "to"`;
}

/** The letters of one event, on their own, inside the caller's transaction; returns those written. */
export async function insertMails(tx: Tx, shopId: string, paymentId: string | null, mails: readonly PlannedMail[]): Promise<Array<{ id: string; kind: number; to: string }>> {
  // clock_timestamp(): each call its own time, as separate events have, even inside one transaction.
  const written = insertMailsSql(mails, { shopId: Prisma.sql`${shopId}::uuid`, paymentId: Prisma.sql`${paymentId}::uuid`, createdAt: Prisma.sql`clock_timestamp() AT TIME ZONE 'UTC'` });
  return tx.$queryRaw<Array<{ id: string; kind: number; to: string }>>`WITH mail AS (${written}) SELECT "id"::text AS id, "kind", "to" FROM mail`;
}

/** What letters are made from: the shop with its settings, and the payment when there is one. */
export async function loadMailContext(tx: Tx, shopId: string, paymentId: string | null): Promise<{ shop: Shop & { settings: ShopSettings | null }; payment: Payment | null } | null> {
  const shop = await tx.shop.findUnique({ where: { id: shopId }, include: { settings: true } });
  if (!shop) return null;
  const payment = paymentId ? await tx.payment.findUnique({ where: { id: paymentId } }) : null;
  return { shop, payment };
}

/** Letters of `kind` the shop got since `since` (the hourly limit of the kinds anyone can trigger), in `tx` when given. */
export function countMailsSince(shopId: string, kind: number, since: Date, tx?: Tx): Promise<number> {
  return (tx ?? db()).mail.count({ where: { shopId, kind, createdAt: { gte: since } } });
}

export function loadMail(mailId: string): Promise<Mail | null> {
  return db().mail.findUnique({ where: { id: mailId } });
}

/** A failed attempt of a PENDING letter; FAILED for good when it was the last. */
export async function recordMailFailure(mailId: string, error: string, final: boolean): Promise<void> {
  await db().mail.updateMany({
    where: { id: mailId, state: "PENDING" },
    data: { attempts: { increment: 1 }, lastError: error, ...(final ? { state: "FAILED" } : {}) },
  });
}

export async function markMailSent(mailId: string): Promise<void> {
  await db().mail.updateMany({
    where: { id: mailId, state: "PENDING" },
    data: { state: "SENT", sentAt: new Date(), attempts: { increment: 1 }, lastError: null },
  });
}

/** PENDING letters older than `graceSeconds` with no live send-mail job, oldest first, at most 500. */
export function findMailsWithoutJob(graceSeconds: number): Promise<Array<{ id: string; attempts: number }>> {
  return db().$queryRaw<Array<{ id: string; attempts: number }>>`
    SELECT m.id::text AS id, m.attempts
    FROM "Mail" m
    WHERE m.state = 'PENDING'
      AND m."createdAt" < now() - make_interval(secs => ${graceSeconds})
      AND ${noLiveJobSql(SEND_MAIL_QUEUE, Prisma.sql`m.id::text`)}
    ORDER BY m."createdAt"
    LIMIT 500`;
}

/** A PENDING letter that has used up its attempts. */
export async function failMail(mailId: string, error: string): Promise<void> {
  await db().mail.updateMany({ where: { id: mailId, state: "PENDING" }, data: { state: "FAILED", lastError: error } });
}
