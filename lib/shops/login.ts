// «Войти» (spec/insales-protocol.md §1 «Войти» login; spec/product.md flow 2).
// 1. startLogin: InSales opens our login URL with unsigned parameters — used only to find the shop. We
//    store a one-time nonce bound to this browser (cookie = the nonce row's random id) and send the
//    merchant to the shop's back office, which proves they are logged in there.
// 2. finishLogin: InSales sends them back with token = MD5(nonce + password) (and token3/token2 over the
//    user fields). The nonce is consumed atomically first (single use even under concurrency), then every
//    token present must match; user fields are trusted only when token3 or token2 covered them.
import { db } from "../db";
import { env } from "../env";
import { decryptSecret, hexEquals, md5Hex, randomToken } from "../crypto";
import { log } from "../log";
import type { ShopSessionClaims } from "../auth/options";
import type { CookieOptions } from "../http/cookies";
import { shopBaseUrl } from "../insales/shop-host";
import type { AutologinParams, LoginParams } from "../insales/lifecycle-params";
import { hasPendingInstall } from "./install-candidates";

export const LOGIN_NONCE_TTL_SECONDS = 600;
export const LOGIN_COOKIE_PATH = "/api/insales";

const COOKIE_VALUE = /^[0-9a-f]{64}$/;

function secure(): boolean {
  return env().APP_URL.startsWith("https://");
}

/** The cookie that ties the return trip to the browser that started it. */
export function loginCookieName(): string {
  return secure() ? "__Secure-im-insales-login" : "im-insales-login";
}

export function loginCookieOptions(maxAge = LOGIN_NONCE_TTL_SECONDS): CookieOptions {
  return { httpOnly: true, secure: secure(), sameSite: "lax", path: LOGIN_COOKIE_PATH, maxAge };
}

export type StartLoginFailure = "unknown_shop" | "shop_inactive" | "host_mismatch" | "install_pending";

export type StartLoginResult =
  | { ok: true; redirectUrl: string; cookie: { name: string; value: string; options: CookieOptions } }
  | { ok: false; reason: StartLoginFailure };

export async function startLogin(params: LoginParams): Promise<StartLoginResult> {
  const shop = await db().shop.findUnique({ where: { insalesId: params.insalesId }, select: { id: true, host: true, status: true } });
  // The parameters are unsigned: a host other than the one a proven install gave us is refused, never
  // stored, and the redirect always goes to the stored host.
  const refusal: StartLoginFailure | null = !shop ? "unknown_shop" : shop.status !== "ACTIVE" ? "shop_inactive" : shop.host !== params.shop ? "host_mismatch" : null;
  if (refusal || !shop) {
    // Right after «Установить» the install is still being proven (docs/protocols/insales.md §1 Install):
    // say so rather than «not installed». Nothing is granted: the merchant comes back in a moment.
    if (await hasPendingInstall(params.insalesId, params.shop)) return { ok: false, reason: "install_pending" };
    return { ok: false, reason: refusal ?? "unknown_shop" };
  }

  const id = randomToken(32);
  const nonce = randomToken(16);
  const client = db();
  await client.loginNonce.create({
    data: { id, nonce, shopId: shop.id, expiresAt: new Date(Date.now() + LOGIN_NONCE_TTL_SECONDS * 1000) },
  });
  // Housekeeping: login URLs can be opened by anyone, so do not let dead nonces pile up.
  await client.loginNonce.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 3600_000) } } });

  const e = env();
  const target = new URL(`${shopBaseUrl(shop.host)}/admin/applications/${encodeURIComponent(e.INSALES_APP_ID)}/login`);
  target.searchParams.set("token", nonce);
  target.searchParams.set("login", `${e.APP_URL}/api/insales/autologin`);
  log.info({ shopId: shop.id, insalesId: params.insalesId }, "login: round trip started");
  return { ok: true, redirectUrl: target.toString(), cookie: { name: loginCookieName(), value: id, options: loginCookieOptions() } };
}

export type FinishLoginFailure =
  | "no_nonce"
  | "nonce_used"
  | "nonce_expired"
  | "shop_inactive"
  | "bad_token"
  | "bad_token3"
  | "bad_token2";

export type FinishLoginResult = { ok: true; claims: ShopSessionClaims } | { ok: false; reason: FinishLoginFailure };

/** token3 = MD5(nonce + user_email + user_name + user_id + email_confirmed + password) — §1 step 3. */
export function loginToken3(nonce: string, u: Pick<AutologinParams, "userEmail" | "userName" | "userId" | "emailConfirmed">, password: string): string {
  return md5Hex(nonce + (u.userEmail ?? "") + (u.userName ?? "") + (u.userId ?? "") + (u.emailConfirmed ?? "") + password);
}

/** token2 = MD5(nonce + user_email + user_name + user_id + password) — §1 step 3 (one source). */
export function loginToken2(nonce: string, u: Pick<AutologinParams, "userEmail" | "userName" | "userId">, password: string): string {
  return md5Hex(nonce + (u.userEmail ?? "") + (u.userName ?? "") + (u.userId ?? "") + password);
}

/** token = MD5(nonce + password) — §1 step 3. */
export function loginToken(nonce: string, password: string): string {
  return md5Hex(nonce + password);
}

async function consumeNonce(id: string): Promise<{ ok: true; nonce: string; shopId: string } | { ok: false; reason: "no_nonce" | "nonce_used" | "nonce_expired" }> {
  // One UPDATE decides: of two concurrent returns with the same cookie only one gets the row back.
  // Columns are timestamp without time zone holding UTC (Prisma's convention), hence AT TIME ZONE.
  const rows = await db().$queryRaw<Array<{ nonce: string; shopId: string }>>`
    UPDATE "LoginNonce" SET "usedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "id" = ${id} AND "usedAt" IS NULL AND "expiresAt" > (now() AT TIME ZONE 'UTC')
    RETURNING "nonce", "shopId"::text AS "shopId"`;
  if (rows[0]) return { ok: true, ...rows[0] };
  const row = await db().loginNonce.findUnique({ where: { id }, select: { usedAt: true } });
  if (!row) return { ok: false, reason: "no_nonce" };
  return { ok: false, reason: row.usedAt ? "nonce_used" : "nonce_expired" };
}

export async function finishLogin(cookieValue: string | undefined, params: AutologinParams): Promise<FinishLoginResult> {
  if (!cookieValue || !COOKIE_VALUE.test(cookieValue)) return { ok: false, reason: "no_nonce" };
  const consumed = await consumeNonce(cookieValue);
  if (!consumed.ok) {
    log.warn({ reason: consumed.reason }, "login: refused");
    return consumed;
  }
  const shop = await db().shop.findUnique({
    where: { id: consumed.shopId },
    select: { id: true, insalesId: true, host: true, status: true, apiPasswordEnc: true, sessionGeneration: true },
  });
  const refuse = (reason: FinishLoginFailure): FinishLoginResult => {
    log.warn({ shopId: consumed.shopId, reason }, "login: refused");
    return { ok: false, reason };
  };
  if (!shop || shop.status !== "ACTIVE" || !shop.apiPasswordEnc) return refuse("shop_inactive");
  const password = decryptSecret(shop.apiPasswordEnc);
  const { nonce } = consumed;

  if (!hexEquals(params.token, loginToken(nonce, password))) return refuse("bad_token");
  if (params.token3 !== undefined && !hexEquals(params.token3, loginToken3(nonce, params, password))) return refuse("bad_token3");
  if (params.token2 !== undefined && !hexEquals(params.token2, loginToken2(nonce, params, password))) return refuse("bad_token2");

  const claims: ShopSessionClaims = { shopId: shop.id, insalesId: shop.insalesId, host: shop.host, sessionGeneration: shop.sessionGeneration };
  // [decision] §1 step 4: user fields only when a token that covers them matched.
  if (params.token3 !== undefined || params.token2 !== undefined) {
    if (params.userName) claims.userName = params.userName;
    if (params.userEmail) claims.userEmail = params.userEmail;
    if (params.userId) claims.userId = params.userId;
  }
  log.info({ shopId: shop.id, userVerified: claims.userId !== undefined }, "login: merchant signed in");
  return { ok: true, claims };
}
