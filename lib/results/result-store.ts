// The result notification's statements (docs/PERFORMANCE.md «Result notifications»): IntellectMoney's
// notifications arrive in bursts after sales and every SQL round trip is time the burst queues on, so a
// new, valid notification costs three:
//   1. loadResultContext: the shop, its settings and the payment by (shop, orderId) in one SELECT;
//   2. writeResult: one statement — the payment UPDATE under a version check (the state this request
//      read, instead of SELECT … FOR UPDATE and a re-read; docs/ARCHITECTURE.md convention 4), and in CTEs
//      fed by it the timeline events, the InsalesNotice (ON CONFLICT DO NOTHING) and the letters. One
//      statement is atomic on its own: no BEGIN/COMMIT. When the version check misses (a concurrent copy
//      changed the payment first) nothing is written and the caller takes the locked path;
//   3. after the commit, the notify-insales and send-mail jobs in one INSERT (result-transition.ts
//      queueTransitionJobs).
// A repeat or an older status costs two (the SELECT and the statement recording `result_ignored`).
import { Prisma } from "../generated/prisma/client";
import type { Payment, Shop, ShopSettings } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { db, type Tx } from "../db";
import { insertMailsSql, type PlannedMail } from "../mail/mail-store";
import { insertEventsSql, type EventRow } from "../payments/event-store";
import { paymentJson, toPayment, toSettings, toShop, type Json } from "../payments/jsonb-rows";

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
 * The one statement of a result (see the top of this file): on its own on the fast path, or in the locked
 * path's transaction `tx` (where the version check holds by construction). `noticeState` becomes
 * PENDING only when no notice for this outcome existed: notices are only made by a change of the payment
 * row, which the version check (or the lock) serialises, so the NOT EXISTS and the INSERT agree.
 */
export async function writeResult(w: ResultWrite, tx?: Tx): Promise<WriteOutcome> {
  const c = w.change;
  const events = w.events.map((e, ord) => ({ ...e, ord }));
  const noticeEvents = w.notice ? [{ ...w.notice.event, ord: w.events.length }] : [];
  const noticePaid = w.notice ? w.notice.paid : null;
  const now = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
  // The version check: the payment is still in the state the decision was made on.
  const unchanged = Prisma.sql`p."id" = ${w.paymentId}::uuid AND p."status" = ${w.seen.status}::"PaymentStatus"
         AND p."paidKopecks" = ${w.seen.paidKopecks}::bigint AND p."refundedKopecks" = ${w.seen.refundedKopecks}::bigint
         AND (p."imPaymentId" IS NULL) = ${w.seen.imPaymentId === null}::boolean`;
  const rows = await (tx ?? db()).$queryRaw<Array<{ hit: boolean; noticeId: string | null; mailIds: string[] | null }>>`
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
       WHERE ${c !== null}::boolean AND ${unchanged}
      RETURNING p."id"
    ), seen AS (
      -- An ignored repeat writes no payment row: the same check, read from this statement's snapshot.
      SELECT p."id" FROM "Payment" p
       WHERE NOT ${c !== null}::boolean AND ${unchanged}
    ), hit AS (
      SELECT "id" FROM upd UNION ALL SELECT "id" FROM seen
    ), ev AS (${insertEventsSql(events, { shopId: Prisma.sql`${w.shopId}::uuid`, paymentId: Prisma.sql`hit."id"`, at: now, from: Prisma.sql`hit` })}
    ), notice AS (
      INSERT INTO "InsalesNotice" ("id", "shopId", "paymentId", "paid", "state", "attempts", "createdAt", "updatedAt")
      SELECT ${w.notice?.id ?? null}::uuid, ${w.shopId}::uuid, upd."id", ${noticePaid}::int, 'PENDING', 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        FROM upd WHERE ${noticePaid}::int IS NOT NULL
      ON CONFLICT ("paymentId", "paid") DO NOTHING
      RETURNING "id"
    ), nev AS (${insertEventsSql(noticeEvents, { shopId: Prisma.sql`${w.shopId}::uuid`, paymentId: Prisma.sql`${w.paymentId}::uuid`, at: now, from: Prisma.sql`notice` })}
    ), mail AS (${insertMailsSql(w.mails, { shopId: Prisma.sql`${w.shopId}::uuid`, paymentId: Prisma.sql`hit."id"`, createdAt: now, from: Prisma.sql`hit` })})
    SELECT EXISTS (SELECT 1 FROM hit) AS hit, (SELECT "id"::text FROM notice) AS "noticeId", (SELECT array_agg("id"::text) FROM mail) AS "mailIds"`;
  const row = rows[0];
  if (!row?.hit) return { written: false };
  return { written: true, noticeId: row.noticeId, mailIds: row.mailIds ?? [] };
}
