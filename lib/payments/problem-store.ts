// Problems for the merchant («Требует внимания»). recordProblem writes them so that identical ones merge
// (issue 12 item 6): 30 forged checkouts are one open problem «… (30 раз)», not 30 rows to click away. Two
// problems are the same when shop, kind and cause are; the cause is the caller's (a refusal reason, perhaps
// with the payment it concerns). Only open problems merge: once the merchant resolves one, its cause is
// cleared (resolveOpenProblem) and the next occurrence opens a new one. One statement (INSERT … ON CONFLICT
// DO UPDATE on the unique (shopId, kind, openCause)), so concurrent copies count exactly and never make two
// rows. openProblem writes one that never merges.
import { randomUUID } from "node:crypto";
import { db, type Tx } from "../db";

export type ProblemInput = {
  shopId: string;
  paymentId: string | null;
  kind: string;
  /** Identical problems share it; keep it short and free of request data an attacker could vary. */
  cause: string;
  /** Russian, no secrets, no buyer contacts. The latest occurrence's text replaces the earlier one. */
  message: string;
};

export type RecordedProblem = { id: string; count: number };

export async function recordProblem(client: Tx, p: ProblemInput): Promise<RecordedProblem> {
  const rows = await client.$queryRaw<Array<{ id: string; count: number }>>`
    INSERT INTO "Problem" ("id", "shopId", "paymentId", "kind", "message", "openCause", "count", "createdAt", "lastSeenAt")
    VALUES (${randomUUID()}::uuid, ${p.shopId}::uuid, ${p.paymentId}::uuid, ${p.kind}, ${p.message}, ${p.cause}, 1,
            now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    ON CONFLICT ("shopId", "kind", "openCause") DO UPDATE
      SET "count" = "Problem"."count" + 1,
          "lastSeenAt" = EXCLUDED."lastSeenAt",
          "message" = EXCLUDED."message",
          "paymentId" = COALESCE(EXCLUDED."paymentId", "Problem"."paymentId")
    RETURNING "id"::text AS id, "count"`;
  return rows[0];
}

/**
 * A problem that is never merged with another: one per occurrence, each on its own (a notice InSales
 * refused, a stop of refunds); in `tx` when given.
 */
export async function openProblem(p: { shopId: string; paymentId: string | null; kind: string; message: string }, tx?: Tx): Promise<void> {
  await (tx ?? db()).problem.create({ data: p });
}

/**
 * «Отметить решённой»: the shop's open problem, unless its kind is one of `exceptKinds`. Its cause is
 * cleared so the next occurrence opens a new problem instead of counting into this one. False when no open
 * problem of this shop with that id and kind was there.
 */
export async function resolveOpenProblem(shopId: string, problemId: string, now: Date, exceptKinds: readonly string[]): Promise<boolean> {
  const updated = await db().problem.updateMany({ where: { id: problemId, shopId, resolvedAt: null, kind: { notIn: [...exceptKinds] } }, data: { resolvedAt: now, openCause: null } });
  return updated.count === 1;
}

export function findProblemOfShop(shopId: string, problemId: string): Promise<{ kind: string; resolvedAt: Date | null } | null> {
  return db().problem.findFirst({ where: { id: problemId, shopId }, select: { kind: true, resolvedAt: true } });
}
