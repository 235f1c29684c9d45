// «Войти» round trip (docs/protocols/insales.md §1) on a real database, through lib and the routes.
import { decode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as loginRoute } from "@/app/api/insales/login/route";
import { GET as autologinRoute } from "@/app/api/insales/autologin/route";
import { db } from "../db";
import { stopBoss } from "../jobs/queue";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { TEST_ENV } from "../../tests/support/test-env";
import { seedInstalledShop } from "../../tests/support/install-test-support";
import { uninstallShop } from "./uninstall-shop";
import { finishLogin, loginCookieName, startLogin } from "./login";

useTestDatabase();
afterAll(() => stopBoss());

const APP = "https://app.test.local";
// docs/protocols/test-vectors.md «InSales login token / token3» (password = the install vector's).
const V = {
  nonce: "3ad376b668c48c15d4beed467a567ef7",
  password: "4c3f4c197336eb97475506e71c839c71",
  token: "d339ec1c3e85f923e1f8adc538fe28fd",
  token3: "5e3365c049cc78836c8dc940716cab42",
  user: { userEmail: "user@myshop.ru", userName: "igor", userId: "1", emailConfirmed: "true" },
};
const SHOP = { shop: "myshop.myinsales.ru", insalesId: "100" };
const OTHER = { shop: "other.myinsales.ru", insalesId: "200" };

beforeAll(async () => {
  // token123 + secret `mysecret` (TEST_ENV) gives the vector password.
  await seedInstalledShop({ ...SHOP, token: "token123" });
  await seedInstalledShop({ ...OTHER, token: "token123" });
});

/** startLogin, then pin the nonce to the vector's so the vendor tokens apply. */
async function startWithVectorNonce(shop = SHOP): Promise<string> {
  const r = await startLogin(shop);
  if (!r.ok) throw new Error(r.reason);
  await db().loginNonce.update({ where: { id: r.cookie.value }, data: { nonce: V.nonce } });
  return r.cookie.value;
}

describe("startLogin", () => {
  it("stores a nonce for 10 minutes and sends the merchant to the shop's back office", async () => {
    const r = await startLogin(SHOP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const url = new URL(r.redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe("http://127.0.0.1:1/shops/myshop.myinsales.ru/admin/applications/intellectmoney_test/login");
    expect(url.searchParams.get("login")).toBe(`${APP}/api/insales/autologin`);
    const nonce = url.searchParams.get("token")!;
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    const row = await db().loginNonce.findUniqueOrThrow({ where: { id: r.cookie.value } });
    expect(row.nonce).toBe(nonce);
    expect(row.usedAt).toBeNull();
    const ttl = row.expiresAt.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
    // The cookie carries the row id, never the nonce InSales sees.
    expect(r.cookie.value).not.toBe(nonce);
    expect(r.cookie).toMatchObject({ name: "__Secure-im-insales-login", options: { httpOnly: true, secure: true, sameSite: "lax", path: "/api/insales", maxAge: 600 } });
  });

  it("refuses an unknown shop, a host that differs from the installed one, an uninstalled shop", async () => {
    expect(await startLogin({ shop: "x.myinsales.ru", insalesId: "999" })).toEqual({ ok: false, reason: "unknown_shop" });
    expect(await startLogin({ shop: "attacker.myinsales.ru", insalesId: SHOP.insalesId })).toEqual({ ok: false, reason: "host_mismatch" });
    await seedInstalledShop({ shop: "gone.myinsales.ru", insalesId: "300", token: "token123" });
    await uninstallShop({ shop: "gone.myinsales.ru", insalesId: "300", token: V.password });
    expect(await startLogin({ shop: "gone.myinsales.ru", insalesId: "300" })).toEqual({ ok: false, reason: "shop_inactive" });
    expect((await db().shop.findUniqueOrThrow({ where: { insalesId: SHOP.insalesId } })).host).toBe(SHOP.shop);
  });
});

describe("finishLogin", () => {
  it("accepts the vendor vector token + token3 and trusts the user fields", async () => {
    const cookie = await startWithVectorNonce();
    const r = await finishLogin(cookie, { token: V.token, token3: V.token3, ...V.user });
    const shop = await db().shop.findUniqueOrThrow({ where: { insalesId: SHOP.insalesId } });
    expect(r).toEqual({
      ok: true,
      claims: { shopId: shop.id, insalesId: "100", host: "myshop.myinsales.ru", sessionGeneration: 0, userEmail: "user@myshop.ru", userName: "igor", userId: "1" },
    });
    expect((await db().loginNonce.findUniqueOrThrow({ where: { id: cookie } })).usedAt).toBeInstanceOf(Date);
  });

  it("accepts token alone but then trusts no user field", async () => {
    const cookie = await startWithVectorNonce();
    const r = await finishLogin(cookie, { token: V.token, ...V.user });
    expect(r.ok && r.claims).toEqual({ shopId: expect.any(String), insalesId: "100", host: "myshop.myinsales.ru", sessionGeneration: 0 });
  });

  it("refuses a wrong token", async () => {
    const cookie = await startWithVectorNonce();
    expect(await finishLogin(cookie, { token: V.token3, token3: V.token3, ...V.user })).toEqual({ ok: false, reason: "bad_token" });
  });

  it("a right token with a wrong token3, or token3 over altered user fields, signs in without the user fields", async () => {
    // docs/protocols/insales.md §1 «Войти» step 4: the answer is authentic (token), the user fields are not.
    const bare = { shopId: expect.any(String), insalesId: "100", host: "myshop.myinsales.ru", sessionGeneration: 0 };
    for (const params of [
      { token: V.token, token3: V.token, ...V.user },
      { token: V.token, token3: V.token3, ...V.user, userEmail: "attacker@evil.ru" },
      { token: V.token, token3: V.token3, ...V.user, emailConfirmed: "false" },
      { token: V.token, token3: V.token3, token2: V.token3, ...V.user },
    ]) {
      const cookie = await startWithVectorNonce();
      const r = await finishLogin(cookie, params);
      expect(r.ok && r.claims).toEqual(bare);
    }
  });

  it("accepts token3 alone, as in the vendor's «Войти» example, and trusts the user fields", async () => {
    const cookie = await startWithVectorNonce();
    const r = await finishLogin(cookie, { token3: V.token3, ...V.user });
    expect(r.ok && r.claims).toEqual({
      shopId: expect.any(String), insalesId: "100", host: "myshop.myinsales.ru", sessionGeneration: 0,
      userEmail: "user@myshop.ru", userName: "igor", userId: "1",
    });
  });

  it("without token, refuses a wrong token3, token3 over altered fields, and a wrong token2 beside a right token3", async () => {
    for (const [params, reason] of [
      [{ token3: V.token, ...V.user }, "bad_token3"],
      [{ token3: V.token3, ...V.user, userName: "admin" }, "bad_token3"],
      [{ token3: V.token3, ...V.user, emailConfirmed: "TRUE" }, "bad_token3"],
      [{ token3: V.token3, token2: V.token3, ...V.user }, "bad_token2"],
    ] as const) {
      const cookie = await startWithVectorNonce();
      expect(await finishLogin(cookie, params)).toEqual({ ok: false, reason });
    }
  });

  it("refuses a wrong token even when token3 matches (a tampered answer)", async () => {
    const cookie = await startWithVectorNonce();
    expect(await finishLogin(cookie, { token: "0".repeat(32), token3: V.token3, ...V.user })).toEqual({ ok: false, reason: "bad_token" });
  });

  it("refuses a nonce used once already, even with right tokens", async () => {
    const cookie = await startWithVectorNonce();
    expect((await finishLogin(cookie, { token: V.token })).ok).toBe(true);
    expect(await finishLogin(cookie, { token: V.token })).toEqual({ ok: false, reason: "nonce_used" });
  });

  it("burns the nonce on a failed attempt: no second guess", async () => {
    const cookie = await startWithVectorNonce();
    expect((await finishLogin(cookie, { token: "0".repeat(32) })).ok).toBe(false);
    expect(await finishLogin(cookie, { token: V.token })).toEqual({ ok: false, reason: "nonce_used" });
  });

  it("refuses an expired nonce", async () => {
    const cookie = await startWithVectorNonce();
    await db().loginNonce.update({ where: { id: cookie }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await finishLogin(cookie, { token: V.token })).toEqual({ ok: false, reason: "nonce_expired" });
  });

  it("refuses without a cookie or with one we never issued", async () => {
    expect(await finishLogin(undefined, { token: V.token })).toEqual({ ok: false, reason: "no_nonce" });
    expect(await finishLogin("a".repeat(64), { token: V.token })).toEqual({ ok: false, reason: "no_nonce" });
    expect(await finishLogin("'; DROP TABLE \"Shop\"; --", { token: V.token })).toEqual({ ok: false, reason: "no_nonce" });
  });

  it("lets exactly one of many concurrent returns with the same nonce through", async () => {
    const cookie = await startWithVectorNonce();
    const results = await Promise.all(Array.from({ length: 12 }, () => finishLogin(cookie, { token: V.token, token3: V.token3, ...V.user })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(11).fill("nonce_used"));
  });

  it("a pending login dies with an uninstall", async () => {
    await seedInstalledShop({ shop: "brief.myinsales.ru", insalesId: "400", token: "token123" });
    const cookie = await startWithVectorNonce({ shop: "brief.myinsales.ru", insalesId: "400" });
    await uninstallShop({ shop: "brief.myinsales.ru", insalesId: "400", token: V.password });
    expect((await finishLogin(cookie, { token: V.token })).ok).toBe(false);
  });
});

describe("the routes", () => {
  const SESSION = "__Secure-next-auth.session-token";

  function setCookies(r: Response): string[] {
    return r.headers.getSetCookie();
  }

  async function sessionClaims(r: Response) {
    const c = setCookies(r).find((s) => s.startsWith(`${SESSION}=`));
    if (!c) return null;
    return decode({ token: c.slice(SESSION.length + 1).split(";")[0], secret: TEST_ENV.AUTH_SECRET });
  }

  async function loginThroughRoute(shop = SHOP): Promise<{ cookie: string; nonce: string }> {
    const r = await loginRoute(new Request(`${APP}/api/insales/login?${new URLSearchParams({ shop: shop.shop, insales_id: shop.insalesId, user_id: "1" })}`));
    expect(r.status).toBe(303);
    const location = new URL(r.headers.get("location")!);
    const set = setCookies(r);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(/^__Secure-im-insales-login=[0-9a-f]{64}; Max-Age=600; Path=\/api\/insales; HttpOnly; Secure; SameSite=Lax$/);
    const cookie = set[0].split(";")[0].split("=")[1];
    await db().loginNonce.update({ where: { id: cookie }, data: { nonce: V.nonce } });
    return { cookie, nonce: location.searchParams.get("token")! };
  }

  function autologin(cookie: string | null, query: Record<string, string>) {
    const headers: Record<string, string> = cookie ? { cookie: `other=1; ${loginCookieName()}=${cookie}` } : {};
    return autologinRoute(new Request(`${APP}/api/insales/autologin?${new URLSearchParams(query)}`, { headers }));
  }

  const vectorQuery = { token: V.token, token3: V.token3, user_email: V.user.userEmail, user_name: V.user.userName, user_id: V.user.userId, email_confirmed: V.user.emailConfirmed };

  it("a full round trip sets the session, clears the login cookie and goes to /settings", async () => {
    const { cookie } = await loginThroughRoute();
    const r = await autologin(cookie, vectorQuery);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${APP}/settings`);
    expect(setCookies(r)).toContain("__Secure-im-insales-login=; Max-Age=0; Path=/api/insales; HttpOnly; Secure; SameSite=Lax");
    const session = setCookies(r).find((s) => s.startsWith(`${SESSION}=`))!;
    expect(session).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(await sessionClaims(r)).toMatchObject({ insalesId: "100", host: "myshop.myinsales.ru", userEmail: "user@myshop.ru", userName: "igor", userId: "1" });
  });

  it("logging in to another shop gives a session for that shop (same cookie name: it replaces the old one)", async () => {
    const { cookie } = await loginThroughRoute(OTHER);
    const r = await autologin(cookie, vectorQuery);
    expect(r.status).toBe(303);
    expect(await sessionClaims(r)).toMatchObject({ insalesId: "200", host: "other.myinsales.ru" });
  });

  it("the vendor example's shape (token3 only, `email_сonfirmed` with a Cyrillic «с») opens a session with the user fields", async () => {
    const { cookie } = await loginThroughRoute();
    const { token: _token, email_confirmed: _latin, ...rest } = vectorQuery;
    const query = { ...rest, "email_\u0441onfirmed": "true" };
    const r = await autologin(cookie, query);
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe(`${APP}/settings`);
    expect(await sessionClaims(r)).toMatchObject({ insalesId: "100", userEmail: "user@myshop.ru", userName: "igor", userId: "1" });
  });

  it("a right token with altered user fields opens a session that holds no user field", async () => {
    const { cookie } = await loginThroughRoute();
    const r = await autologin(cookie, { ...vectorQuery, user_email: "attacker@evil.ru", user_name: "admin" });
    expect(r.status).toBe(303);
    const claims = await sessionClaims(r);
    expect(claims).toMatchObject({ insalesId: "100" });
    expect(claims).not.toHaveProperty("userEmail");
    expect(claims).not.toHaveProperty("userName");
    expect(claims).not.toHaveProperty("userId");
  });

  it.each([
    ["a wrong token", { ...vectorQuery, token: "0".repeat(32) }, 403],
    ["a wrong token3 without token", { ...vectorQuery, token: undefined, token3: "0".repeat(32) }, 403],
    ["altered user fields without token", { ...vectorQuery, token: undefined, user_name: "admin" }, 403],
    ["neither token nor token3", { ...vectorQuery, token: undefined, token3: undefined }, 400],
    ["the two spellings of email_confirmed disagreeing", { ...vectorQuery, token: undefined, "email_\u0441onfirmed": "false" }, 400],
  ])("refuses %s with a Russian page and no session", async (_n, rawQuery, status) => {
    const query = Object.fromEntries(Object.entries(rawQuery).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const { cookie } = await loginThroughRoute();
    const r = await autologin(cookie, query);
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await r.text()).toContain("Не удалось войти");
    expect(await sessionClaims(r)).toBeNull();
    expect(setCookies(r).some((s) => s.startsWith(SESSION))).toBe(false);
  });

  it("refuses a reused and an expired nonce with a Russian page and no session", async () => {
    const { cookie } = await loginThroughRoute();
    expect((await autologin(cookie, vectorQuery)).status).toBe(303);
    const again = await autologin(cookie, vectorQuery);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("уже использована");
    expect(setCookies(again).some((s) => s.startsWith(SESSION))).toBe(false);

    const second = await loginThroughRoute();
    await db().loginNonce.update({ where: { id: second.cookie }, data: { expiresAt: new Date(Date.now() - 1) } });
    const expired = await autologin(second.cookie, vectorQuery);
    expect(expired.status).toBe(400);
    expect(await expired.text()).toContain("истекло");
    expect(setCookies(expired).some((s) => s.startsWith(SESSION))).toBe(false);
  });

  it("refuses a return without the login cookie (another browser, a forged link)", async () => {
    await loginThroughRoute();
    const r = await autologin(null, vectorQuery);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain("Не удалось войти");
    expect(setCookies(r).some((s) => s.startsWith(SESSION))).toBe(false);
  });

  it("shows a Russian 404 page for a shop that has not installed the app", async () => {
    const r = await loginRoute(new Request(`${APP}/api/insales/login?shop=nobody.myinsales.ru&insales_id=999`));
    expect(r.status).toBe(404);
    expect(await r.text()).toContain("не установлено");
    expect(setCookies(r)).toEqual([]);
  });
});

describe("a deep link through «Войти» (the order-card widget's «Открыть платёж»)", () => {
  const CARD = "/payments/0f8fad5b-d9cb-469f-a165-70867728950e";

  it("keeps a path of ours with the nonce and sends the merchant there after the round trip", async () => {
    const started = await loginRoute(new Request(`${APP}/api/insales/login?shop=${SHOP.shop}&insales_id=${SHOP.insalesId}&user_id=1&return_to=${encodeURIComponent(CARD)}`));
    expect(started.status).toBe(303);
    const cookie = /__Secure-im-insales-login=([0-9a-f]{64})/.exec(started.headers.get("set-cookie") ?? "")![1];
    expect((await db().loginNonce.findUniqueOrThrow({ where: { id: cookie } })).returnTo).toBe(CARD);
    await db().loginNonce.update({ where: { id: cookie }, data: { nonce: V.nonce } });
    const back = await autologinRoute(new Request(`${APP}/api/insales/autologin?token=${V.token}`, { headers: { cookie: `${loginCookieName()}=${cookie}` } }));
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe(`${APP}${CARD}`);
  });

  it("ignores a return_to that is not a path of ours (an open redirect) and goes to the settings", async () => {
    for (const evil of ["https://evil.example/", "//evil.example", "/\\evil.example", "/api/insales/uninstall"]) {
      const started = await loginRoute(new Request(`${APP}/api/insales/login?shop=${SHOP.shop}&insales_id=${SHOP.insalesId}&return_to=${encodeURIComponent(evil)}`));
      expect(started.status, evil).toBe(303);
      const cookie = /__Secure-im-insales-login=([0-9a-f]{64})/.exec(started.headers.get("set-cookie") ?? "")![1];
      expect((await db().loginNonce.findUniqueOrThrow({ where: { id: cookie } })).returnTo).toBeNull();
      await db().loginNonce.update({ where: { id: cookie }, data: { nonce: V.nonce } });
      const back = await autologinRoute(new Request(`${APP}/api/insales/autologin?token=${V.token}`, { headers: { cookie: `${loginCookieName()}=${cookie}` } }));
      expect(back.headers.get("location")).toBe(`${APP}/settings`);
    }
  });
});
