// «Войти» (docs/protocols/insales.md §1 «Войти» login).
// 1. startLogin: InSales opens our login URL with unsigned parameters — used only to find the shop. We
//    store a one-time nonce bound to this browser (cookie = the nonce row's random id) and send the
//    merchant to the shop's back office, which proves they are logged in there.
// 2. finishLogin: InSales sends them back with token = MD5(nonce + password) and/or token3 (token2) over
//    the user fields as well; the vendor's own example carries token3 alone. The nonce is consumed
//    atomically first (single use even under concurrency). Then: a present `token` must match; without
//    one, `token3` must. User fields are trusted only when a token covering them matched (§1 step 4).
//    The hashes are the vendor-vector-tested ones of lib/insales/signatures.ts (docs/protocols/test-vectors.md).
import { env } from "../env";
import { decryptSecret, randomToken } from "../crypto";
import { log } from "../log";
import type { ShopSessionClaims } from "../auth/options";
import type { CookieOptions } from "../http/cookies";
import { safeReturnPath } from "../http/return-path";
import { shopBaseUrl } from "../insales/shop-host";
import { verifyLoginToken, verifyLoginToken2, verifyLoginToken3, type LoginUserFields } from "../insales/signatures";
import type { AutologinParams, LoginParams } from "../insales/lifecycle-params";
import { hasPendingInstall } from "./install-candidates";
import { createLoginNonce, findShopForLogin, findShopForSession, loginNonceUse, spendLoginNonce } from "./login-store";

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

/**
 * `returnTo`: a deep link (the order-card widget's «Открыть платёж»), already checked by
 * lib/http/return-path.ts; kept with the nonce, so only the browser that started this round trip is sent there.
 */
export async function startLogin(params: LoginParams, returnTo: string | null = null): Promise<StartLoginResult> {
  const shop = await findShopForLogin(params.insalesId);
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
  await createLoginNonce({ id, nonce, shopId: shop.id, expiresAt: new Date(Date.now() + LOGIN_NONCE_TTL_SECONDS * 1000), returnTo });

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

/** `returnTo`: where the round trip was started for (a same-origin path of ours); absent: the settings screen. */
export type FinishLoginResult = { ok: true; claims: ShopSessionClaims; returnTo?: string } | { ok: false; reason: FinishLoginFailure };

type TokenVerdict = { ok: true; userVerified: boolean } | { ok: false; reason: "bad_token" | "bad_token3" | "bad_token2" };

/**
 * docs/protocols/insales.md §1 «Войти» step 4:
 * - a present `token` must match (a wrong one is a tampered answer, whatever else matches); then the
 *   merchant is in, and the user fields count only if every present user-field token matched;
 * - no `token`: `token3` must match (the vendor example's shape), and a `token2` beside it too.
 * Absent user fields hash as empty strings; `email_confirmed` goes in exactly as received.
 */
export function checkLoginTokens(nonce: string, password: string, params: AutologinParams): TokenVerdict {
  const fields: LoginUserFields = {
    nonce,
    password,
    userEmail: params.userEmail ?? "",
    userName: params.userName ?? "",
    userId: params.userId ?? "",
  };
  const token3 = params.token3 === undefined ? undefined : verifyLoginToken3({ ...fields, emailConfirmed: params.emailConfirmed ?? "" }, params.token3);
  const token2 = params.token2 === undefined ? undefined : verifyLoginToken2(fields, params.token2);
  if (params.token !== undefined) {
    if (!verifyLoginToken(nonce, password, params.token)) return { ok: false, reason: "bad_token" };
    const userVerified = (token3 !== undefined || token2 !== undefined) && token3 !== false && token2 !== false;
    return { ok: true, userVerified };
  }
  if (token3 !== true) return { ok: false, reason: "bad_token3" };
  if (token2 === false) return { ok: false, reason: "bad_token2" };
  return { ok: true, userVerified: true };
}

async function consumeNonce(id: string): Promise<{ ok: true; nonce: string; shopId: string; returnTo: string | null } | { ok: false; reason: "no_nonce" | "nonce_used" | "nonce_expired" }> {
  const used = await spendLoginNonce(id);
  if (used) return { ok: true, ...used };
  const row = await loginNonceUse(id);
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
  const shop = await findShopForSession(consumed.shopId);
  const refuse = (reason: FinishLoginFailure): FinishLoginResult => {
    log.warn({ shopId: consumed.shopId, reason }, "login: refused");
    return { ok: false, reason };
  };
  if (!shop || shop.status !== "ACTIVE" || !shop.apiPasswordEnc) return refuse("shop_inactive");
  const password = decryptSecret(shop.apiPasswordEnc);
  const { nonce } = consumed;

  const verdict = checkLoginTokens(nonce, password, params);
  if (!verdict.ok) return refuse(verdict.reason);

  const claims: ShopSessionClaims = { shopId: shop.id, insalesId: shop.insalesId, host: shop.host, sessionGeneration: shop.sessionGeneration };
  // [decision] §1 step 4: user fields only when a token that covers them matched; otherwise they are
  // not shown as facts and not used as a default notification address, so they are not kept at all.
  if (verdict.userVerified) {
    if (params.userName) claims.userName = params.userName;
    if (params.userEmail) claims.userEmail = params.userEmail;
    if (params.userId) claims.userId = params.userId;
  } else if (params.token3 !== undefined || params.token2 !== undefined) {
    log.warn({ shopId: shop.id, token3: params.token3 !== undefined, token2: params.token2 !== undefined }, "login: user fields did not verify, signed in without them");
  }
  log.info({ shopId: shop.id, by: params.token !== undefined ? "token" : "token3", userVerified: verdict.userVerified }, "login: merchant signed in");
  // Checked again on the way out: the row is ours, but a path that is not one of ours never leaves here.
  const returnTo = safeReturnPath(consumed.returnTo);
  return returnTo ? { ok: true, claims, returnTo } : { ok: true, claims };
}
