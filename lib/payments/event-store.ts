// The payment's timeline (PaymentEvent), written by every concern through here: one event at a time
// (recordEvent, inside the caller's transaction when it has one), or several in one statement, one
// millisecond apart so the timeline sorts them as they happened (insertEventsSql — on its own, or as a CTE
// of the statement that creates or moves the payment: lib/checkout/checkout-store.ts,
// lib/results/result-store.ts).
import { randomUUID } from "node:crypto";
import { Prisma } from "../generated/prisma/client";
import { db, type Tx } from "../db";
import type { Json } from "./jsonb-rows";

/** One event; `shopId` and `paymentId` may be null for what cannot be routed (a notification of no known shop). */
export type NewEvent = Pick<Prisma.PaymentEventUncheckedCreateInput, "shopId" | "paymentId" | "type" | "message" | "data">;

/** One event, in `tx` when given. */
export async function recordEvent(event: NewEvent, tx?: Tx): Promise<void> {
  await (tx ?? db()).paymentEvent.create({ data: event });
}

/** An event written by a statement together with others: `ord` places it (now + ord milliseconds). */
export type EventRow = { id: string; type: string; message: string; data: Json };

/** A row of `type`, its data made JSON (bigint values become decimal strings). */
export function eventRow(type: string, message: string, data: Record<string, unknown>): EventRow {
  return { id: randomUUID(), type, message, data: jsonSafe(data) };
}

/** Event data is JSON: bigint values become decimal strings. */
export function jsonSafe(data: Record<string, unknown>): Record<string, string | number | boolean | null | object> {
  return JSON.parse(JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/**
 * The INSERT of `rows` (row i at `at` + `ord`[i] ms). `target` says where the shop and the payment come
 * from — values, or the columns of the CTE `from` whose rows the events belong to (then there are events
 * only where that CTE has a row).
 */
export function insertEventsSql(rows: ReadonlyArray<EventRow & { ord: number }>, target: { shopId: Prisma.Sql; paymentId: Prisma.Sql; at: Prisma.Sql; from?: Prisma.Sql }): Prisma.Sql {
  const from = target.from ? Prisma.sql`${target.from}, ` : Prisma.empty;
  return Prisma.sql`
      INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
      SELECT e.id, ${target.shopId}, ${target.paymentId}, e.type, e.message, e.data, ${target.at} + e.ord * interval '1 millisecond'
        FROM ${from}jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS e(id uuid, type text, message text, data jsonb, ord int)`;
}

/**
 * `rows` of one payment in one statement of the caller's transaction, `startOrd` placing them around
 * another statement's rows of the same transaction (lib/results/result-store.ts writes those at now + 0,
 * 1, 2 … ms: -1 puts one before them, 10 after).
 */
export async function insertEvents(tx: Tx, shopId: string, paymentId: string, rows: readonly EventRow[], startOrd: number): Promise<void> {
  if (rows.length === 0) return;
  const ordered = rows.map((e, i) => ({ ...e, ord: startOrd + i }));
  await tx.$executeRaw(insertEventsSql(ordered, { shopId: Prisma.sql`${shopId}::uuid`, paymentId: Prisma.sql`${paymentId}::uuid`, at: Prisma.sql`(now() AT TIME ZONE 'UTC')` }));
}
