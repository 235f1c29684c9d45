// Reads the shop's account (GET /admin/account.json, spec/insales-protocol.md §3) and stores its title
// and owner e-mail. Runs as a job after install (lib/shops/sync-account-job.ts): the API is locked for
// the shop until InSales has our install 200 (§1 Install).
import { z } from "zod";
import { db } from "../db";
import { decryptSecret } from "../crypto";
import { log } from "../log";
import { insalesApi, type InsalesApiOptions, type InsalesApiReason } from "../insales/api-client";

export type SyncAccountResult =
  | { ok: true; title: string | null; ownerEmail: string | null }
  | { ok: false; reason: "unknown_shop" | "shop_inactive" | "account_mismatch" | "bad_answer" | InsalesApiReason; retryable: boolean; retryAfterSeconds?: number };

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

/** Worth trying again later (the job's back-off): the shop or InSales may be busy or briefly down. */
const RETRYABLE: ReadonlySet<string> = new Set(["rate_limited", "timeout", "server_error", "network", "unauthorized"]);

export async function syncShopAccount(shopId: string, options?: InsalesApiOptions): Promise<SyncAccountResult> {
  const shop = await db().shop.findUnique({ where: { id: shopId }, select: { id: true, insalesId: true, host: true, status: true, apiPasswordEnc: true } });
  if (!shop) return { ok: false, reason: "unknown_shop", retryable: false };
  if (shop.status !== "ACTIVE" || !shop.apiPasswordEnc) return { ok: false, reason: "shop_inactive", retryable: false };

  const answer = await insalesApi({ host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) }, options).get("/admin/account.json");
  if (!answer.ok) {
    // 401 right after install can mean InSales has not yet unlocked the API for us (§1 Install).
    log.warn({ shopId, status: answer.status, reason: answer.reason }, "sync-account: InSales refused");
    return { ok: false, reason: answer.reason, retryable: RETRYABLE.has(answer.reason), retryAfterSeconds: answer.retryAfterSeconds };
  }
  const parsed = accountAnswer.safeParse(answer.data);
  if (!parsed.success) {
    log.warn({ shopId }, "sync-account: unexpected account answer");
    return { ok: false, reason: "bad_answer", retryable: false };
  }
  const account = parsed.data;
  // The password belongs to this shop, so the account must be this shop's; anything else is a bug or a
  // misrouted host, and must not rename the shop.
  if (account.id !== shop.insalesId) {
    log.error({ shopId, insalesId: shop.insalesId }, "sync-account: account id differs from the shop's insales_id");
    return { ok: false, reason: "account_mismatch", retryable: false };
  }
  const email = account.owner_email ?? account.email;
  const ownerEmail = email && EMAIL.test(email) ? email : null;
  // Only while still installed: an uninstall may have happened while we waited for InSales.
  const updated = await db().shop.updateMany({ where: { id: shopId, status: "ACTIVE" }, data: { title: account.title, ownerEmail } });
  if (updated.count === 0) return { ok: false, reason: "shop_inactive", retryable: false };
  log.info({ shopId }, "sync-account: account stored");
  return { ok: true, title: account.title, ownerEmail };
}
