// Every bad call to the four lifecycle routes gets a 4xx with a short reason (JSON for InSales, a Russian
// page for people), never a 500, and leaves the database exactly as it was (docs/PRODUCT.md
// «Non-negotiables»).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as installGet, POST as installPost } from "@/app/api/insales/install/route";
import { GET as uninstallGet, POST as uninstallPost } from "@/app/api/insales/uninstall/route";
import { GET as loginGet } from "@/app/api/insales/login/route";
import { GET as autologinGet } from "@/app/api/insales/autologin/route";
import { db } from "@/lib/db";
import { stopBoss } from "@/lib/jobs/queue";
import { seedInstalledShop } from "@/tests/support/install-test-support";
import { startLogin } from "@/lib/shops/login";
import { useTestDatabase } from "@/tests/support/use-test-database";

useTestDatabase();
afterAll(() => stopBoss());

const APP = "https://app.test.local";
const HOST = "myshop.myinsales.ru";
const MD5 = "d339ec1c3e85f923e1f8adc538fe28fd";
let loginCookie = "";

beforeAll(async () => {
  await seedInstalledShop({ shop: HOST, token: "token123", insalesId: "100" });
  const started = await startLogin({ shop: HOST, insalesId: "100" });
  if (!started.ok) throw new Error(started.reason);
  loginCookie = started.cookie.value;
});

async function snapshot() {
  const [shops, settings, gateways, nonces, payments] = await Promise.all([
    db().shop.findMany({ orderBy: { id: "asc" } }),
    db().shopSettings.findMany({ orderBy: { shopId: "asc" } }),
    db().shopGateway.findMany({ orderBy: { shopId: "asc" } }),
    db().loginNonce.findMany({ orderBy: { id: "asc" } }),
    db().payment.count(),
  ]);
  return { shops, settings, gateways, nonces, payments };
}

const get = (path: string, query: string, headers: Record<string, string> = {}) => new Request(`${APP}${path}?${query}`, { headers });
const form = (path: string, query: string, body: string, type = "application/x-www-form-urlencoded") =>
  new Request(`${APP}${path}?${query}`, { method: "POST", body, headers: { "content-type": type } });

type Case = [name: string, handler: (r: Request) => Promise<Response>, request: () => Request, status: number, reason: string];

const ok = `shop=${HOST}&token=token123&insales_id=100`;
const long = "a".repeat(129);

function machineCases(path: string, GET: Case[1], POST: Case[1]): Case[] {
  return [
    ["no parameters", GET, () => get(path, ""), 400, "missing_shop"],
    ["empty shop", GET, () => get(path, "shop=&token=t&insales_id=100"), 400, "missing_shop"],
    ["empty token", GET, () => get(path, `shop=${HOST}&token=&insales_id=100`), 400, "missing_token"],
    ["no insales_id", GET, () => get(path, `shop=${HOST}&token=t`), 400, "missing_insales_id"],
    ["a non-myinsales host", GET, () => get(path, "shop=evil.com&token=t&insales_id=100"), 400, "bad_shop"],
    ["a look-alike host", GET, () => get(path, `shop=${HOST}.evil.com&token=t&insales_id=100`), 400, "bad_shop"],
    ["a host with a port", GET, () => get(path, `shop=${HOST}:8443&token=t&insales_id=100`), 400, "bad_shop"],
    ["a host with a scheme", GET, () => get(path, `shop=https://${HOST}&token=t&insales_id=100`), 400, "bad_shop"],
    ["a host with a path", GET, () => get(path, `shop=${HOST}/x&token=t&insales_id=100`), 400, "bad_shop"],
    ["an overlong host", GET, () => get(path, `shop=${"a".repeat(300)}.myinsales.ru&token=t&insales_id=100`), 400, "bad_shop"],
    ["an overlong token", GET, () => get(path, `shop=${HOST}&token=${long}&insales_id=100`), 400, "bad_token"],
    ["a token with spaces", GET, () => get(path, `shop=${HOST}&token=a+b&insales_id=100`), 400, "bad_token"],
    ["a non-numeric insales_id", GET, () => get(path, `shop=${HOST}&token=t&insales_id=abc`), 400, "bad_insales_id"],
    ["a numeric-looking insales_id", GET, () => get(path, `shop=${HOST}&token=t&insales_id=1e5`), 400, "bad_insales_id"],
    ["an overlong insales_id", GET, () => get(path, `shop=${HOST}&token=t&insales_id=${"1".repeat(21)}`), 400, "bad_insales_id"],
    ["insales_id as an array", GET, () => get(path, `shop=${HOST}&token=t&insales_id[]=100`), 400, "missing_insales_id"],
    ["a duplicated shop", GET, () => get(path, `${ok}&shop=other.myinsales.ru`), 400, "duplicate_shop"],
    ["a duplicated token", GET, () => get(path, `${ok}&token=token123`), 400, "duplicate_token"],
    ["a duplicated insales_id", GET, () => get(path, `${ok}&insales_id=101`), 400, "duplicate_insales_id"],
    ["params in the body of a GET", GET, () => form(path, "", ok), 400, "missing_shop"],
    ["params in a JSON body", POST, () => form(path, "", JSON.stringify({ shop: HOST, token: "token123", insales_id: "100" }), "application/json"), 400, "missing_shop"],
    ["query and form disagree", POST, () => form(path, "token=other", ok), 400, "duplicate_token"],
    ["an oversized form body", POST, () => form(path, "", `${ok}&pad=${"x".repeat(20_000)}`), 413, "body_too_large"],
  ];
}

const uninstallCases: Case[] = [
  ...machineCases("/api/insales/uninstall", uninstallGet, uninstallPost),
  ["the install token instead of the password", uninstallGet, () => get("/api/insales/uninstall", ok), 403, "bad_token"],
  ["the password hashed again", uninstallGet, () => get("/api/insales/uninstall", `shop=${HOST}&token=${MD5}&insales_id=100`), 403, "bad_token"],
];

describe("install and uninstall refuse bad calls with a JSON reason", () => {
  it.each([...machineCases("/api/insales/install", installGet, installPost), ...uninstallCases])(
    "%s",
    async (_name, handler, request, status, reason) => {
      const before = await snapshot();
      const r = await handler(request());
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ error: reason });
      expect(await snapshot()).toEqual(before);
    },
  );
});

type PageCase = [name: string, handler: (r: Request) => Promise<Response>, request: () => Request, status: number];

const loginCases: PageCase[] = [
  ["login: no parameters", loginGet, () => get("/api/insales/login", ""), 400],
  ["login: empty shop", loginGet, () => get("/api/insales/login", "shop=&insales_id=100"), 400],
  ["login: no insales_id", loginGet, () => get("/api/insales/login", `shop=${HOST}`), 400],
  ["login: a non-myinsales host", loginGet, () => get("/api/insales/login", "shop=evil.com&insales_id=100"), 400],
  ["login: a host with a port", loginGet, () => get("/api/insales/login", `shop=${HOST}:1&insales_id=100`), 400],
  ["login: another shop's host for this id", loginGet, () => get("/api/insales/login", "shop=attacker.myinsales.ru&insales_id=100"), 400],
  ["login: an unknown shop", loginGet, () => get("/api/insales/login", "shop=nobody.myinsales.ru&insales_id=999"), 404],
  ["login: a non-numeric insales_id", loginGet, () => get("/api/insales/login", `shop=${HOST}&insales_id=x`), 400],
  ["login: an overlong insales_id", loginGet, () => get("/api/insales/login", `shop=${HOST}&insales_id=${"1".repeat(25)}`), 400],
  ["login: a duplicated shop", loginGet, () => get("/api/insales/login", `shop=${HOST}&shop=${HOST}&insales_id=100`), 400],
  ["login: a duplicated insales_id", loginGet, () => get("/api/insales/login", `shop=${HOST}&insales_id=100&insales_id=200`), 400],
  ["login: params in the body of a GET", loginGet, () => form("/api/insales/login", "", `shop=${HOST}&insales_id=100`), 400],
];

const withCookie = (query: string, cookie = `__Secure-im-insales-login=${loginCookie}`) => () => get("/api/insales/autologin", query, { cookie });

const autologinCases: PageCase[] = [
  ["autologin: no parameters", autologinGet, withCookie(""), 400],
  ["autologin: an empty token", autologinGet, withCookie("token="), 400],
  ["autologin: a token that is not MD5", autologinGet, withCookie("token=abc"), 400],
  ["autologin: an overlong token", autologinGet, withCookie(`token=${"a".repeat(200)}`), 400],
  ["autologin: a duplicated token", autologinGet, withCookie(`token=${MD5}&token=${MD5}`), 400],
  ["autologin: an empty token3", autologinGet, withCookie(`token=${MD5}&token3=`), 400],
  ["autologin: an overlong user name", autologinGet, withCookie(`token=${MD5}&user_name=${"a".repeat(300)}`), 400],
  ["autologin: a control character in a user field", autologinGet, withCookie(`token=${MD5}&user_email=a%00b`), 400],
  ["autologin: params in the body of a GET", autologinGet, () => form("/api/insales/autologin", "", `token=${MD5}`), 400],
  ["autologin: no cookie", autologinGet, () => get("/api/insales/autologin", `token=${MD5}`), 400],
  ["autologin: a garbage cookie", autologinGet, withCookie(`token=${MD5}`, "__Secure-im-insales-login=%27%3B--"), 400],
  ["autologin: a cookie we never issued", autologinGet, withCookie(`token=${MD5}`, `__Secure-im-insales-login=${"f".repeat(64)}`), 400],
  ["autologin: the cookie twice", autologinGet, withCookie(`token=${MD5}`, `__Secure-im-insales-login=${"f".repeat(64)}; __Secure-im-insales-login=${loginCookie}`), 400],
];

describe("login and autologin refuse bad calls with a Russian page", () => {
  it.each([...loginCases, ...autologinCases])("%s", async (_name, handler, request, status) => {
    const before = await snapshot();
    const r = await handler(request());
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.headers.get("cache-control")).toBe("no-store");
    const html = await r.text();
    expect(html).toContain('lang="ru"');
    expect(html).toContain("Не удалось войти");
    expect(r.headers.getSetCookie().some((c) => c.includes("session-token"))).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it("none of the bad autologin calls consumed the pending login: it still works", async () => {
    const row = await db().loginNonce.findUniqueOrThrow({ where: { id: loginCookie } });
    expect(row.usedAt).toBeNull();
  });
});
