// The Merchant API client (spec/intellectmoney-protocol.md §4) against a local HTTP server that records
// what it received and answers what each test tells it. Expected Sign/hash values are computed here from
// the spec's patterns with node:crypto, not with lib/intellectmoney/signatures.ts.
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { TEST_ENV } from "../testing/test-env";
import { interpretEnvelope, purchaseToPaid, purchaseToRefund } from "./merchant-api";

type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: URLSearchParams };
type Reply = { status: number; body: string } | "hang";

let server: Server;
let seen: Seen[] = [];
let reply: Reply;
const OK = JSON.stringify({ OperationState: { Code: 0, Desc: "OK" }, Result: { State: { Code: 0, Desc: "Операция принята" } } });

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");
const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) });
      if (reply === "hang") return; // never answers: the client's timeout must end the wait
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused", INTELLECTMONEY_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/` });
  resetEnvCache();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  reply = { status: 200, body: OK };
});

const call = { eshopId: "450123", orderId: "9999-2197421", secretKey: "shop-secret", auth: { apiToken: "tok-123", signSecret: "sign-456" } };

describe("purchaseToPaid", () => {
  it("posts EshopId, OrderId and the MD5 hash with the Bearer token and the SHA-256 Sign, and succeeds on codes 0", async () => {
    const outcome = await purchaseToPaid(call);
    expect(outcome).toEqual({ ok: true, message: "Операция принята" });
    expect(seen).toHaveLength(1);
    const [r] = seen;
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/api/merchant/purchaseToPaid");
    expect(r.headers.authorization).toBe("Bearer tok-123");
    expect(r.headers.sign).toBe(sha256("450123::9999-2197421::ToPaid::sign-456"));
    expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(r.body)).toEqual({ EshopId: "450123", OrderId: "9999-2197421", hash: md5("450123::9999-2197421::ToPaid::shop-secret") });
  });

  it("sends no Authorization and no Sign header for a TST invoice, but still the hash", async () => {
    expect((await purchaseToPaid({ ...call, auth: null })).ok).toBe(true);
    expect(seen[0].headers.authorization).toBeUndefined();
    expect(seen[0].headers.sign).toBeUndefined();
    expect(seen[0].body.get("hash")).toBe(md5("450123::9999-2197421::ToPaid::shop-secret"));
  });
});

describe("purchaseToRefund", () => {
  it("uses the Refund pattern and sends a partial amount as Amount with two decimals", async () => {
    expect((await purchaseToRefund({ ...call, amountKopecks: 50_005n })).ok).toBe(true);
    const [r] = seen;
    expect(r.path).toBe("/api/merchant/purchaseToRefund");
    expect(r.headers.sign).toBe(sha256("450123::9999-2197421::Refund::sign-456"));
    expect(Object.fromEntries(r.body)).toEqual({ EshopId: "450123", OrderId: "9999-2197421", Amount: "500.05", hash: md5("450123::9999-2197421::Refund::shop-secret") });
  });

  it("sends no Amount for a full refund or a release", async () => {
    await purchaseToRefund(call);
    expect(seen[0].body.has("Amount")).toBe(false);
  });
});

describe("refusals and failures", () => {
  it("returns the API's description when Result.State.Code is not 0", async () => {
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 104, Desc: "Сумма возврата больше доступной" } } }) };
    expect(await purchaseToRefund(call)).toEqual({ ok: false, reason: "refused", httpStatus: 200, message: "IntellectMoney отказал: Сумма возврата больше доступной" });
  });

  it("prefers OperationState's description when the operation itself failed (a wrong token)", async () => {
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 1, Desc: "Неверный API-токен" }, Result: { State: { Code: 1, Desc: "Ошибка" } } }) };
    const outcome = await purchaseToPaid(call);
    expect(outcome).toMatchObject({ ok: false, reason: "refused", message: "IntellectMoney отказал: Неверный API-токен" });
  });

  it("treats a non-200 status as a failure even with codes 0, keeping the API's message", async () => {
    reply = { status: 401, body: JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 0, Desc: "Unauthorized" } } }) };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "http_error", httpStatus: 401, message: "IntellectMoney отказал: Unauthorized" });
    reply = { status: 502, body: "<html>Bad gateway</html>" };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "http_error", message: "IntellectMoney ответил ошибкой HTTP 502" });
  });

  it("treats a 200 without the envelope as a failure", async () => {
    reply = { status: 200, body: "OK" };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "bad_response" });
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 0 } }) };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "bad_response" });
  });

  it("gives up after the timeout with a Russian message", async () => {
    reply = "hang";
    const outcome = await purchaseToPaid({ ...call, timeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: false, reason: "timeout" });
    expect(outcome.ok ? "" : outcome.message).toMatch(/не ответил вовремя/);
  });

  it("reports a network error with a Russian message", async () => {
    process.env.INTELLECTMONEY_API_URL = "http://127.0.0.1:1/api";
    resetEnvCache();
    try {
      const outcome = await purchaseToPaid(call);
      expect(outcome).toMatchObject({ ok: false, reason: "network" });
      expect(outcome.ok ? "" : outcome.message).toMatch(/Не удалось связаться с IntellectMoney/);
    } finally {
      process.env.INTELLECTMONEY_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
      resetEnvCache();
    }
  });
});

describe("interpretEnvelope", () => {
  it("accepts codes sent as strings", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: "0" }, Result: { State: { Code: "0" } } }))).toEqual({ ok: true, message: null });
  });

  it("names the code when the API gives no description", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 7 } } }))).toMatchObject({ ok: false, message: "IntellectMoney отказал: код 7" });
  });
});
