// «Требует внимания»: the shop's unresolved problems (a notice InSales refused, a checkout refused, …)
// and marking one resolved. Scoped by shopId on every statement: a problem id from another shop changes
// nothing and reveals nothing.
import { db } from "../db";
import { isUuid } from "../uuid";
import { CARD_ONLY_PROBLEM_KINDS } from "../operations/refund-block";
import { findProblemOfShop, resolveOpenProblem } from "../payments/problem-store";

export const PROBLEMS_SHOWN = 20;

/** `count` > 1: merged occurrences of the same problem (lib/payments/problem-store.ts), the last at `lastSeenAt`. */
export type OpenProblem = { id: string; kind: string; message: string; createdAt: Date; paymentId: string | null; count: number; lastSeenAt: Date };

export async function listOpenProblems(shopId: string): Promise<{ items: OpenProblem[]; total: number }> {
  const where = { shopId, resolvedAt: null };
  const [items, total] = await Promise.all([
    db().problem.findMany({
      where,
      // A problem that keeps recurring stays on top.
      orderBy: [{ lastSeenAt: "desc" }, { id: "desc" }],
      take: PROBLEMS_SHOWN,
      select: { id: true, kind: true, message: true, createdAt: true, paymentId: true, count: true, lastSeenAt: true },
    }),
    db().problem.count({ where }),
  ]);
  return { items, total };
}

export type ResolveProblemOutcome = { ok: true } | { ok: false; reason: "not_found" | "card_only" };

/**
 * «Отметить решённой». A stop of refunds (lib/operations/refund-block.ts) is not resolved here: it is lifted with the
 * stop itself on the payment card, after the merchant checked the IntellectMoney account.
 */
export async function resolveProblem(shopId: string, problemId: string, now: Date = new Date()): Promise<ResolveProblemOutcome> {
  if (!isUuid(shopId) || !isUuid(problemId)) return { ok: false, reason: "not_found" };
  if (await resolveOpenProblem(shopId, problemId, now, CARD_ONLY_PROBLEM_KINDS)) return { ok: true };
  // Already resolved (a double click, a second tab) is a success that changes nothing.
  const existing = await findProblemOfShop(shopId, problemId);
  if (!existing) return { ok: false, reason: "not_found" };
  return existing.resolvedAt === null && CARD_ONLY_PROBLEM_KINDS.includes(existing.kind) ? { ok: false, reason: "card_only" } : { ok: true };
}
