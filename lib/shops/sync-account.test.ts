import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "../db";
import { resetEnvCache } from "../env";
import { stopBoss } from "../jobs/queue";
import { useTestDatabase } from "../testing/use-test-database";
import { installShop } from "./install-shop";
import { uninstallShop } from "./uninstall-shop";
import { syncShopAccount } from "./sync-account";

useTestDatabase();

const PASSWORD = "4c3f4c197336eb97475506e71c839c71"; // MD5("token123" + "mysecret"), spec/test-vectors.md
let server: Server;
let reply: (req: IncomingMessage, res: ServerResponse) => void;
let calls: IncomingMessage[] = [];
let shopId = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    calls.push(req);
    reply(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.INSALES_SHOP_URL_TEMPLATE = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shops/{shop}`;
  resetEnvCache();
  shopId = (await installShop({ shop: "myshop.myinsales.ru", insalesId: "100", token: "token123" })).shopId;
});

afterAll(async () => {
  await stopBoss();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  calls = [];
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

describe("syncShopAccount", () => {
  it("reads /admin/account.json with the shop's credentials and stores title and owner e-mail", async () => {
    reply = json(200, { id: 100, subdomain: "myshop", main_host: "myshop.ru", title: "Мой магазин", email: "owner@myshop.ru", phone: "" });
    expect(await syncShopAccount(shopId)).toEqual({ ok: true, title: "Мой магазин", ownerEmail: "owner@myshop.ru" });
    expect(calls[0].url).toBe("/shops/myshop.myinsales.ru/admin/account.json");
    expect(calls[0].headers.authorization).toBe(`Basic ${Buffer.from(`intellectmoney_test:${PASSWORD}`).toString("base64")}`);
    expect(await db().shop.findUniqueOrThrow({ where: { id: shopId } })).toMatchObject({ title: "Мой магазин", ownerEmail: "owner@myshop.ru" });
  });

  it("refuses an account that is not this shop's and stores nothing", async () => {
    reply = json(200, { id: 555, title: "Чужой", email: "x@evil.ru" });
    expect(await syncShopAccount(shopId)).toMatchObject({ ok: false, reason: "account_mismatch", retryable: false });
    expect(await db().shop.findUniqueOrThrow({ where: { id: shopId } })).toMatchObject({ title: "Мой магазин" });
  });

  it("reports 401 as retryable (the API may not be unlocked yet) and a long rate limit with its wait", async () => {
    reply = json(401, { errors: ["Unauthorized"] });
    expect(await syncShopAccount(shopId)).toMatchObject({ ok: false, reason: "unauthorized", retryable: true });
    reply = json(429, {}, { "retry-after": "300" });
    expect(await syncShopAccount(shopId)).toMatchObject({ ok: false, reason: "rate_limited", retryable: true, retryAfterSeconds: 300 });
  });

  it("does not call InSales for an uninstalled or unknown shop", async () => {
    await uninstallShop({ shop: "myshop.myinsales.ru", insalesId: "100", token: PASSWORD });
    expect(await syncShopAccount(shopId)).toMatchObject({ ok: false, reason: "shop_inactive" });
    expect(await syncShopAccount("00000000-0000-0000-0000-000000000000")).toMatchObject({ ok: false, reason: "unknown_shop" });
    expect(calls).toHaveLength(0);
  });
});
