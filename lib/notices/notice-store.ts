// The InSales notice's statements. On the hot path of a sale's burst the notify-insales worker needs one
// round trip to load a notice with everything its signature needs and one statement to record its delivery
// (Prisma's nested `include` and an interactive transaction took 5 and 6 round trips, docs/PERFORMANCE.md);
// the rest — a notice that ends without delivery, its retries, the sweeper's search, the buyer's return —
// are plain statements, inside the caller's transaction where it passes one.
import { randomUUID } from "node:crypto";
import { db, type Tx } from "../db";
import type { InsalesNotice, Payment, Shop, ShopGateway, ShopSettings } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";
import { noLiveJobSql } from "../jobs/queue";
import { NOTIFY_INSALES_QUEUE } from "./notify-insales-queue";
import { paymentJson, toGateway, toNotice, toPayment, toSettings, toShop, type Json } from "../payments/jsonb-rows";

export type NoticeContext = InsalesNotice & {
  payment: Payment & { shop: Shop & { settings: ShopSettings | null; gateway: ShopGateway | null } };
};

/** The notice, its payment, the payment's shop with settings and gateway; null if the notice is gone. */
export async function loadNotice(noticeId: string): Promise<NoticeContext | null> {
  return (await loadNoticeForDelivery(noticeId))?.notice ?? null;
}

/**
 * loadNotice, and in the same round trip whether InSales reused the payment's transaction_id for a newer
 * attempt (a new invoice after a cancelled one: notify-insales.ts then holds back a paid=0).
 */
export async function loadNoticeForDelivery(noticeId: string): Promise<{ notice: NoticeContext; newerAttempt: boolean } | null> {
  const rows = await db().$queryRaw<Array<{ notice: Json; payment: Json; shop: Json; settings: Json | null; gateway: Json | null; newerAttempt: boolean }>>`
    SELECT to_jsonb(n) AS notice, ${paymentJson(Prisma.sql`p`)} AS payment, to_jsonb(s) AS shop, to_jsonb(st) AS settings, to_jsonb(g) AS gateway,
           EXISTS (SELECT 1 FROM "Payment" q WHERE q."shopId" = p."shopId" AND q."transactionId" = p."transactionId" AND q."attempt" > p."attempt") AS "newerAttempt"
      FROM "InsalesNotice" n
      JOIN "Payment" p ON p."id" = n."paymentId"
      JOIN "Shop" s ON s."id" = p."shopId"
      LEFT JOIN "ShopSettings" st ON st."shopId" = s."id"
      LEFT JOIN "ShopGateway" g ON g."shopId" = s."id"
     WHERE n."id" = ${noticeId}::uuid`;
  const row = rows[0];
  if (!row) return null;
  const shop = { ...toShop(row.shop), settings: toSettings(row.settings), gateway: toGateway(row.gateway) };
  return { notice: { ...toNotice(row.notice), payment: { ...toPayment(row.payment), shop } }, newerAttempt: row.newerAttempt === true };
}

/**
 * PENDING → DELIVERED, the payment's notice summary (the newest notice's state, as refreshPaymentSummary
 * sets it) and the `notice_delivered` event, in one statement (atomic by itself). Nothing is written when
 * the notice is no longer PENDING. Returns whether this call delivered it.
 */
export async function markNoticeDelivered(input: { noticeId: string; paymentId: string; message: string; data: Json }): Promise<boolean> {
  const rows = await db().$queryRaw<Array<{ delivered: boolean }>>`
    WITH upd AS (
      UPDATE "InsalesNotice" SET "state" = 'DELIVERED', "deliveredAt" = now() AT TIME ZONE 'UTC', "lastError" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
       WHERE "id" = ${input.noticeId}::uuid AND "state" = 'PENDING'
      RETURNING "id", "shopId", "paymentId"
    ), newest AS (
      -- This statement's snapshot still shows the notice as PENDING: the summary takes DELIVERED for it.
      SELECT n."id", n."state"::text AS "state" FROM "InsalesNotice" n
       WHERE n."paymentId" = ${input.paymentId}::uuid ORDER BY n."createdAt" DESC LIMIT 1
    ), summary AS (
      UPDATE "Payment" p SET "noticeState" = (CASE WHEN newest."id" = upd."id" THEN 'DELIVERED' ELSE newest."state" END)::"NoticeSummary",
          "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM upd, newest
       WHERE p."id" = upd."paymentId"
      RETURNING p."id"
    ), ev AS (
      INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
      SELECT ${randomUUID()}::uuid, upd."shopId", upd."paymentId", 'notice_delivered', ${input.message}, ${JSON.stringify(input.data)}::jsonb, now() AT TIME ZONE 'UTC'
        FROM upd
    )
    SELECT EXISTS (SELECT 1 FROM upd) AS delivered`;
  return rows[0]?.delivered === true;
}

/** The state a payment's notice summary shows: the newest notice's. */
async function refreshPaymentSummary(tx: Tx, paymentId: string): Promise<void> {
  const latest = await tx.insalesNotice.findFirst({ where: { paymentId }, orderBy: { createdAt: "desc" }, select: { state: true } });
  if (latest) await tx.payment.update({ where: { id: paymentId }, data: { noticeState: latest.state } });
}

/**
 * PENDING → `state` (FAILED for good, or SUPERSEDED by a newer attempt) with the payment's summary; the
 * notice as it is then, or null when it was no longer PENDING (nothing written).
 */
export async function endPendingNotice(tx: Tx, noticeId: string, state: "FAILED" | "SUPERSEDED", lastError: string | null): Promise<InsalesNotice | null> {
  const updated = await tx.insalesNotice.updateMany({ where: { id: noticeId, state: "PENDING" }, data: { state, lastError } });
  if (updated.count === 0) return null;
  const notice = await tx.insalesNotice.findUniqueOrThrow({ where: { id: noticeId } });
  await refreshPaymentSummary(tx, notice.paymentId);
  return notice;
}

/** Counted before sending: a crash mid-request still shows as an attempt. */
export async function countNoticeAttempt(noticeId: string): Promise<void> {
  await db().insalesNotice.update({ where: { id: noticeId }, data: { attempts: { increment: 1 } } });
}

/** The last attempt's error, in `tx` when given. */
export async function recordNoticeError(noticeId: string, lastError: string, tx?: Tx): Promise<void> {
  await (tx ?? db()).insalesNotice.update({ where: { id: noticeId }, data: { lastError } });
}

/** PENDING notices whose last change is older than `graceSeconds` (at `now`) with no live notify-insales job, oldest first, at most 500. */
export function findNoticesWithoutJob(graceSeconds: number, now: Date) {
  return db().$queryRaw<Array<{ id: string; createdAt: Date; paid: number; orderNumber: string | null; insalesOrderId: string }>>`
    SELECT n.id::text AS id, n."createdAt", n.paid, p."orderNumber", p."insalesOrderId"
    FROM "InsalesNotice" n JOIN "Payment" p ON p.id = n."paymentId"
    WHERE n.state = 'PENDING'
      AND n."updatedAt" < ${now}::timestamptz - make_interval(secs => ${graceSeconds})
      AND ${noLiveJobSql(NOTIFY_INSALES_QUEUE, Prisma.sql`n.id::text`)}
    ORDER BY n."createdAt"
    LIMIT 500`;
}

export type ReturningPayment = Payment & { shop: Shop & { settings: ShopSettings | null; gateway: ShopGateway | null } };

/** The payment the buyer returns for, with what its notice fields need. */
export function loadReturningPayment(paymentId: string): Promise<ReturningPayment | null> {
  return db().payment.findUnique({ where: { id: paymentId }, include: { shop: { include: { settings: true, gateway: true } } } });
}

/** Whether InSales reused the payment's transaction_id for a newer attempt (a new invoice after a cancelled one). */
export async function hasNewerAttempt(p: Pick<Payment, "shopId" | "transactionId" | "attempt">): Promise<boolean> {
  return (await db().payment.count({ where: { shopId: p.shopId, transactionId: p.transactionId, attempt: { gt: p.attempt } } })) > 0;
}
