import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { TEST_ENV } from "../../tests/support/test-env";
import { insalesApi, parseRetryAfter } from "./api-client";

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };
type Reply = (res: ServerResponse, seen: Seen) => void;

let server: Server;
let base = "";
let seen: Seen[] = [];
let replies: Reply[] = [];

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (res) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const s = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(s);
      const reply = replies.shift() ?? json(500, { error: "no reply scripted" });
      reply(res, s);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, TEST_ENV, {
    DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused",
    INSALES_SHOP_URL_TEMPLATE: `${base}/shops/{shop}`,
  });
  resetEnvCache();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  resetEnvCache();
});

beforeEach(() => {
  seen = [];
  replies = [];
});

const shop = { host: "myshop.myinsales.ru", apiPassword: "4c3f4c197336eb97475506e71c839c71" };

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("insalesApi", () => {
  it("GETs the shop's admin resource with Basic auth (app id : shop password)", async () => {
    replies.push(json(200, { id: 1, title: "Магазин" }));
    const r = await insalesApi(shop).get("/admin/account.json");
    expect(r).toEqual({ ok: true, status: 200, data: { id: 1, title: "Магазин" }, json: { id: 1, title: "Магазин" } });
    expect(seen[0].method).toBe("GET");
    expect(seen[0].url).toBe("/shops/myshop.myinsales.ru/admin/account.json");
    const expected = Buffer.from(`intellectmoney_test:${shop.apiPassword}`).toString("base64");
    expect(seen[0].headers.authorization).toBe(`Basic ${expected}`);
    expect(seen[0].headers.accept).toBe("application/json");
  });

  it("POSTs and PUTs JSON with the root key the caller gave", async () => {
    replies.push(json(201, { id: 5 }), json(200, { id: 5 }));
    const body = { payment_gateway: { title: "IntellectMoney" } };
    expect(await insalesApi(shop).post("/admin/payment_gateways.json", body)).toMatchObject({ ok: true, status: 201, data: { id: 5 } });
    expect(await insalesApi(shop).put("/admin/payment_gateways/5.json", body)).toMatchObject({ ok: true, status: 200 });
    expect(seen.map((s) => s.method)).toEqual(["POST", "PUT"]);
    expect(seen[0].headers["content-type"]).toBe("application/json");
    expect(JSON.parse(seen[0].body)).toEqual(body);
    expect(seen[1].url).toBe("/shops/myshop.myinsales.ru/admin/payment_gateways/5.json");
  });

  it("also works in the call form insalesApi(shop, method, path, body)", async () => {
    replies.push(json(200, [{ id: 1001 }]));
    const r = await insalesApi(shop, "GET", "/admin/delivery_variants.json");
    expect(r).toMatchObject({ ok: true, json: [{ id: 1001 }] });
  });

  it("waits Retry-After on 429 and retries", async () => {
    replies.push(json(429, { errors: ["Too many requests"] }, { "retry-after": "2" }), json(200, { ok: 1 }));
    const { waits, sleep } = recordingSleep();
    const r = await insalesApi(shop, { sleep }).get("/admin/account.json");
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(waits).toEqual([2000]);
    expect(seen).toHaveLength(2);
  });

  it("treats the older 503 the same way, POST included", async () => {
    replies.push(json(503, {}, { "retry-after": "1" }), json(201, { id: 1 }));
    const { waits, sleep } = recordingSleep();
    expect(await insalesApi(shop, { sleep }).post("/admin/payment_gateways.json", { payment_gateway: {} })).toMatchObject({ ok: true, status: 201 });
    expect(waits).toEqual([1000]);
    expect(seen[1].body).toBe(seen[0].body);
  });

  it("gives up after maxAttempts and reports how long to wait", async () => {
    replies.push(...Array.from({ length: 3 }, () => json(429, {}, { "retry-after": "1" })));
    const { waits, sleep } = recordingSleep();
    const r = await insalesApi(shop, { sleep, maxAttempts: 3 }).get("/admin/account.json");
    expect(r).toEqual({ ok: false, status: 429, reason: "rate_limited", retryAfterSeconds: 1 });
    expect(waits).toEqual([1000, 1000]);
    expect(seen).toHaveLength(3);
  });

  it("does not sleep past the total wait budget: the caller reschedules", async () => {
    replies.push(json(429, {}, { "retry-after": "240" }));
    const { waits, sleep } = recordingSleep();
    const r = await insalesApi(shop, { sleep, maxTotalWaitMs: 30_000 }).get("/admin/account.json");
    expect(r).toEqual({ ok: false, status: 429, reason: "rate_limited", retryAfterSeconds: 240 });
    expect(waits).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it("uses a default wait when Retry-After is missing or garbage", async () => {
    replies.push(json(429, {}), json(429, {}, { "retry-after": "soon" }), json(200, {}));
    const { waits, sleep } = recordingSleep();
    expect(await insalesApi(shop, { sleep, defaultRetryAfterSeconds: 3 }).get("/admin/account.json")).toMatchObject({ ok: true });
    expect(waits).toEqual([3000, 3000]);
  });

  it("reports 422 validation errors as messages", async () => {
    replies.push(json(422, { errors: { url: ["имеет неверное значение"], base: ["Ошибка"] } }));
    const r = await insalesApi(shop).post("/admin/payment_gateways.json", { payment_gateway: {} });
    expect(r).toMatchObject({ ok: false, status: 422, reason: "invalid", errors: ["url: имеет неверное значение", "Ошибка"] });
  });

  it.each([
    [401, "unauthorized"],
    [403, "forbidden"],
    [404, "not_found"],
    [500, "server_error"],
    [504, "timeout"],
    [418, "http_error"],
  ] as const)("maps %i to %s without retrying", async (status, reason) => {
    replies.push(json(status, { errors: ["x"] }));
    const r = await insalesApi(shop).get("/admin/account.json");
    expect(r).toMatchObject({ ok: false, status, reason });
    expect(seen).toHaveLength(1);
  });

  it("never follows a redirect with the shop's credentials", async () => {
    replies.push((res) => {
      res.writeHead(301, { location: "http://127.0.0.1:1/elsewhere" });
      res.end();
    });
    expect(await insalesApi(shop).get("/admin/account.json")).toMatchObject({ ok: false, status: 301, reason: "redirect" });
  });

  it("reports a 2xx that is not JSON as bad_response, and an empty 2xx as null data", async () => {
    replies.push((res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>"), (res) => res.writeHead(200).end());
    expect(await insalesApi(shop).get("/admin/account.json")).toEqual({ ok: false, status: 200, reason: "bad_response" });
    expect(await insalesApi(shop).put("/admin/x/1.json", {})).toEqual({ ok: true, status: 200, data: null, json: null });
  });

  it("reports a connection failure as network, a hanging server as timeout", async () => {
    const closed = { ...shop };
    process.env.INSALES_SHOP_URL_TEMPLATE = "http://127.0.0.1:1/shops/{shop}";
    resetEnvCache();
    try {
      expect(await insalesApi(closed).get("/admin/account.json")).toEqual({ ok: false, status: 0, reason: "network" });
    } finally {
      process.env.INSALES_SHOP_URL_TEMPLATE = `${base}/shops/{shop}`;
      resetEnvCache();
    }
    replies.push(() => {
      /* never answers */
    });
    expect(await insalesApi(shop, { timeoutMs: 200 }).get("/admin/account.json")).toEqual({ ok: false, status: 0, reason: "timeout" });
  });

  it("refuses paths outside /admin/*.json and hosts outside myinsales.ru, without sending anything", async () => {
    for (const path of ["/admin/../payments/external/server", "https://evil.com/admin/a.json", "/admin/account", "admin/account.json", "/admin/a.json#x", "//evil.com/admin/a.json"]) {
      await expect(insalesApi(shop).get(path), path).rejects.toThrow(/refusing path/);
    }
    await expect(insalesApi({ host: "evil.com", apiPassword: "x" }).get("/admin/account.json")).rejects.toThrow(/myinsales/);
    expect(seen).toHaveLength(0);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("120")).toBe(120);
    expect(parseRetryAfter(new Date(Date.parse("2030-01-01T00:01:00Z")).toUTCString(), Date.parse("2030-01-01T00:00:00Z"))).toBe(60);
    expect(parseRetryAfter("Wed, 01 Jan 2020 00:00:00 GMT")).toBe(0);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("-5")).toBeNull();
  });
});
