// The checkout's two statements (docs/PERFORMANCE.md «Round trips»): the checkout is on the buyer's path
// and arrives in bursts, and each SQL round trip is time every buyer of the burst waits for. Prisma's
// `include` costs one query per relation and an interactive transaction adds BEGIN and COMMIT, so:
//   1. the shop with its settings, its payment method and the latest payment attempt of this transaction in
//      one SELECT … LEFT JOIN (a repeated checkout needs nothing more);
//   2. the payment, its two timeline events and its letters in one INSERT … ON CONFLICT statement (a
//      single statement is atomic on its own), which answers with the existing row on a concurrent copy.
import { Prisma } from "../generated/prisma/client";
import type { Payment, Shop, ShopGateway, ShopSettings } from "../generated/prisma/client";
import { db } from "../db";
import { paymentJson, toGateway, toPayment, toSettings, toShop, type Json } from "../payments/jsonb-rows";
import type { PlannedMail } from "../mail/queue-mail";

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

export type NewEvent = { id: string; type: string; message: string; data: Json };

export type InsertOutcome =
  | { created: true; payment: Payment; mailIds: string[] }
  | { created: false; payment: Payment | null };

/**
 * One statement: INSERT the payment ON CONFLICT (shop, transaction_id, attempt) DO NOTHING; only when it was
 * inserted, its events and letters (ON CONFLICT ("dedupeKey") DO NOTHING, as queuePaymentMails does).
 * On a conflict the row that was there answers instead. `payment: null` only when the conflicting row was
 * committed by a concurrent statement after this one took its snapshot: the caller reads it again.
 */
export async function insertPayment(p: NewPayment, events: NewEvent[], mails: PlannedMail[]): Promise<InsertOutcome> {
  const eventsJson = JSON.stringify(events.map((e, ord) => ({ ...e, ord })));
  const mailsJson = JSON.stringify(mails.map((m) => ({ id: m.id, kind: m.kind, dedupeKey: m.dedupeKey, to: m.to, state: m.state, subject: m.mail.subject, text: m.mail.text, html: m.mail.html })));
  // Result columns are jsonb, never `*`: with cached prepared statements (lib/db.ts) a `*` whose table
  // gained a column fails with «cached plan must not change result type» until the pool reconnects.
  const rows = await db().$queryRaw<Array<{ row: Json; created: boolean; mailIds: string[] | null }>>`
    WITH ins AS (
      INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber",
          "description", "buyerEmail", "buyerPhone", "verifiedBy", "insalesPasswordSource", "legalForm", "imOrderId", "eshopId", "currency",
          "amountKopecks", "attempt", "invoiceFields", "createdAt", "updatedAt")
      VALUES (${p.id}::uuid, ${p.shopId}::uuid, ${p.transactionId}, ${p.insalesShopIdRaw}, ${p.amountRaw}, ${p.orderKey}, ${p.insalesOrderId},
          ${p.orderNumber}, ${p.description}, ${p.buyerEmail}, ${p.buyerPhone}, ${p.verifiedBy}, ${p.insalesPasswordSource},
          ${p.legalForm}::"LegalForm", ${p.imOrderId}, ${p.eshopId}, ${p.currency}, ${p.amountKopecks}, ${p.attempt}::int,
          ${p.invoiceFields === null ? null : JSON.stringify(p.invoiceFields)}::jsonb, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
      ON CONFLICT ("shopId", "transactionId", "attempt") DO NOTHING
      RETURNING "id", "shopId", "createdAt", ${paymentJson(Prisma.sql`"Payment"`)} AS row
    ), ev AS (
      INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
      -- One millisecond apart, in the given order, so the timeline sorts them as they happened.
      SELECT e.id, ins."shopId", ins."id", e.type, e.message, e.data, ins."createdAt" + e.ord * interval '1 millisecond'
        FROM ins, jsonb_to_recordset(${eventsJson}::jsonb) AS e(id uuid, type text, message text, data jsonb, ord int)
    ), mail AS (
      INSERT INTO "Mail" ("id", "shopId", "paymentId", "kind", "dedupeKey", "to", "subject", "text", "html", "state", "createdAt")
      SELECT m.id, ins."shopId", ins."id", m.kind, m."dedupeKey", m."to", m.subject, m.text, m.html, m.state::"MailState", ins."createdAt"
        FROM ins, jsonb_to_recordset(${mailsJson}::jsonb) AS m(id uuid, kind int, "dedupeKey" text, "to" text, subject text, text text, html text, state text)
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "id"
    )
    SELECT ins.row, true AS created, (SELECT array_agg(mail."id"::text) FROM mail) AS "mailIds" FROM ins
    UNION ALL
    SELECT ${paymentJson(Prisma.sql`p`)}, false AS created, NULL::text[] AS "mailIds" FROM "Payment" p
     WHERE p."shopId" = ${p.shopId}::uuid AND p."transactionId" = ${p.transactionId} AND p."attempt" = ${p.attempt}::int AND NOT EXISTS (SELECT 1 FROM ins)`;
  const row = rows[0];
  if (!row) return { created: false, payment: null };
  const payment = toPayment(row.row);
  return row.created ? { created: true, payment, mailIds: row.mailIds ?? [] } : { created: false, payment };
}
