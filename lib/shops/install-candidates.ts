// Install calls as candidates (docs/protocols/insales.md §1 Install, revised). The install call is not
// signed and `insales_id` is public (it is in every invoice's resultUrl), so a call proves nothing by
// itself: it is stored as a candidate and changes nothing until lib/shops/sync-account.ts has read
// /admin/account.json on the candidate's host with the candidate's password and got this insales_id back.
// Until then the shop's current host and password stay in force, and an unknown insales_id has no Shop
// row at all (no login, no checkout).
//
// Why a forged call can never displace a genuine pending reinstall: a candidate leaves the PENDING state
// only (1) when a candidate of the same shop proves (the winner is InSales's, by the account id), (2) when
// its own probe fails for good (another shop's account, an answer that is not InSales's, or no proof
// within the proof window), (3) when an uninstall with the shop's password supersedes it, or (4) when it
// gives its place to a newer call — and (4) only after a probe made at least UNLOCK_GRACE after its
// arrival failed. InSales unlocks the API as soon as it has our 200 (vendor: «до тех пор пока InSales не
// получили ответ 200 OK … не может совершать запросы к InSales через API»), so a genuine candidate proves
// on such a probe and never reaches (4).
//
// Why forged calls cannot keep InSales's own call out: places are counted per sender address (the rate
// limiter's, lib/http/rate-limit.ts) — MAX_PENDING_PER_SOURCE per shop — so one sender's calls only ever
// compete with each other, and InSales's call finds its own places free. The shop's total
// (MAX_PENDING_PER_SHOP) bounds the probes we make against one shop's InSales API; filling it takes that
// many calls from MAX_PENDING_PER_SHOP / MAX_PENDING_PER_SOURCE distinct addresses within the grace, again
// and again. A call that finds no free place is answered 429 (InSales, or the merchant, tries again
// later) and changes nothing; it never replaces a candidate that may still prove.
//
// Unknown insales_ids are also capped per hour across all instances (INSTALL_NEW_SHOPS_PER_HOUR), beyond
// the per-IP limit of the route, so a flood of made-up ids cannot fill the table.
import { createHmac } from "node:crypto";
import { inTransaction, type Tx } from "../db";
import { env } from "../env";
import { decryptSecret, encryptSecret, hexEquals, md5Hex } from "../crypto";
import { log } from "../log";
import type { InstallParams } from "../insales/lifecycle-params";
import { enqueueInstallProof } from "./install-proof-queue";
import {
  countPendingCandidates,
  createCandidate,
  deleteCandidate,
  deleteCandidatesUpTo,
  findCandidateByFingerprint,
  findShopCredentials,
  hasPendingCandidate,
  lockInsalesId,
  lockNewShopAdmissions,
  markCandidateDiscarded,
  newTenantSeenSince,
  newTenantsSince,
  oldestUnprovableCandidate,
  pendingCandidatePasswords,
  type CandidateScope,
} from "./install-store";

/** Pending candidates per insales_id and sender address (InSales resending, a merchant's double click). */
export const MAX_PENDING_PER_SOURCE = 3;
/** Pending candidates per insales_id from all senders together. */
export const MAX_PENDING_PER_SHOP = 32;
/** A probe this long after a candidate's arrival that still fails means InSales does not know its
 * password: the API was unlocked when InSales received our 200, long before. */
export const UNLOCK_GRACE_SECONDS = 15;
/** Probes that fail for reasons that may pass (401 while locked, timeouts, 5xx, 429) are repeated this
 * long after arrival; after it the candidate is discarded. */
export const PROOF_WINDOW_SECONDS = 300;
/** Discarded candidates are kept this long (the hourly cap counts them; the log tells the story). */
export const KEEP_SECONDS = 24 * 3600;
/** The window of the new-shop cap. */
export const NEW_SHOP_WINDOW_SECONDS = 3600;

/** The per-shop API password (docs/protocols/insales.md §1 Install; vector in docs/protocols/test-vectors.md). */
export function appApiPassword(token: string, appSecret: string): string {
  return md5Hex(token + appSecret);
}

/** Keyed, so the column cannot be used to check a guessed password against a copy of the database. */
function fingerprint(insalesId: string, host: string, password: string): string {
  return createHmac("sha256", env().INSALES_APP_SECRET).update(`${insalesId}\n${host}\n${password}`).digest("hex");
}

export type AdmitResult =
  | { ok: true; outcome: "pending"; candidateId: string; knownShop: boolean; evicted: string | null }
  /** The same call again (InSales retrying): the candidate already waits for its proof. */
  | { ok: true; outcome: "duplicate"; candidateId: string }
  /** Host and password are the shop's current ones: nothing to prove, nothing changes. */
  | { ok: true; outcome: "current"; shopId: string }
  | { ok: false; reason: "too_many_pending" | "too_many_new_shops"; retryAfterSeconds: number };

export async function admitInstallCandidate(params: InstallParams, options: { now?: Date; sourceAddress?: string } = {}): Promise<AdmitResult> {
  const now = options.now ?? new Date();
  const sourceAddress = options.sourceAddress ?? "unknown";
  const password = appApiPassword(params.token, env().INSALES_APP_SECRET);
  const print = fingerprint(params.insalesId, params.shop, password);

  const result = await inTransaction(async (tx): Promise<AdmitResult> => {
    await lockInsalesId(tx, params.insalesId);
    const shop = await findShopCredentials(tx, params.insalesId);
    if (shop?.status === "ACTIVE" && shop.host === params.shop && shop.apiPasswordEnc && hexEquals(password, decryptSecret(shop.apiPasswordEnc))) {
      return { ok: true, outcome: "current", shopId: shop.id };
    }
    const same = await findCandidateByFingerprint(tx, params.insalesId, print);
    if (same?.state === "PENDING") return { ok: true, outcome: "duplicate", candidateId: same.id };
    // A call discarded earlier (InSales was slow to unlock) and sent again starts afresh.
    if (same) await deleteCandidate(tx, same.id);

    const newTenant = !shop;
    if (newTenant) {
      const refused = await newShopCapReached(tx, params.insalesId, now);
      if (refused) return refused;
    }

    // First the sender's own places for this shop, then the shop's; each full one gives up its oldest
    // candidate only if that one is past proving (see the header).
    let evicted: string | null = null;
    const scopes: CandidateScope[] = [{ insalesId: params.insalesId, sourceAddress }, { insalesId: params.insalesId }];
    for (const scope of scopes) {
      const limit = scope.sourceAddress !== undefined ? MAX_PENDING_PER_SOURCE : MAX_PENDING_PER_SHOP;
      const pending = await countPendingCandidates(tx, scope);
      if (pending < limit) continue;
      const stale = await oldestUnprovableCandidate(tx, scope, new Date(now.getTime() - PROOF_WINDOW_SECONDS * 1000));
      if (!stale) return { ok: false, reason: "too_many_pending", retryAfterSeconds: UNLOCK_GRACE_SECONDS };
      await discardInTx(tx, stale, "evicted", now);
      evicted = stale.id;
    }

    const candidate = await createCandidate(tx, { insalesId: params.insalesId, host: params.shop, apiPasswordEnc: encryptSecret(password), fingerprint: print, newTenant, sourceAddress, createdAt: now });
    // The proof runs after our 200 has unlocked the API; committed with the candidate.
    await enqueueInstallProof(candidate.id, { tx, startAfterSeconds: 1 });
    return { ok: true, outcome: "pending", candidateId: candidate.id, knownShop: !newTenant, evicted };
  });

  const ctx = { insalesId: params.insalesId, host: params.shop, sourceAddress };
  if (!result.ok) log.warn({ ...ctx, reason: result.reason }, "install: call refused, nothing changed");
  else if (result.outcome === "pending") {
    if (result.evicted) log.warn({ ...ctx, evictedCandidateId: result.evicted }, "install: an unproven candidate gave its place to a newer call");
    log.info({ ...ctx, candidateId: result.candidateId, knownShop: result.knownShop }, "install: call stored, waiting for its proof");
  } else log.info({ ...ctx, outcome: result.outcome }, "install: repeated call, nothing to do");
  return result;
}

/** Refusal when this call would add one more unknown insales_id than the hour allows. Ids already seen
 * in the window do not count again (InSales retrying a new shop's install is not refused). */
async function newShopCapReached(tx: Tx, insalesId: string, now: Date): Promise<AdmitResult | null> {
  const since = new Date(now.getTime() - NEW_SHOP_WINDOW_SECONDS * 1000);
  if (await newTenantSeenSince(tx, insalesId, since)) return null;
  // One counter for all instances: admissions of new ids take turns here.
  await lockNewShopAdmissions(tx);
  if ((await newTenantsSince(tx, since)) < env().INSTALL_NEW_SHOPS_PER_HOUR) return null;
  return { ok: false, reason: "too_many_new_shops", retryAfterSeconds: 600 };
}

/**
 * Ends a candidate: a known shop's is deleted (the log keeps the story), an unknown id's is kept as
 * DISCARDED for KEEP_SECONDS so the hourly new-shop cap still counts it.
 */
export async function discardInTx(tx: Tx, candidate: { id: string; newTenant: boolean }, reason: string, now: Date): Promise<void> {
  if (candidate.newTenant) await markCandidateDiscarded(tx, candidate.id, reason, now);
  else await deleteCandidate(tx, candidate.id);
}

/** Whether an install of this shop is waiting for its proof (the login page says so instead of «not installed»). */
export async function hasPendingInstall(insalesId: string, host?: string): Promise<boolean> {
  return hasPendingCandidate(insalesId, host);
}

/**
 * Uninstall's `token` is the password InSales holds (§1 Uninstall). Besides the stored password, the
 * password of a pending candidate counts too: InSales computed it, and nobody else can, since it needs
 * INSALES_APP_SECRET. (A merchant may reinstall and uninstall before the reinstall was proven.)
 */
export async function pendingCandidateWithPassword(tx: Tx, insalesId: string, token: string): Promise<{ id: string } | null> {
  const rows = await pendingCandidatePasswords(tx, insalesId);
  for (const row of rows) {
    if (hexEquals(token, decryptSecret(row.apiPasswordEnc))) return { id: row.id };
  }
  return null;
}

/** Ends every candidate of this shop that arrived before `before`: they are older than what InSales now holds. */
export async function supersedeCandidates(tx: Tx, insalesId: string, before: Date): Promise<number> {
  return deleteCandidatesUpTo(tx, insalesId, before);
}
