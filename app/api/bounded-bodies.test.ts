// Every route that reads a body reads it through lib/http/read-body.ts (issue 12 item 5): refused at its
// cap without pulling the rest of a chunked body, an unreadable body is the sender's 400 (never a 500),
// and many large bodies at once get a 503 instead of the process's memory. Handlers are called directly;
// every request here is refused before the database is touched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as resultPost } from "@/app/api/intellectmoney/result/route";
import { POST as returnPost } from "@/app/api/intellectmoney/return/[paymentId]/[outcome]/route";
import { POST as installPost } from "@/app/api/insales/install/route";
import { POST as uninstallPost } from "@/app/api/insales/uninstall/route";
import { POST as paymentPhp } from "@/app/payment.php/route";
import { resetEnvCache } from "@/lib/env";
import { BUSY_BUDGET_BYTES, FREE_BYTES_PER_BODY, readBody } from "@/lib/http/read-body";
import { resetRateLimits } from "@/lib/http/rate-limit";
import { MAX_CHECKOUT_BODY_BYTES } from "@/app/api/insales/payment/checkout-http";
import { TEST_ENV } from "@/tests/support/test-env";

const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", RATE_LIMIT_RESULT: "0", RATE_LIMIT_CHECKOUT: "0", RATE_LIMIT_LIFECYCLE: "0" });
  resetEnvCache();
  resetRateLimits();
});
afterAll(() => {
  process.env = { ...saved };
  resetEnvCache();
});

const KiB = 1024;
const APP = "https://app.test.local";

/** An endless body generated as it is pulled (a chunked upload), counting what the route pulled. */
function endless(chunk = 16 * KiB) {
  const stats = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      stats.pulled += chunk;
      controller.enqueue(new Uint8Array(chunk).fill(0x61));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats };
}

function broken(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error("connection reset"));
      sent = true;
      controller.enqueue(new TextEncoder().encode("shop=a"));
    },
  });
}

function post(path: string, body: BodyInit, headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" }): Request {
  return new Request(`${APP}${path}`, { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

const returnCtx = { params: Promise.resolve({ paymentId: "00000000-0000-4000-8000-000000000000", outcome: "success" }) };

describe("a chunked body longer than the route's cap is refused without reading the rest", () => {
  it.each([
    ["result", (r: Request) => resultPost(r), "/api/intellectmoney/result?shop=1", 64 * KiB, 413],
    ["buyer return", (r: Request) => returnPost(r, returnCtx), "/api/intellectmoney/return/x/success", 64 * KiB, 413],
    ["install", (r: Request) => installPost(r), "/api/insales/install", 16 * KiB, 413],
    ["uninstall", (r: Request) => uninstallPost(r), "/api/insales/uninstall", 16 * KiB, 413],
    ["checkout", (r: Request) => paymentPhp(r), "/payment.php", MAX_CHECKOUT_BODY_BYTES, 400],
  ] as const)("%s", async (_name, handler, path, cap, status) => {
    const body = endless();
    const response = await handler(post(path, body.stream));
    expect(response.status).toBe(status);
    expect(body.stats.pulled).toBeLessThanOrEqual(cap + 2 * 16 * KiB);
    expect(body.stats.cancelled).toBe(true);
  });
});

describe("a body that breaks mid-way is the sender's problem, not a 500", () => {
  it.each([
    ["result", (r: Request) => resultPost(r), "/api/intellectmoney/result?shop=1"],
    ["install", (r: Request) => installPost(r), "/api/insales/install"],
    ["uninstall", (r: Request) => uninstallPost(r), "/api/insales/uninstall"],
    ["checkout", (r: Request) => paymentPhp(r), "/payment.php"],
  ] as const)("%s", async (_name, handler, path) => {
    expect((await handler(post(path, broken()))).status).toBe(400);
  });
});

describe("too many large bodies at once", () => {
  it("a large checkout is answered 503 while slow uploads hold the whole budget", async () => {
    // Slow clients holding large uploads open, read by the same reader the routes use.
    const holders = Array.from({ length: Math.ceil(BUSY_BUDGET_BYTES / (MAX_CHECKOUT_BODY_BYTES - FREE_BYTES_PER_BODY)) + 1 }, () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (sent >= MAX_CHECKOUT_BODY_BYTES - 64 * KiB) await held;
          if (sent >= MAX_CHECKOUT_BODY_BYTES) return controller.close();
          sent += 64 * KiB;
          controller.enqueue(new Uint8Array(64 * KiB));
        },
      });
      return { read: readBody(post("/payment.php", stream), MAX_CHECKOUT_BODY_BYTES), release };
    });
    await new Promise((r) => setTimeout(r, 50));
    const response = await paymentPhp(post("/payment.php", "a".repeat(MAX_CHECKOUT_BODY_BYTES)));
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("перегружен");
    holders.forEach((h) => h.release());
    await Promise.all(holders.map((h) => h.read));
  });
});
