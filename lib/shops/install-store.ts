// The statements of installing, proving and uninstalling a shop (install-candidates.ts, sync-account.ts,
// uninstall-shop.ts, install-candidates-sweeper.ts): install candidates, and the shop's credentials they
// turn into. Inside the caller's transaction where it passes one; the caller holds lockInsalesId first.
import { db, type Tx } from "../db";
import type { InstallCandidate, Prisma } from "../generated/prisma/client";

/** Serialises admissions, proofs and uninstalls of one insales_id (released at commit). */
export async function lockInsalesId(tx: Tx, insalesId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`install:${insalesId}`}, 0))`;
}

const NEW_SHOPS_LOCK = "install:new-shops";

/** One counter for all instances: admissions of new insales_ids take turns here. */
export async function lockNewShopAdmissions(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${NEW_SHOPS_LOCK}, 0))`;
}

/** The installed shop of an insales_id, with what an install call is compared with. */
export function findShopCredentials(tx: Tx, insalesId: string) {
  return tx.shop.findUnique({ where: { insalesId }, select: { id: true, status: true, host: true, apiPasswordEnc: true } });
}

export function findCandidateByFingerprint(tx: Tx, insalesId: string, fingerprint: string) {
  return tx.installCandidate.findUnique({ where: { insalesId_fingerprint: { insalesId, fingerprint } }, select: { id: true, state: true } });
}

export async function deleteCandidate(tx: Tx, candidateId: string): Promise<void> {
  await tx.installCandidate.delete({ where: { id: candidateId } });
}

/** DISCARDED, kept for the hourly new-shop cap. */
export async function markCandidateDiscarded(tx: Tx, candidateId: string, reason: string, at: Date): Promise<void> {
  await tx.installCandidate.update({ where: { id: candidateId }, data: { state: "DISCARDED", discardedAt: at, lastError: reason } });
}

/** Whether an install of a shop we did not know arrived for this insales_id since `since`. */
export async function newTenantSeenSince(tx: Tx, insalesId: string, since: Date): Promise<boolean> {
  return (await tx.installCandidate.findFirst({ where: { insalesId, newTenant: true, createdAt: { gte: since } }, select: { id: true } })) !== null;
}

/** How many insales_ids we did not know sent an install since `since`. */
export async function newTenantsSince(tx: Tx, since: Date): Promise<number> {
  return (await tx.installCandidate.groupBy({ by: ["insalesId"], where: { newTenant: true, createdAt: { gte: since } } })).length;
}

/** A shop's places for pending candidates: all of them, or those of one sender address. */
export type CandidateScope = { insalesId: string; sourceAddress?: string };

export function countPendingCandidates(tx: Tx, scope: CandidateScope): Promise<number> {
  return tx.installCandidate.count({ where: { ...scope, state: "PENDING" } });
}

/** The oldest pending candidate of the scope that is past proving: it failed after the unlock, or arrived before `arrivedBefore`. */
export function oldestUnprovableCandidate(tx: Tx, scope: CandidateScope, arrivedBefore: Date) {
  return tx.installCandidate.findFirst({
    where: { ...scope, state: "PENDING", OR: [{ failedAfterUnlock: true }, { createdAt: { lt: arrivedBefore } }] },
    orderBy: { createdAt: "asc" },
    select: { id: true, newTenant: true },
  });
}

export function createCandidate(tx: Tx, data: Omit<Prisma.InstallCandidateUncheckedCreateInput, "id">): Promise<{ id: string }> {
  return tx.installCandidate.create({ data, select: { id: true } });
}

export async function hasPendingCandidate(insalesId: string, host?: string): Promise<boolean> {
  return (await db().installCandidate.findFirst({ where: { insalesId, state: "PENDING", ...(host ? { host } : {}) }, select: { id: true } })) !== null;
}

export function pendingCandidatePasswords(tx: Tx, insalesId: string): Promise<Array<{ id: string; apiPasswordEnc: string }>> {
  return tx.installCandidate.findMany({ where: { insalesId, state: "PENDING" }, select: { id: true, apiPasswordEnc: true } });
}

/** Deletes every candidate of this shop that arrived at or before `before`; how many. */
export async function deleteCandidatesUpTo(tx: Tx, insalesId: string, before: Date): Promise<number> {
  return (await tx.installCandidate.deleteMany({ where: { insalesId, createdAt: { lte: before } } })).count;
}

export function loadCandidate(candidateId: string, tx?: Tx): Promise<InstallCandidate | null> {
  return (tx ?? db()).installCandidate.findUnique({ where: { id: candidateId } });
}

/** What ending a candidate needs: whether it is still pending and whether its shop was new. */
export function candidateState(tx: Tx, candidateId: string) {
  return tx.installCandidate.findUnique({ where: { id: candidateId }, select: { id: true, state: true, newTenant: true } });
}

/** A failed probe of a pending candidate; false when it is no longer pending (evicted, superseded). */
export async function recordProbeFailure(tx: Tx, candidateId: string, p: { attempts: number; at: Date; reason: string; failedAfterUnlock: boolean }): Promise<boolean> {
  const updated = await tx.installCandidate.updateMany({
    where: { id: candidateId, state: "PENDING" },
    data: { attempts: p.attempts, lastTriedAt: p.at, lastError: p.reason, failedAfterUnlock: p.failedAfterUnlock },
  });
  return updated.count === 1;
}

/** The shop of an insales_id as a proof sees it: when it was last installed or uninstalled. */
export function findShopForProof(tx: Tx, insalesId: string) {
  return tx.shop.findUnique({ where: { insalesId }, select: { id: true, host: true, status: true, installedAt: true, uninstalledAt: true } });
}

export type ProvenCredentials = { host: string; apiPasswordEnc: string; installedAt: Date; title: string | null; ownerEmail: string | null };

/**
 * A known shop takes proven credentials: ACTIVE again, a new session generation (older sessions end), its
 * settings row ensured, and its «Войти» round trips started under the old password dropped.
 */
export async function switchShopCredentials(tx: Tx, shopId: string, c: ProvenCredentials): Promise<void> {
  await tx.shop.update({ where: { id: shopId }, data: { ...c, status: "ACTIVE", uninstalledAt: null, sessionGeneration: { increment: 1 } } });
  await tx.shopSettings.upsert({ where: { shopId }, create: { shopId }, update: {}, select: { shopId: true } });
  await tx.loginNonce.deleteMany({ where: { shopId } });
}

/** A new shop with proven credentials and empty settings. */
export async function createShop(tx: Tx, insalesId: string, c: ProvenCredentials): Promise<string> {
  return (await tx.shop.create({ data: { insalesId, ...c, status: "ACTIVE", uninstalledAt: null, settings: { create: {} } }, select: { id: true } })).id;
}

/**
 * Uninstalled at `at`: every secret of the shop wiped (API password, IntellectMoney keys, the payment
 * method's «Пароль»), every session and pending «Войти» round trip ended. Payments stay.
 */
export async function wipeShopCredentials(tx: Tx, shopId: string, at: Date): Promise<void> {
  await tx.shop.update({ where: { id: shopId }, data: { status: "UNINSTALLED", uninstalledAt: at, apiPasswordEnc: null, sessionGeneration: { increment: 1 } } });
  await tx.shopSettings.updateMany({ where: { shopId }, data: { secretKeyEnc: null, apiTokenEnc: null, signSecretEnc: null, walletSecretKeyEnc: null } });
  await tx.shopGateway.updateMany({ where: { shopId }, data: { passwordEnc: null } });
  await tx.loginNonce.deleteMany({ where: { shopId } });
}

/** Pending candidates that arrived before `before` (the sweeper's: past their proof window), at most 1000. */
export function pendingCandidatesBefore(before: Date) {
  return db().installCandidate.findMany({ where: { state: "PENDING", createdAt: { lt: before } }, select: { id: true, newTenant: true, insalesId: true, host: true }, take: 1000 });
}

/** Deletes every candidate older than `before`, whatever its state; how many. */
export async function deleteCandidatesBefore(before: Date): Promise<number> {
  return (await db().installCandidate.deleteMany({ where: { createdAt: { lt: before } } })).count;
}
