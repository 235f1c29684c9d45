// The checkout's statements. A new payment costs two (docs/PERFORMANCE.md «Round trips»): the checkout is on
// the buyer's path and arrives in bursts, and each SQL round trip is time every buyer of the burst waits for.
// Prisma's `include` costs one query per relation and an interactive transaction adds BEGIN and COMMIT, so:
//   1. the shop with its settings, its payment method and the latest payment attempt of this transaction in
//      one SELECT … LEFT JOIN (a repeated checkout needs nothing more);
//   2. the payment, its timeline events and its letters in one INSERT … ON CONFLICT statement (a
//      single statement is atomic on its own), which answers with the existing row on a concurrent copy.
// Off that path: the API fallback's call budget, and the read-back of an attempt a concurrent copy committed.
import { Prisma } from "../generated/prisma/client";
import type { Payment, Shop, ShopGateway, ShopSettings } from "../generated/prisma/client";
import { db } from "../db";
import { paymentJson, toGateway, toPayment, toSettings, toShop, type Json } from "../payments/jsonb-rows";
import { insertMailsSql, type PlannedMail } from "../mail/mail-store";
import { insertEventsSql, type EventRow } from "../payments/event-store";

export type ShopWithConfig = Shop & {
  settings: ShopSettings | null;
  gateway: ShopGateway | null;
  /** The newest attempt (highest `attempt`) of the checkout's transaction_id in this shop, if any. */
  latestPayment: Payment | null;
};

type ConfigRow = { shop: Json; settings: Json | null; gateway: Json | null; latest: Json | null };

function toShopWithConfig(r: ConfigRow): ShopWithConfig {
  return { ...toShop(r.shop), settings: toSettings(r.settings), gateway: toGateway(r.gateway), latestPayment: r.latest ? toPayment(r.latest) : null };
}

/**
 * ACTIVE shops a checkout may belong to, with settings, payment method and the latest payment of
 * `transactionId` (see checkout.ts findShops for the routing rules). `byInsalesId` finds at most one;
 * otherwise the shops whose «Номер магазина» is `eshopId`, oldest first, at most 5.
 */
export async function loadCheckoutShops(where: { byInsalesId: string } | { eshopId: string }, transactionId: string): Promise<ShopWithConfig[]> {
  const filter = "byInsalesId" in where ? Prisma.sql`s."insalesId" = ${where.byInsalesId}` : Prisma.sql`st."eshopId" = ${where.eshopId}`;
  const rows = await db().$queryRaw<ConfigRow[]>`
    SELECT to_jsonb(s) AS shop, to_jsonb(st) AS settings, to_jsonb(g) AS gateway, lp.row AS latest
      FROM "Shop" s
      LEFT JOIN "ShopSettings" st ON st."shopId" = s."id"
      LEFT JOIN "ShopGateway" g ON g."shopId" = s."id"
      LEFT JOIN LATERAL (
        SELECT ${paymentJson(Prisma.sql`p`)} AS row FROM "Payment" p
         WHERE p."shopId" = s."id" AND p."transactionId" = ${transactionId}
         ORDER BY p."attempt" DESC LIMIT 1
      ) lp ON true
     WHERE s."status" = 'ACTIVE' AND ${filter}
     ORDER BY s."installedAt" ASC
     LIMIT 5`;
  return rows.map(toShopWithConfig);
}

/** The attempt of a transaction, when a concurrent statement committed it after ours took its snapshot. */
export function findPaymentAttempt(shopId: string, transactionId: string, attempt: number): Promise<Payment | null> {
  return db().payment.findUnique({ where: { shopId_transactionId_attempt: { shopId, transactionId, attempt } } });
}

export type NewPayment = Omit<
  Payment,
  | "buyerName"
  | "imPaymentId"
  | "unverifiedResults"
  | "status"
  | "paidKopecks"
  | "refundedKopecks"
  | "noticeState"
  | "refundsBlockedAt"
  | "refundsBlockedReason"
  | "createdAt"
  | "updatedAt"
>;


export type InsertOutcome =
  | { created: true; payment: Payment; mailIds: string[] }
  | { created: false; payment: Payment | null };

/**
 * One statement: INSERT the payment ON CONFLICT (shop, transaction_id, attempt) DO NOTHING; only when it was
 * inserted, its events and letters (lib/mail/mail-store.ts insertMailsSql: ON CONFLICT ("dedupeKey") DO NOTHING).
 * On a conflict the row that was there answers instead. `payment: null` only when the conflicting row was
 * committed by a concurrent statement after this one took its snapshot: the caller reads it again.
 */
export async function insertPayment(p: NewPayment, events: EventRow[], mails: PlannedMail[]): Promise<InsertOutcome> {
  const ordered = events.map((e, ord) => ({ ...e, ord }));
  // Result columns are jsonb, never `*`: with cached prepared statements (lib/db.ts) a `*` whose table
  // gained a column fails with «cached plan must not change result type» until the pool reconnects.
  const rows = await db().$queryRaw<Array<{ row: Json; created: boolean; mailIds: string[] | null }>>`
    WITH ins AS (
      INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber",
          "description", "buyerEmail", "buyerPhone", "verifiedBy", "insalesPasswordSource", "legalForm", "imOrderId", "eshopId", "currency",
          "amountKopecks", "attempt", "invoiceFields", "insalesNoticeChannel", "createdAt", "updatedAt")
      VALUES (${p.id}::uuid, ${p.shopId}::uuid, ${p.transactionId}, ${p.insalesShopIdRaw}, ${p.amountRaw}, ${p.orderKey}, ${p.insalesOrderId},
          ${p.orderNumber}, ${p.description}, ${p.buyerEmail}, ${p.buyerPhone}, ${p.verifiedBy}, ${p.insalesPasswordSource},
          ${p.legalForm}::"LegalForm", ${p.imOrderId}, ${p.eshopId}, ${p.currency}, ${p.amountKopecks}, ${p.attempt}::int,
          ${p.invoiceFields === null ? null : JSON.stringify(p.invoiceFields)}::jsonb, ${p.insalesNoticeChannel}, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
      ON CONFLICT ("shopId", "transactionId", "attempt") DO NOTHING
      RETURNING "id", "shopId", "createdAt", ${paymentJson(Prisma.sql`"Payment"`)} AS row
    ), ev AS (${insertEventsSql(ordered, { shopId: Prisma.sql`ins."shopId"`, paymentId: Prisma.sql`ins."id"`, at: Prisma.sql`ins."createdAt"`, from: Prisma.sql`ins` })}
    ), mail AS (${insertMailsSql(mails, { shopId: Prisma.sql`ins."shopId"`, paymentId: Prisma.sql`ins."id"`, createdAt: Prisma.sql`ins."createdAt"`, from: Prisma.sql`ins` })})
    SELECT ins.row, true AS created, (SELECT array_agg(mail."id"::text) FROM mail) AS "mailIds" FROM ins
    UNION ALL
    SELECT ${paymentJson(Prisma.sql`p`)}, false AS created, NULL::text[] AS "mailIds" FROM "Payment" p
     WHERE p."shopId" = ${p.shopId}::uuid AND p."transactionId" = ${p.transactionId} AND p."attempt" = ${p.attempt}::int AND NOT EXISTS (SELECT 1 FROM ins)`;
  const row = rows[0];
  if (!row) return { created: false, payment: null };
  const payment = toPayment(row.row);
  return row.created ? { created: true, payment, mailIds: row.mailIds ?? [] } : { created: false, payment };
}

/**
 * One call from a shop's fixed-window budget (ShopCallBudget, lib/checkout/checkout-api-budget.ts): one
 * statement per take, so every app instance draws from one budget and concurrent takes count exactly.
 * False when the window's `limit` is spent (nothing taken).
 */
export async function takeFromCallBudget(b: { shopId: string; purpose: string; windowSeconds: number; limit: number }): Promise<boolean> {
  const rows = await db().$queryRaw<Array<{ used: number }>>`
    INSERT INTO "ShopCallBudget" ("shopId", "purpose", "windowStart", "used")
    VALUES (${b.shopId}::uuid, ${b.purpose}, now() AT TIME ZONE 'UTC', 1)
    ON CONFLICT ("shopId", "purpose") DO UPDATE SET
      "windowStart" = CASE WHEN "ShopCallBudget"."windowStart" <= (now() AT TIME ZONE 'UTC') - ${b.windowSeconds}::int * interval '1 second'
                           THEN EXCLUDED."windowStart" ELSE "ShopCallBudget"."windowStart" END,
      "used" = CASE WHEN "ShopCallBudget"."windowStart" <= (now() AT TIME ZONE 'UTC') - ${b.windowSeconds}::int * interval '1 second'
                    THEN 1 ELSE LEAST("ShopCallBudget"."used" + 1, ${b.limit + 1}::int) END
    RETURNING "used"`;
  return rows[0].used <= b.limit;
}
