// The Merchant API client (docs/protocols/intellectmoney.md §4) against a local HTTP server that records
// what it received and answers what each test tells it. Expected Sign/Hash values are computed here from
// the documented patterns with node:crypto, not with lib/intellectmoney/signatures.ts.
//
// Issue 13 item 12 changed what these tests expect: JSON bodies with `Hash` (the developer pages and the
// vendor SDK) instead of a form with `hash`; Result.State.Code 1 is a success with a warning, no longer a
// refusal; OperationState.Code 2 is the documented error code (1 is not final); failures say whether
// IntellectMoney may have executed the request; a TST invoice has no unsigned variant any more.
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { TEST_ENV } from "../../tests/support/test-env";
import { getPurchaseInfo, interpretEnvelope, purchaseToPaid, purchaseToRefund } from "./merchant-api";

type Seen = { method: string; path: string; headers: IncomingHttpHeaders; body: Record<string, unknown>; raw: string };
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
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, raw });
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

const CODES_0 = { operation: 0, result: 0 };

describe("purchaseToPaid", () => {
  it("posts JSON with EshopId, OrderId and the MD5 Hash, with the Bearer token and the SHA-256 Sign, and succeeds on codes 0", async () => {
    const outcome = await purchaseToPaid(call);
    expect(outcome).toEqual({ ok: true, message: "Операция принята", warning: null, codes: CODES_0 });
    expect(seen).toHaveLength(1);
    const [r] = seen;
    expect(r.method).toBe("POST");
    expect(r.path).toBe("/api/merchant/purchaseToPaid");
    expect(r.headers.authorization).toBe("Bearer tok-123");
    expect(r.headers.sign).toBe(sha256("450123::9999-2197421::ToPaid::sign-456"));
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers.accept).toBe("application/json");
    // EshopId is documented as INT: a JSON number.
    expect(r.body).toEqual({ EshopId: 450123, OrderId: "9999-2197421", Hash: md5("450123::9999-2197421::ToPaid::shop-secret") });
  });
});

describe("purchaseToRefund", () => {
  it("uses the Refund pattern and sends a partial amount as Amount with two decimals", async () => {
    expect((await purchaseToRefund({ ...call, amountKopecks: 50_005n })).ok).toBe(true);
    const [r] = seen;
    expect(r.path).toBe("/api/merchant/purchaseToRefund");
    expect(r.headers.sign).toBe(sha256("450123::9999-2197421::Refund::sign-456"));
    expect(r.body).toEqual({ EshopId: 450123, OrderId: "9999-2197421", Amount: "500.05", Hash: md5("450123::9999-2197421::Refund::shop-secret") });
  });

  it("sends no Amount for a full refund or a release", async () => {
    await purchaseToRefund(call);
    expect(Object.keys(seen[0].body)).not.toContain("Amount");
  });
});

describe("result code 1 («успешно с предупреждениями»)", () => {
  it("is a success carrying IntellectMoney's warning, not a refusal", async () => {
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 0, Desc: "OK" }, Result: { State: { Code: 1, Desc: "Возврат выполнен, чек возврата не сформирован" } } }) };
    expect(await purchaseToRefund({ ...call, amountKopecks: 100n })).toEqual({
      ok: true,
      message: "Возврат выполнен, чек возврата не сформирован",
      warning: "Возврат выполнен, чек возврата не сформирован",
      codes: { operation: 0, result: 1 },
    });
  });

  it("is a success even without a description", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: "1" } } }))).toEqual({ ok: true, message: null, warning: "без пояснения", codes: { operation: 0, result: 1 } });
  });
});

describe("refusals and failures", () => {
  it("returns the API's description when Result.State.Code is neither 0 nor 1: refused, nothing executed", async () => {
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 104, Desc: "Сумма возврата больше доступной" } } }) };
    expect(await purchaseToRefund(call)).toEqual({
      ok: false,
      reason: "refused",
      executed: "no",
      httpStatus: 200,
      codes: { operation: 0, result: 104 },
      message: "IntellectMoney отказал: Сумма возврата больше доступной",
    });
  });

  it("prefers OperationState's description when the operation itself failed (code 2, a wrong token)", async () => {
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 2, Desc: "Неверный API-токен" }, Result: { State: { Code: 2, Desc: "Ошибка" } } }) };
    const outcome = await purchaseToPaid(call);
    expect(outcome).toMatchObject({ ok: false, reason: "refused", executed: "no", message: "IntellectMoney отказал: Неверный API-токен" });
  });

  it("treats another OperationState code as not final: IntellectMoney may still execute it", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: 1, Desc: "Запрос поставлен в очередь" }, Result: { State: { Code: 0 } } }))).toMatchObject({
      ok: false,
      reason: "not_final",
      executed: "unknown",
      message: expect.stringContaining("код 1: Запрос поставлен в очередь"),
    });
  });

  it("treats a non-200 status as a failure even with codes 0, keeping the API's message; 4xx executed nothing, 5xx may have", async () => {
    reply = { status: 401, body: JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 0, Desc: "Unauthorized" } } }) };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "http_error", executed: "no", httpStatus: 401, message: "IntellectMoney отказал: Unauthorized" });
    reply = { status: 502, body: "<html>Bad gateway</html>" };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "http_error", executed: "unknown", message: "IntellectMoney ответил ошибкой HTTP 502" });
  });

  it("treats a 200 without the envelope as a failure whose execution is unknown", async () => {
    reply = { status: 200, body: "OK" };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "bad_response", executed: "unknown" });
    reply = { status: 200, body: JSON.stringify({ OperationState: { Code: 0 } }) };
    expect(await purchaseToPaid(call)).toMatchObject({ ok: false, reason: "bad_response", executed: "unknown" });
  });

  it("gives up after the timeout with a Russian message: executed unknown", async () => {
    reply = "hang";
    const outcome = await purchaseToPaid({ ...call, timeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: false, reason: "timeout", executed: "unknown" });
    expect(outcome.ok ? "" : outcome.message).toMatch(/не ответил вовремя/);
  });

  it("reports a refused connection with a Russian message: nothing was sent", async () => {
    // A port that was free a moment ago: the connection is refused (port 1 would be refused by fetch itself).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.INTELLECTMONEY_API_URL = `http://127.0.0.1:${port}/api`;
    resetEnvCache();
    try {
      const outcome = await purchaseToPaid(call);
      expect(outcome).toMatchObject({ ok: false, reason: "network", executed: "no" });
      expect(outcome.ok ? "" : outcome.message).toMatch(/Не удалось связаться с IntellectMoney/);
    } finally {
      process.env.INTELLECTMONEY_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
      resetEnvCache();
    }
  });
});

describe("interpretEnvelope", () => {
  it("accepts codes sent as strings", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: "0" }, Result: { State: { Code: "0" } } }))).toEqual({ ok: true, message: null, warning: null, codes: CODES_0 });
  });

  it("names the code when the API gives no description", () => {
    expect(interpretEnvelope(200, JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 7 } } }))).toMatchObject({ ok: false, message: "IntellectMoney отказал: код 7" });
  });
});

describe("getPurchaseInfo (the read-back)", () => {
  const info = { eshopId: "450123", invoiceId: "3000000001", orderId: "9999-2197421", secretKey: "shop-secret", auth: call.auth };
  const answer = (result: Record<string, unknown>) => JSON.stringify({ OperationState: { Code: 0 }, Result: { State: { Code: 0, Desc: "OK" }, ...result } });

  it("posts EshopId, InvoiceId and Hash signed like getBankCardPaymentState, and reads the refunded total", async () => {
    reply = { status: 200, body: answer({ InvoiceId: "3000000001", OrderId: "9999-2197421", RefundAmount: "500.00" }) };
    expect(await getPurchaseInfo(info)).toEqual({ ok: true, refundedKopecks: 50_000n });
    const [r] = seen;
    expect(r.path).toBe("/api/merchant/getPurchaseInfo");
    expect(r.headers.authorization).toBe("Bearer tok-123");
    expect(r.headers.sign).toBe(sha256("450123::3000000001::sign-456"));
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.body).toEqual({ EshopId: 450123, InvoiceId: "3000000001", Hash: md5("450123::3000000001::shop-secret") });
  });

  it("reads the total in any letter case, as a number or a string", async () => {
    reply = { status: 200, body: answer({ refundedAmount: 1000.5 }) };
    expect(await getPurchaseInfo(info)).toEqual({ ok: true, refundedKopecks: 100_050n });
    reply = { status: 200, body: answer({ REFUNDAMOUNT: "0" }) };
    expect(await getPurchaseInfo(info)).toEqual({ ok: true, refundedKopecks: 0n });
  });

  it("never guesses: no total, an unreadable one, two different ones, another invoice, a refusal or no answer are all unreadable", async () => {
    const cases: Array<[string, RegExp]> = [
      [answer({ RecipientAmount: "1500.00" }), /нет суммы возвратов/],
      [answer({ RefundAmount: "500,00" }), /не читается/],
      [answer({ RefundAmount: "-1.00" }), /не читается/],
      [answer({ RefundAmount: "500.00", RefundedAmount: "700.00" }), /две разные суммы/],
      [answer({ InvoiceId: "3000000002", RefundAmount: "500.00" }), /другому счёту/],
      [JSON.stringify({ OperationState: { Code: 2, Desc: "Счёт не найден" }, Result: { State: { Code: 2 } } }), /Счёт не найден/],
    ];
    for (const [body, why] of cases) {
      reply = { status: 200, body };
      const outcome = await getPurchaseInfo(info);
      expect(outcome).toMatchObject({ ok: false });
      expect(outcome.ok ? "" : outcome.message).toMatch(why);
    }
    reply = { status: 503, body: "Service Unavailable" };
    expect(await getPurchaseInfo(info)).toMatchObject({ ok: false, message: "IntellectMoney ответил ошибкой HTTP 503" });
  });
});
