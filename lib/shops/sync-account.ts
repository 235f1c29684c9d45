// The proof of an install call, and the account sync that comes with it (docs/protocols/insales.md §1
// Install, §3). GET /admin/account.json on the candidate's host, Basic auth with login = INSALES_APP_ID
// and password = the candidate's MD5(token + secret) (vendor: InSales «Как интегрироваться с InSales»,
// «Процедура установки» and «Авторизация»; account is a singleton resource, /admin/account.json in the
// insales_api gem). Only InSales can answer with the shop's account, and only to the password InSales
// itself derived from the token it sent; the account's `id` must equal the call's insales_id. Then the
// candidate becomes the shop's credentials (host, password), its title and owner e-mail are stored, and
// every older merchant session ends (the session generation is bumped).
//
// Runs as a job (lib/shops/sync-account-job.ts) after our 200 has unlocked the API.
import { z } from "zod";
import { inTransaction } from "../db";
import { decryptSecret } from "../crypto";
import { log } from "../log";
import { insalesApi, type InsalesApiOptions, type InsalesApiReason } from "../insales/api-client";
import { discardInTx, PROOF_WINDOW_SECONDS, supersedeCandidates, UNLOCK_GRACE_SECONDS } from "./install-candidates";
import { candidateState, createShop, findShopForProof, loadCandidate, lockInsalesId, recordProbeFailure, switchShopCredentials } from "./install-store";
import { enqueueInstallProof } from "./install-proof-queue";

export type ProveResult =
  | { ok: true; shopId: string; reinstall: boolean; title: string | null; ownerEmail: string | null }
  | { ok: false; reason: "gone" | "superseded" | "account_mismatch" | "bad_answer" | InsalesApiReason; retryable: false }
  /** Not proven yet, may still be: the next probe is queued in `retryInSeconds`. */
  | { ok: false; reason: InsalesApiReason; retryable: true; retryInSeconds: number };

const idSchema = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const text = (max: number) =>
  z
    .string()
    .nullish()
    .transform((v) => (v ? v.trim().slice(0, max) : null));

const accountAnswer = z
  .object({
    id: idSchema,
    title: text(255),
    // The owner's address: `email` in the answers we have seen; `owner_email` tolerated.
    email: text(254),
    owner_email: text(254),
  })
  .loose();

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Failures that may pass: the API still locked right after install (401), InSales busy or away. Anything
 * else (404, a redirect, 403, an answer that is not InSales's account) will not change by waiting. */
const MAY_PASS: ReadonlySet<InsalesApiReason> = new Set(["unauthorized", "rate_limited", "timeout", "server_error", "network"]);

/** One request per probe, answered quickly: the job's own schedule does the waiting. */
const PROBE_OPTIONS: InsalesApiOptions = { maxAttempts: 1, timeoutMs: 10_000 };

/** Waits between probes: 2, 4, 8, … seconds, at most 90; about nine probes fit in the proof window. */
export function nextProbeDelaySeconds(attempts: number): number {
  return Math.min(90, 2 ** Math.max(1, attempts));
}

export type ProveOptions = {
  api?: InsalesApiOptions;
  now?: () => Date;
  /** Tests that drive the probes by hand turn the queued follow-up off. */
  scheduleNext?: boolean;
};

export async function proveInstallCandidate(candidateId: string, options: ProveOptions = {}): Promise<ProveResult> {
  const now = options.now ?? (() => new Date());
  const candidate = await loadCandidate(candidateId);
  if (!candidate || candidate.state !== "PENDING") return { ok: false, reason: "gone", retryable: false };
  const ctx = { candidateId, insalesId: candidate.insalesId, host: candidate.host };

  const startedAt = now();
  const answer = await insalesApi({ host: candidate.host, apiPassword: decryptSecret(candidate.apiPasswordEnc) }, { ...PROBE_OPTIONS, ...options.api }).get("/admin/account.json");

  if (!answer.ok) {
    const ageSeconds = (startedAt.getTime() - candidate.createdAt.getTime()) / 1000;
    if (MAY_PASS.has(answer.reason) && ageSeconds < PROOF_WINDOW_SECONDS) {
      const attempts = candidate.attempts + 1;
      const retryInSeconds = Math.max(nextProbeDelaySeconds(attempts), answer.retryAfterSeconds ?? 0);
      await inTransaction(async (tx) => {
        const stillPending = await recordProbeFailure(tx, candidateId, { attempts, at: startedAt, reason: answer.reason, failedAfterUnlock: ageSeconds >= UNLOCK_GRACE_SECONDS });
        // The next probe commits with the attempt (an evicted or superseded candidate gets none).
        if (stillPending && options.scheduleNext !== false) await enqueueInstallProof(candidateId, { tx, startAfterSeconds: retryInSeconds });
      });
      log.info({ ...ctx, status: answer.status, reason: answer.reason, attempts, retryInSeconds }, "install: not proven yet, will probe again");
      return { ok: false, reason: answer.reason, retryable: true, retryInSeconds };
    }
    await discard(candidateId, answer.reason, startedAt);
    log.warn({ ...ctx, status: answer.status, reason: answer.reason, ageSeconds: Math.round(ageSeconds) }, "install: candidate not proven, discarded; the shop keeps its credentials");
    return { ok: false, reason: answer.reason, retryable: false };
  }

  const parsed = accountAnswer.safeParse(answer.data);
  if (!parsed.success) {
    await discard(candidateId, "bad_answer", startedAt);
    log.warn(ctx, "install: the host did not answer with an InSales account, candidate discarded");
    return { ok: false, reason: "bad_answer", retryable: false };
  }
  const account = parsed.data;
  if (account.id !== candidate.insalesId) {
    // Someone's real token (their own shop's) sent under another shop's insales_id.
    await discard(candidateId, "account_mismatch", startedAt);
    log.warn({ ...ctx, answeredId: account.id }, "install: the account belongs to another shop, candidate discarded (takeover attempt?)");
    return { ok: false, reason: "account_mismatch", retryable: false };
  }
  const email = account.owner_email ?? account.email;
  return adopt(candidateId, { title: account.title, ownerEmail: email && EMAIL.test(email) ? email : null });
}

async function discard(candidateId: string, reason: string, at: Date): Promise<void> {
  await inTransaction(async (tx) => {
    const row = await candidateState(tx, candidateId);
    if (row?.state === "PENDING") await discardInTx(tx, row, reason, at);
  });
}

/** The proven candidate becomes the shop's credentials. */
async function adopt(candidateId: string, account: { title: string | null; ownerEmail: string | null }): Promise<ProveResult> {
  const insalesId = (await loadCandidate(candidateId))?.insalesId;
  if (!insalesId) return { ok: false, reason: "gone", retryable: false };

  const outcome = await inTransaction(async (tx) => {
    await lockInsalesId(tx, insalesId);
    const candidate = await loadCandidate(candidateId, tx);
    if (!candidate || candidate.state !== "PENDING") return { kind: "gone" as const };
    const shop = await findShopForProof(tx, insalesId);
    // Proofs may finish out of order: a newer proven install, or an uninstall, that arrived after this
    // call already holds what InSales holds now.
    const newest = Math.max(shop?.installedAt.getTime() ?? 0, shop?.uninstalledAt?.getTime() ?? 0);
    if (shop && candidate.createdAt.getTime() <= newest) {
      await discardInTx(tx, candidate, "superseded", new Date());
      return { kind: "superseded" as const };
    }
    const credentials = { host: candidate.host, apiPasswordEnc: candidate.apiPasswordEnc, installedAt: candidate.createdAt, ...account };
    let shopId: string;
    if (shop) {
      // Older sessions end, and «Войти» round trips started under the old password cannot finish under the new one.
      await switchShopCredentials(tx, shop.id, credentials);
      shopId = shop.id;
    } else {
      shopId = await createShop(tx, insalesId, credentials);
    }
    // Older calls are superseded by this one; newer ones stay pending (a later reinstall proves on its own).
    await supersedeCandidates(tx, insalesId, candidate.createdAt);
    return { kind: "adopted" as const, shopId, reinstall: Boolean(shop), oldHost: shop?.host ?? null, previousStatus: shop?.status ?? null, host: candidate.host };
  });

  if (outcome.kind === "gone") return { ok: false, reason: "gone", retryable: false };
  if (outcome.kind === "superseded") {
    log.info({ candidateId, insalesId }, "install: proven, but a newer install or an uninstall came after it; discarded");
    return { ok: false, reason: "superseded", retryable: false };
  }
  if (outcome.oldHost && outcome.oldHost !== outcome.host) {
    log.warn({ shopId: outcome.shopId, insalesId, oldHost: outcome.oldHost, host: outcome.host }, "install: shop host changed (proven)");
  }
  log.info(
    { shopId: outcome.shopId, insalesId, host: outcome.host, reinstall: outcome.reinstall, previousStatus: outcome.previousStatus },
    outcome.reinstall ? "install: reinstall proven, credentials switched, older sessions ended" : "install: shop installed (proven)",
  );
  return { ok: true, shopId: outcome.shopId, reinstall: outcome.reinstall, ...account };
}
