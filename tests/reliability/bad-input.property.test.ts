// Bad input, generated (issue 5 part 1; docs/PRODUCT.md «Non-negotiables»: every incoming call is
// validated, bad input gets a clear 4xx and changes nothing, never a 500). fast-check builds thousands of
// malformed, oversized, mis-encoded (windows-1251 bytes, broken UTF-8, NUL bytes), duplicated-field and
// wrong-type requests and hands them straight to every public route handler. For each one:
// - the handler answers (never throws), with a 4xx and a non-empty reason, or 200/303 only when the input
//   is valid by the route's own parser (then the new state becomes the baseline);
// - the database is unchanged, except for the refusal's own audit rows (a `result_rejected` /
//   `checkout_rejected` timeline event, a «Проблема», the merchant's letters 7/10), which is what
//   «changes nothing» means for a refusal the merchant must be able to see.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as installGet, POST as installPost } from "@/app/api/insales/install/route";
import { GET as uninstallGet, POST as uninstallPost } from "@/app/api/insales/uninstall/route";
import { GET as loginGet } from "@/app/api/insales/login/route";
import { GET as autologinGet } from "@/app/api/insales/autologin/route";
import { POST as paymentPhp } from "@/app/payment.php/route";
import { POST as insalesPayment } from "@/app/api/insales/payment/route";
import { POST as resultPost } from "@/app/api/intellectmoney/result/route";
import { GET as returnGet, POST as returnPost } from "@/app/api/intellectmoney/return/[paymentId]/[outcome]/route";
import { parseInstallParams, parseLoginParams, readFormBody } from "@/lib/insales/lifecycle-params";
import { getBoss, stopBoss } from "@/lib/jobs/queue";
import { resetRateLimits } from "@/lib/http/rate-limit";
import { newPayment, startResultWorld, type Paid, type ResultWorld } from "@/tests/support/result-test-support";
import { useTestDatabase } from "@/tests/support/use-test-database";
import { dbState, digest, unexpectedChanges, type DbState } from "./support/db-state";

// The limiter is proven in rate-limit.test.ts; here thousands of calls come from "one address".
useTestDatabase({ RATE_LIMIT_RESULT: "0", RATE_LIMIT_CHECKOUT: "0", RATE_LIMIT_LIFECYCLE: "0", RATE_LIMIT_LOGIN: "0" });

const APP = "https://app.test.local";
const ALLOWED_AUDIT = new Set(["PaymentEvent:result_rejected", "PaymentEvent:checkout_received", "PaymentEvent:checkout_rejected", "Problem:checkout_rejected", "Mail:7", "Mail:10"]);
/** Runs per route; the whole file stays well under a minute. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

let world: ResultWorld;
let paid: Paid;
let baseline: DbState;
const tried: Record<string, number> = {};

beforeAll(async () => {
  world = await startResultWorld();
  await getBoss(); // pg-boss's schema exists before the first snapshot counts its jobs
  paid = await newPayment(world); // a real shop, settings, gateway and payment (status 3 applied) to aim at
  resetRateLimits();
  baseline = await dbState();
}, 60_000);

afterAll(async () => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`bad-input fuzz: ${total} requests tried — ${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(", ")}; final state ${digest(await dbState())}`);
  await stopBoss();
  await world?.close();
});

// ---- generators -----------------------------------------------------------------------------------

/** windows-1251 bytes of a Cyrillic text: А..я → 0xC0..0xFF, ASCII as is (others → '?'). */
function cp1251(text: string): Uint8Array {
  return Uint8Array.from([...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    return 0x3f;
  }));
}

const pct = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join("");

const nastyConstants = fc.constantFrom(
  "", " ", "0", "-1", "1e5", "NaN", "Infinity", "null", "undefined", "[]", "{}", "true", "%", "%%", "%zz", "%C3%28", "%FF%FE", "%E2%82",
  "%00", "\u0000", "a\u0000b", "<script>alert(1)</script>", "' OR 1=1--", "../../etc/passwd", "１２３", "100.00", "1,00", "1 500.00", "-100.00",
  "0.001", "99999999999999999999999", "0x10", "myshop.myinsales.ru", "evil.com", "ffffffff-ffff-ffff-ffff-ffffffffffff", "RUB", "TST", "USD",
  "5", "3", "9", "\uFEFFOK", "\r\n", "é", "Заказ №1", "\uD800", "😀",
);

const value = fc.oneof(
  { weight: 4, arbitrary: nastyConstants },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom(300, 1_000, 5_000, 20_000).map((n) => "x".repeat(n)) },
);

/** A query/form component: usually URL-encoded text, sometimes raw percent-escapes of cp1251 or broken UTF-8. */
function encodedValue(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: value.map((v) => encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "?"))) },
    { weight: 2, arbitrary: fc.constantFrom("Оплата заказа", "Иван Петров", "магазин").map((t) => pct(cp1251(t))) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }).map(pct) },
    { weight: 1, arbitrary: value.map((v) => v.replace(/[\uD800-\uDFFF]/g, "?")) }, // unencoded: & = # + as they come
  );
}

function pairs(names: readonly string[]): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `${n}[]`) });
  // Duplicates arise naturally: the same name can be drawn twice.
  return fc.array(fc.tuple(name, encodedValue()), { maxLength: 14 }).map((ps) => ps.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join("&"));
}

const contentType = fc.constantFrom(
  "application/x-www-form-urlencoded",
  "application/x-www-form-urlencoded; charset=windows-1251",
  "application/x-www-form-urlencoded; charset=UTF-8",
  "APPLICATION/X-WWW-FORM-URLENCODED",
  "multipart/form-data; boundary=xyz",
  "multipart/form-data",
  "application/json",
  "text/plain",
  "text/html; charset=koi8-r",
  "application/octet-stream",
  "",
  ";;;",
);

/** Body bytes: a form, the same in cp1251, random bytes, NUL-laden, JSON, multipart garbage, or a huge one. */
function body(names: readonly string[], hugeSize: number): fc.Arbitrary<Uint8Array> {
  const enc = new TextEncoder();
  return fc.oneof(
    { weight: 6, arbitrary: pairs(names).map((s) => enc.encode(s)) },
    { weight: 2, arbitrary: fc.constantFrom(...names).map((n) => Uint8Array.from([...enc.encode(`${n}=`), ...cp1251("Оплата заказа №5")])) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 1, arbitrary: pairs(names).map((s) => enc.encode(`${s}\u0000\u0000&\u0000=\u0000`)) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...names), fc.oneof(value, fc.integer(), fc.array(fc.integer(), { maxLength: 3 }))).map((o) => enc.encode(JSON.stringify(o))) },
    { weight: 1, arbitrary: fc.constant(enc.encode('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--garbage')) },
    { weight: 1, arbitrary: fc.constant(enc.encode("--xyz\r\nbroken")) },
    { weight: 1, arbitrary: fc.constantFrom(hugeSize, hugeSize * 2).map((n) => enc.encode(`${names[0]}=${"a".repeat(n)}`)) },
  );
}

const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });

// ---- the check -------------------------------------------------------------------------------------

type Answer = { status: number; text: string };

async function call(route: string, handler: () => Promise<Response>): Promise<Answer> {
  tried[route] = (tried[route] ?? 0) + 1;
  let r: Response;
  try {
    r = await handler();
  } catch (error) {
    throw new Error(`${route}: the handler threw ${(error as Error).message}`);
  }
  return { status: r.status, text: await r.text() };
}

/**
 * `valid`: the input passed the route's own parser (a well-formed call that may legitimately succeed).
 * Then 200/303 is allowed and the resulting state becomes the baseline.
 */
async function expectRefusedAndUnchanged(route: string, answer: Answer, valid = false): Promise<void> {
  expect(answer.status, `${route}: 5xx`).toBeLessThan(500);
  const after = await dbState();
  if (valid && answer.status < 400) {
    baseline = after;
    return;
  }
  expect(answer.status, `${route}: not refused (${answer.status} ${answer.text.slice(0, 80)})`).toBeGreaterThanOrEqual(400);
  expect(answer.text.trim().length, `${route}: refusal without a reason`).toBeGreaterThan(0);
  expect(unexpectedChanges(baseline, after, ALLOWED_AUDIT), `${route}: state changed`).toEqual([]);
  baseline = after;
}

function request(path: string, query: string, init: { method: string; type?: string; body?: Uint8Array; headers?: Record<string, string> }): Request {
  const headers = new Headers(init.headers);
  if (init.type) headers.set("content-type", init.type);
  return new Request(`${APP}${path}${query ? `?${query}` : ""}`, { method: init.method, headers, body: init.body ? Buffer.from(init.body) : undefined });
}

const LIFECYCLE = ["shop", "token", "insales_id"] as const;
const LOGIN = ["shop", "insales_id", "user_id", "user_email"] as const;
const AUTOLOGIN = ["token", "token2", "token3", "user_email", "user_name", "user_id", "email_confirmed"] as const;
const CHECKOUT = ["shop_id", "amount", "transaction_id", "key", "order_id", "description", "email", "phone", "first_name", "last_name", "middle_name", "created_at", "signature", "order_json"] as const;
const RESULT = ["eshopId", "paymentId", "orderId", "eshopAccount", "serviceName", "recipientAmount", "recipientOriginalAmount", "recipientCurrency", "paymentStatus", "userName", "userEmail", "paymentData", "secretKey", "hash", "refundAmount", "UserField_0"] as const;

const params = { numRuns: RUNS, endOnFailure: true };
/** Bounded by numRuns; this only keeps vitest from cutting a slow machine short. */
const TIMEOUT = 180_000;

describe("every public route refuses generated bad input with a 4xx and changes nothing", () => {
  for (const [name, get, post] of [
    ["install", installGet, installPost],
    ["uninstall", uninstallGet, uninstallPost],
  ] as const) {
    it(`${name}: GET and POST`, async () => {
      await fc.assert(
        fc.asyncProperty(pairs(LIFECYCLE), fc.boolean(), contentType, body(LIFECYCLE, 16 * 1024), async (query, usePost, type, bytes) => {
          const path = `/api/insales/${name}`;
          const req = () => (usePost ? request(path, query, { method: "POST", type, body: bytes }) : request(path, query, { method: "GET" }));
          const form = usePost ? await readFormBody(req()) : { ok: true as const, params: new URLSearchParams() };
          // The oracle reads the query as the route does: from the parsed URL (a '#' ends it).
          const valid = form.ok && parseInstallParams(new URL(req().url).searchParams, form.params).ok;
          await expectRefusedAndUnchanged(name, await call(name, () => (usePost ? post(req()) : get(req()))), valid);
        }),
        params,
      );
    }, TIMEOUT);
  }

  it("login", async () => {
    const realShop = fc.constant(`shop=${paid.shop.host}&insales_id=${paid.shop.insalesId}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(pairs(LOGIN), fc.tuple(realShop, pairs(LOGIN)).map(([a, b]) => `${a}&${b}`)), async (query) => {
        const req = () => request("/api/insales/login", query, { method: "GET" });
        const valid = parseLoginParams(new URL(req().url).searchParams).ok;
        await expectRefusedAndUnchanged("login", await call("login", () => loginGet(req())), valid);
      }),
      params,
    );
  }, TIMEOUT);

  it("autologin (with and without a login cookie)", async () => {
    await fc.assert(
      fc.asyncProperty(pairs(AUTOLOGIN), fc.option(headerValue), async (query, cookie) => {
        const headers: Record<string, string> = cookie === null ? {} : { cookie: `__Secure-im-insales-login=${cookie}` };
        await expectRefusedAndUnchanged("autologin", await call("autologin", () => autologinGet(request("/api/insales/autologin", query, { method: "GET", headers }))));
      }),
      params,
    );
  }, TIMEOUT);

  for (const [name, handler] of [
    ["payment.php", paymentPhp],
    ["api/insales/payment", insalesPayment],
  ] as const) {
    it(`checkout: ${name}`, async () => {
      // Some requests name the real shop, so they get as far as signature verification (and the API fallback).
      const aimed = fc.tuple(fc.constant(`shop_id=${paid.shop.insalesId}`), pairs(CHECKOUT)).map(([a, b]) => new TextEncoder().encode(`${a}&${b}`));
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.constant(""), fc.constant(`shop=${paid.shop.insalesId}`), pairs(["shop"])),
          contentType,
          fc.oneof(body(CHECKOUT, 512 * 1024), aimed),
          async (query, type, bytes) => {
            const path = name === "payment.php" ? "/payment.php" : "/api/insales/payment";
            await expectRefusedAndUnchanged(name, await call(name, () => handler(request(path, query, { method: "POST", type, body: bytes }))));
          },
        ),
        { ...params, numRuns: Math.ceil(RUNS / 2) },
      );
    }, TIMEOUT);
  }

  it("result notifications: malformed", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(""), fc.constant(`shop=${paid.shop.insalesId}`), pairs(["shop"])),
        contentType,
        body(RESULT, 64 * 1024),
        async (query, type, bytes) => {
          await expectRefusedAndUnchanged("result", await call("result", () => resultPost(request("/api/intellectmoney/result", query, { method: "POST", type, body: bytes }))));
        },
      ),
      params,
    );
  }, TIMEOUT);

  it("result notifications: a correctly signed one with one signed field or the hash altered", async () => {
    const signedNames = ["eshopId", "orderId", "serviceName", "eshopAccount", "recipientAmount", "recipientCurrency", "paymentStatus", "userName", "userEmail", "paymentData", "hash"] as const;
    const base: Record<string, string> = {
      eshopId: paid.eshopId, paymentId: paid.invoice.paymentId, orderId: paid.payment.imOrderId, eshopAccount: `${paid.eshopId}0001`,
      serviceName: paid.invoice.serviceName, recipientAmount: paid.invoice.recipientAmount, recipientOriginalAmount: paid.invoice.recipientAmount,
      recipientCurrency: paid.invoice.recipientCurrency, paymentStatus: "5", userName: paid.invoice.userName, userEmail: paid.invoice.userEmail,
      paymentData: "2026-01-02 03:04:05", secretKey: "",
    };
    // §3 hash, written here from the spec (not lib/): 10 fields and the key, joined by "::".
    base.hash = createHash("md5").update([base.eshopId, base.orderId, base.serviceName, base.eshopAccount, base.recipientAmount, base.recipientCurrency, base.paymentStatus, base.userName, base.userEmail, base.paymentData, paid.secretKey].join("::"), "utf8").digest("hex");
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signedNames), value, fc.constantFrom("utf8", "cp1251"), async (field, replacement, encoding) => {
        fc.pre(replacement !== base[field] && !(field === "hash" && replacement.toLowerCase() === base.hash));
        const fields = { ...base, [field]: replacement };
        const clean = Object.entries(fields).map(([k, v]) => [k, v.replace(/[\uD800-\uDFFF]/g, "?")]);
        // The same notification with every value's bytes in windows-1251 instead of UTF-8 (§3: UTF-8 only).
        const text = encoding === "utf8" ? new URLSearchParams(clean).toString() : clean.map(([k, v]) => `${k}=${pct(cp1251(v))}`).join("&");
        const bytes = new TextEncoder().encode(text);
        const answer = await call("result (signed, altered)", () =>
          resultPost(request("/api/intellectmoney/result", `shop=${paid.shop.insalesId}`, { method: "POST", type: "application/x-www-form-urlencoded", body: bytes })),
        );
        expect(answer.text).not.toBe("OK");
        await expectRefusedAndUnchanged("result (signed, altered)", answer);
      }),
      params,
    );
    // The unaltered one is accepted: the property above refused for the right reason, not for all input.
    const ok = await resultPost(request("/api/intellectmoney/result", `shop=${paid.shop.insalesId}`, { method: "POST", type: "application/x-www-form-urlencoded", body: new TextEncoder().encode(new URLSearchParams(base).toString()) }));
    expect([ok.status, await ok.text()]).toEqual([200, "OK"]);
    baseline = await dbState();
  }, TIMEOUT);

  it("buyer return", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(value, fc.uuid(), fc.constant(paid.payment.id.toUpperCase())),
        fc.oneof(fc.constantFrom("success", "fail", "SUCCESS", "ok", ""), value),
        fc.boolean(),
        contentType,
        body(["paid", "x"], 16 * 1024),
        async (paymentId, outcome, usePost, type, bytes) => {
          fc.pre(!(paymentId.toLowerCase() === paid.payment.id && (outcome === "success" || outcome === "fail")));
          // Path segments reach the handler decoded by Next; a lone surrogate cannot be in a URL at all.
          [paymentId, outcome] = [paymentId, outcome].map((v) => v.replace(/[\uD800-\uDFFF]/g, "?"));
          const path = `/api/intellectmoney/return/${encodeURIComponent(paymentId)}/${encodeURIComponent(outcome)}`;
          const ctx = { params: Promise.resolve({ paymentId, outcome }) };
          const answer = await call("return", () => (usePost ? returnPost(request(path, "", { method: "POST", type, body: bytes }), ctx) : returnGet(request(path, "", { method: "GET" }), ctx)));
          await expectRefusedAndUnchanged("return", answer);
        },
      ),
      params,
    );
  }, TIMEOUT);
});
