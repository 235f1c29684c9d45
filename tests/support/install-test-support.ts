// Test support for the install proof (docs/protocols/insales.md §1 Install): the InSales stand-in wired to
// our route handlers in-process (its install and uninstall calls reach app/api/insales/*), the «Войти»
// round trip through the routes and the stand-in's back office, and helpers to drive proofs by hand.
import { decode } from "next-auth/jwt";
import { GET as autologinRoute } from "../../app/api/insales/autologin/route";
import { GET as installRoute } from "../../app/api/insales/install/route";
import { GET as loginRoute } from "../../app/api/insales/login/route";
import { GET as uninstallRoute } from "../../app/api/insales/uninstall/route";
import { installPaymentsApi, type PaymentsApi } from "../../e2e/stand-ins/insales-payments-api";
import { InsalesStandIn } from "../../e2e/stand-ins/insales-stand-in";
import type { ShopSessionClaims } from "../../lib/auth/options";
import { encryptSecret } from "../../lib/crypto";
import { db } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import { readCookie } from "../../lib/http/cookies";
import { TEST_ENV } from "./test-env";
import { appApiPassword } from "../../lib/shops/install-candidates";
import { proveInstallCandidate, type ProveResult } from "../../lib/shops/sync-account";

export type LifecycleStandIn = { insales: InsalesStandIn; api: PaymentsApi; close: () => Promise<void> };

/** The stand-in, its lifecycle calls answered by our route handlers; INSALES_SHOP_URL_TEMPLATE points at it. */
export async function startLifecycleStandIn(): Promise<LifecycleStandIn> {
  const insales = await new InsalesStandIn({
    appUrl: TEST_ENV.APP_URL,
    appId: TEST_ENV.INSALES_APP_ID,
    appSecret: TEST_ENV.INSALES_APP_SECRET,
    callApp: (url) => (url.pathname === "/api/insales/uninstall" ? uninstallRoute : installRoute)(new Request(url)),
  }).start();
  const api = installPaymentsApi(insales);
  process.env.INSALES_SHOP_URL_TEMPLATE = insales.shopUrlTemplate;
  resetEnvCache();
  return { insales, api, close: () => insales.close() };
}

/** An anonymous install call, as anyone on the Internet can send it. */
export function sendInstall(query: { shop: string; token: string; insales_id: string }, address = "203.0.113.9"): Promise<Response> {
  return installRoute(new Request(`${TEST_ENV.APP_URL}/api/insales/install?${new URLSearchParams(query)}`, { headers: { "x-forwarded-for": address } }));
}

/** One probe of every pending candidate (of one shop, or all), in arrival order, the next probe not queued. */
export async function probePending(options: { insalesId?: string; now?: Date } = {}): Promise<ProveResult[]> {
  const pending = await db().installCandidate.findMany({
    where: { state: "PENDING", ...(options.insalesId ? { insalesId: options.insalesId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  const results: ProveResult[] = [];
  for (const c of pending) {
    results.push(await proveInstallCandidate(c.id, { scheduleNext: false, ...(options.now ? { now: () => options.now! } : {}) }));
  }
  return results;
}

/** The shop's credentials as stored. */
export async function storedShop(insalesId: string) {
  return db().shop.findUnique({ where: { insalesId }, include: { settings: true, gateway: true } });
}

export type RoundTrip = { status: number; location: string | null; claims: ShopSessionClaims | null; body: string };

/**
 * «Войти» as the merchant's browser does it: our login route → the stand-in's back office (which signs
 * with the password InSales holds) → our autologin route. `claims` are those of the session cookie set.
 */
export async function loginRoundTrip(shop: { host: string; insalesId: string }): Promise<RoundTrip> {
  const start = await loginRoute(new Request(`${TEST_ENV.APP_URL}/api/insales/login?${new URLSearchParams({ shop: shop.host, insales_id: shop.insalesId, user_id: "1" })}`));
  if (start.status !== 303) return { status: start.status, location: null, claims: null, body: await start.text() };
  const loginCookie = (start.headers.get("set-cookie") ?? "").split(";")[0];
  const back = await fetch(start.headers.get("location")!, { redirect: "manual" });
  if (back.status !== 302) return { status: back.status, location: null, claims: null, body: await back.text() };
  const done = await autologinRoute(new Request(back.headers.get("location")!, { headers: { cookie: loginCookie } }));
  const setCookies = done.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const session = readCookie(setCookies, "__Secure-next-auth.session-token");
  const claims = session ? ((await decode({ token: session, secret: TEST_ENV.AUTH_SECRET })) as unknown as ShopSessionClaims) : null;
  return { status: done.status, location: done.headers.get("location"), claims, body: done.status === 303 ? "" : await done.text() };
}

/**
 * A shop exactly as a proven install leaves it (password MD5(token + secret), settings), written directly:
 * for tests about something else than install itself.
 */
export async function seedInstalledShop(p: { shop: string; insalesId: string; token: string }): Promise<{ id: string }> {
  return db().shop.create({
    data: { insalesId: p.insalesId, host: p.shop, apiPasswordEnc: encryptSecret(appApiPassword(p.token, TEST_ENV.INSALES_APP_SECRET)), settings: { create: {} } },
    select: { id: true },
  });
}
