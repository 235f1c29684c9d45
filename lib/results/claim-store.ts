// The claims' statements (lib/results/claims.ts), each inside the caller's transaction, which holds the
// payment's row lock (lib/results/result-store.ts lockPayment) before it touches a claim.
import { db, type Tx } from "../db";
import type { PaymentClaim, Prisma } from "../generated/prisma/client";
import type { ClaimState } from "../generated/prisma/enums";

/** The merchant's «Требует внимания» entry of a payment with pending claims: one per payment, not per claim. */
export const CLAIM_PROBLEM_KIND = "claim_pending";

export function findPendingClaim(tx: Tx, paymentId: string, dedupeKey: string): Promise<{ id: string; copies: number } | null> {
  return tx.paymentClaim.findFirst({ where: { paymentId, state: "PENDING", dedupeKey }, select: { id: true, copies: true } });
}

/** One more copy of a pending claim arrived. */
export async function countClaimCopy(tx: Tx, claimId: string): Promise<void> {
  await tx.paymentClaim.update({ where: { id: claimId }, data: { copies: { increment: 1 } } });
}

export async function createClaim(tx: Tx, data: Omit<Prisma.PaymentClaimUncheckedCreateInput, "id">): Promise<{ id: string }> {
  return tx.paymentClaim.create({ data, select: { id: true } });
}

/** The payment of a claim of this shop (a claim of another shop is not found). */
export function findClaimOfShop(shopId: string, claimId: string): Promise<{ paymentId: string } | null> {
  return db().paymentClaim.findFirst({ where: { id: claimId, shopId }, select: { paymentId: true } });
}

export function loadClaim(tx: Tx, claimId: string): Promise<PaymentClaim> {
  return tx.paymentClaim.findUniqueOrThrow({ where: { id: claimId } });
}

export async function decideClaimRow(tx: Tx, claimId: string, state: Exclude<ClaimState, "PENDING">, decided: { decidedAt: Date; decidedBy: string }): Promise<void> {
  await tx.paymentClaim.update({ where: { id: claimId }, data: { state, ...decided } });
}

/** The payment's pending claims, but `except`. */
export function pendingClaims(tx: Tx, paymentId: string, except: string | null): Promise<PaymentClaim[]> {
  return tx.paymentClaim.findMany({ where: { paymentId, state: "PENDING", ...(except ? { id: { not: except } } : {}) } });
}

/** Closed by the system: the payment has moved past them. */
export async function markClaimsOutdated(tx: Tx, claimIds: string[]): Promise<void> {
  await tx.paymentClaim.updateMany({ where: { id: { in: claimIds }, state: "PENDING" }, data: { state: "OUTDATED", decidedAt: new Date(), decidedBy: "system" } });
}

/** Whether the payment of this shop has a pending claim (cheap: no lock, no transaction). */
export async function hasPendingClaim(shopId: string, paymentId: string): Promise<boolean> {
  return (await db().paymentClaim.findFirst({ where: { paymentId, shopId, state: "PENDING" }, select: { id: true } })) !== null;
}

/** Opens the payment's claim problem unless one is open; `message` says what waits for the merchant. */
export async function openClaimProblem(tx: Tx, shopId: string, paymentId: string, message: string): Promise<void> {
  const open = await tx.problem.findFirst({ where: { shopId, paymentId, kind: CLAIM_PROBLEM_KIND, resolvedAt: null }, select: { id: true } });
  if (open) return;
  await tx.problem.create({ data: { shopId, paymentId, kind: CLAIM_PROBLEM_KIND, message } });
}

/** Once no claim of the payment is pending, its problem is done too. */
export async function resolveClaimProblemIfDone(tx: Tx, shopId: string, paymentId: string): Promise<void> {
  const pending = await tx.paymentClaim.count({ where: { paymentId, state: "PENDING" } });
  if (pending === 0) await tx.problem.updateMany({ where: { shopId, paymentId, kind: CLAIM_PROBLEM_KIND, resolvedAt: null }, data: { resolvedAt: new Date() } });
}

export function loadShopWithSettings(tx: Tx, shopId: string) {
  return tx.shop.findUniqueOrThrow({ where: { id: shopId }, include: { settings: true } });
}
