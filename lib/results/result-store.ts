// The result notification's statements (docs/PERFORMANCE.md «Result notifications»): IntellectMoney's
// notifications arrive in bursts after sales and every SQL round trip is time the burst queues on, so a
// new, valid notification costs three:
//   1. loadResultContext: the shop, its settings and the payment by (shop, orderId) in one SELECT;
//   2. writeResult: one statement — the payment UPDATE under a version check (the state this request
//      read, instead of SELECT … FOR UPDATE and a re-read; guide/architecture.md convention 4), and in CTEs
//      fed by it the timeline events, the InsalesNotice (ON CONFLICT DO NOTHING) and the letters. One
//      statement is atomic on its own: no BEGIN/COMMIT. When the version check misses (a concurrent copy
//      changed the payment first) nothing is written and the caller takes the locked path;
//   3. queueResultJobs: the notify-insales and send-mail jobs in one pg-boss INSERT, after the commit.
// A repeat or an older status costs two (the SELECT and the statement recording `result_ignored`).
import { Prisma } from "../generated/prisma/client";
import type { Payment, Shop, ShopSettings } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { db, type Tx } from "../db";
import { getBoss } from "../jobs/queue";
import type { PlannedMail } from "../mail/queue-mail";
import { SEND_MAIL_QUEUE } from "../mail/queue-mail";
import { paymentJson, toPayment, toSettings, toShop, type Json } from "../payments/jsonb-rows";
import { NOTIFY_INSALES_QUEUE } from "../notices/notify-insales-queue";

export type ShopWithSettings = Shop & { settings: ShopSettings | null };
export type ResultContext = { shop: ShopWithSettings; payment: Payment | null };

const PAYMENT_JSON = paymentJson(Prisma.sql`p`);

/**
 * The shop of `?shop=` (whatever its status, as before), its settings, and its payment whose IntellectMoney
 * orderId is `orderId` (null: look for none). One round trip; null when there is no such shop.
 */
export async function loadResultContext(insalesId: string, orderId: string | null): Promise<ResultContext | null> {
  // Result columns are jsonb, never `*`: with cached prepared statements (lib/db.ts) a `*` whose table
  // gained a column fails with «cached plan must not change result type» until the pool reconnects.
  const rows = await db().$queryRaw<Array<{ shop: Json; settings: Json | null; payment: Json | null }>>`
    SELECT to_jsonb(s) AS shop, to_jsonb(st) AS settings, CASE WHEN p."id" IS NULL THEN NULL ELSE ${PAYMENT_JSON} END AS payment
      FROM "Shop" s
      LEFT JOIN "ShopSettings" st ON st."shopId" = s."id"
      LEFT JOIN "Payment" p ON p."shopId" = s."id" AND p."imOrderId" = ${orderId}
     WHERE s."insalesId" = ${insalesId}`;
  const row = rows[0];
  if (!row) return null;
  return { shop: { ...toShop(row.shop), settings: toSettings(row.settings) }, payment: row.payment ? toPayment(row.payment) : null };
}

/** The locked path's read: the payment row under FOR UPDATE, in one round trip. */
export async function lockPayment(tx: Tx, paymentId: string): Promise<Payment> {
  const rows = await tx.$queryRaw<Array<{ row: Json }>>`SELECT ${PAYMENT_JSON} AS row FROM "Payment" p WHERE p."id" = ${paymentId}::uuid FOR UPDATE`;
  if (!rows[0]) throw new Error("result: payment vanished under its lock");
  return toPayment(rows[0].row);
}

/** The state a decision was made on; the statement writes only if the payment is still in it. */
export type SeenState = { status: PaymentStatus; paidKopecks: bigint; refundedKopecks: bigint; imPaymentId: string | null };

export type PaymentChange = {
  status?: PaymentStatus;
  /** Set only where the payment has none yet. */
  imPaymentId?: string;
  paidKopecks?: bigint;
  refundedKopecks?: bigint;
};

export type EventRow = { id: string; type: string; message: string; data: Json };

export type ResultWrite = {
  shopId: string;
  paymentId: string;
  seen: SeenState;
  /** null: the payment row is not written (an ignored repeat), the events are still recorded. */
  change: PaymentChange | null;
  /** In timeline order, one millisecond apart. */
  events: EventRow[];
  /** The InSales notice of this outcome, if it has one; `event` is recorded only when the row is new. */
  notice: { id: string; paid: 0 | 1; event: EventRow } | null;
  mails: PlannedMail[];
};

export type WriteOutcome = { written: false } | { written: true; noticeId: string | null; mailIds: string[] };

/**
 * The one statement of a result (see the top of this file). `client` is db() on the fast path, or the
 * locked path's transaction (where the version check holds by construction). `noticeState` becomes
 * PENDING only when no notice for this outcome existed: notices are only made by a change of the payment
 * row, which the version check (or the lock) serialises, so the NOT EXISTS and the INSERT agree.
 */
export async function writeResult(client: Tx, w: ResultWrite): Promise<WriteOutcome> {
  const c = w.change;
  const events = JSON.stringify(w.events.map((e, ord) => ({ ...e, ord })));
  const noticeEvents = JSON.stringify(w.notice ? [{ ...w.notice.event, ord: w.events.length }] : []);
  const mails = JSON.stringify(w.mails.map((m) => ({ id: m.id, kind: m.kind, dedupeKey: m.dedupeKey, to: m.to, state: m.state, subject: m.mail.subject, text: m.mail.text, html: m.mail.html })));
  const noticePaid = w.notice ? w.notice.paid : null;
  const rows = await client.$queryRaw<Array<{ hit: boolean; noticeId: string | null; mailIds: string[] | null }>>`
    WITH upd AS (
      UPDATE "Payment" p SET
          "status" = COALESCE(${c?.status ?? null}::"PaymentStatus", p."status"),
          "imPaymentId" = COALESCE(p."imPaymentId", ${c?.imPaymentId ?? null}::text),
          "paidKopecks" = COALESCE(${c?.paidKopecks ?? null}::bigint, p."paidKopecks"),
          "refundedKopecks" = COALESCE(${c?.refundedKopecks ?? null}::bigint, p."refundedKopecks"),
          "noticeState" = CASE
            WHEN ${noticePaid}::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "InsalesNotice" n WHERE n."paymentId" = p."id" AND n."paid" = ${noticePaid}::int)
            THEN 'PENDING'::"NoticeSummary" ELSE p."noticeState" END,
          "updatedAt" = now() AT TIME ZONE 'UTC'
       WHERE ${c !== null}::boolean AND p."id" = ${w.paymentId}::uuid AND p."status" = ${w.seen.status}::"PaymentStatus"
         AND p."paidKopecks" = ${w.seen.paidKopecks}::bigint AND p."refundedKopecks" = ${w.seen.refundedKopecks}::bigint
         AND (p."imPaymentId" IS NULL) = ${w.seen.imPaymentId === null}::boolean
      RETURNING p."id"
    ), seen AS (
      -- An ignored repeat writes no payment row: the same check, read from this statement's snapshot.
      SELECT p."id" FROM "Payment" p
       WHERE NOT ${c !== null}::boolean AND p."id" = ${w.paymentId}::uuid AND p."status" = ${w.seen.status}::"PaymentStatus"
         AND p."paidKopecks" = ${w.seen.paidKopecks}::bigint AND p."refundedKopecks" = ${w.seen.refundedKopecks}::bigint
         AND (p."imPaymentId" IS NULL) = ${w.seen.imPaymentId === null}::boolean
    ), hit AS (
      SELECT "id" FROM upd UNION ALL SELECT "id" FROM seen
    ), ev AS (
      INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
      SELECT e.id, ${w.shopId}::uuid, hit."id", e.type, e.message, e.data, (now() AT TIME ZONE 'UTC') + e.ord * interval '1 millisecond'
        FROM hit, jsonb_to_recordset(${events}::jsonb) AS e(id uuid, type text, message text, data jsonb, ord int)
    ), notice AS (
      INSERT INTO "InsalesNotice" ("id", "shopId", "paymentId", "paid", "state", "attempts", "createdAt", "updatedAt")
      SELECT ${w.notice?.id ?? null}::uuid, ${w.shopId}::uuid, upd."id", ${noticePaid}::int, 'PENDING', 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM upd WHERE ${noticePaid}::int IS NOT NULL
      ON CONFLICT ("paymentId", "paid") DO NOTHING
      RETURNING "id"
    ), nev AS (
      INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
      SELECT e.id, ${w.shopId}::uuid, ${w.paymentId}::uuid, e.type, e.message, e.data, (now() AT TIME ZONE 'UTC') + e.ord * interval '1 millisecond'
        FROM notice, jsonb_to_recordset(${noticeEvents}::jsonb) AS e(id uuid, type text, message text, data jsonb, ord int)
    ), mail AS (
      INSERT INTO "Mail" ("id", "shopId", "paymentId", "kind", "dedupeKey", "to", "subject", "text", "html", "state", "createdAt")
      SELECT m.id, ${w.shopId}::uuid, hit."id", m.kind, m."dedupeKey", m."to", m.subject, m.text, m.html, m.state::"MailState", now() AT TIME ZONE 'UTC'
        FROM hit, jsonb_to_recordset(${mails}::jsonb) AS m(id uuid, kind int, "dedupeKey" text, "to" text, subject text, text text, html text, state text)
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id"
    )
    SELECT EXISTS (SELECT 1 FROM hit) AS hit, (SELECT "id"::text FROM notice) AS "noticeId", (SELECT array_agg("id"::text) FROM mail) AS "mailIds"`;
  const row = rows[0];
  if (!row?.hit) return { written: false };
  return { written: true, noticeId: row.noticeId, mailIds: row.mailIds ?? [] };
}

/**
 * After the commit: the new notice's notify-insales job and the new letters' send-mail jobs, in one
 * pg-boss INSERT (singletonKey = row id, as enqueueNotice and queuePaymentMails send them). Outside the
 * statement on purpose (docs/PERFORMANCE.md): should this fail or the process die first, the
 * sweep-notices job (every minute) queues a PENDING notice without a job once it is SWEEP_GRACE_SECONDS
 * old, and sweep-mails (every 5 minutes, 2 minutes' grace) does the same for letters. A second job for
 * the same row is harmless: the queues are "stately" (one waiting per key) and both workers act only on
 * a PENDING row.
 */
export async function queueResultJobs(noticeId: string | null, mailIds: string[]): Promise<void> {
  const jobs = [
    ...(noticeId ? [{ name: NOTIFY_INSALES_QUEUE, data: { noticeId }, singletonKey: noticeId }] : []),
    ...mailIds.map((mailId) => ({ name: SEND_MAIL_QUEUE, data: { mailId }, singletonKey: mailId })),
  ];
  if (jobs.length === 0) return;
  // Through the app's pool, whose named prepared statements (lib/db.ts) let PostgreSQL reuse the plan of
  // pg-boss's INSERT: half its database CPU (1.4 → 0.7 ms measured), and no wait on pg-boss's own small
  // pool, which its workers use.
  await (await getBoss()).insert(jobs, { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await db().$queryRawUnsafe<unknown[]>(text, ...values) }) } });
}
