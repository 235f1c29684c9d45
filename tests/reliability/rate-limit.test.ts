// Per-IP rate limiting of the public routes (lib/http/rate-limit.ts): the limit triggers with 429, a
// Retry-After and a short reason, counts each client address apart, cannot be dodged by a forged
// X-Forwarded-For prefix, and resets when the window ends.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET as loginGet } from "@/app/api/insales/login/route";
import { GET as installGet } from "@/app/api/insales/install/route";
import { resetEnvCache } from "@/lib/env";
import { checkRateLimit, clientAddress, rateLimited, resetRateLimits } from "@/lib/http/rate-limit";
import { TEST_ENV } from "@/tests/support/test-env";

const saved = { ...process.env };

function configure(extra: Record<string, string>) {
  // No database is touched: every request below is refused before any query.
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none" }, extra);
  resetEnvCache();
  resetRateLimits();
}

beforeEach(() => configure({ RATE_LIMIT_LOGIN: "3", RATE_LIMIT_LIFECYCLE: "2", RATE_LIMIT_WINDOW_SECONDS: "60" }));
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
  resetRateLimits();
});

const from = (ip: string, path = "/api/insales/login") => new Request(`https://app.test.local${path}`, { headers: { "x-forwarded-for": ip } });

describe("rate limit", () => {
  it("lets the limit through, then answers 429 with Retry-After and a Russian page", async () => {
    for (let i = 0; i < 3; i++) expect((await loginGet(from("203.0.113.7"))).status).toBe(400); // bad params, not limited
    const limited = await loginGet(from("203.0.113.7"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(await limited.text()).toContain("Слишком много запросов");
  });

  it("answers machine callers with a JSON reason", async () => {
    for (let i = 0; i < 2; i++) expect((await installGet(from("198.51.100.1", "/api/insales/install"))).status).toBe(400);
    const limited = await installGet(from("198.51.100.1", "/api/insales/install"));
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: "rate_limited" });
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("counts each address apart, and buckets apart", async () => {
    for (let i = 0; i < 3; i++) await loginGet(from("203.0.113.7"));
    expect((await loginGet(from("203.0.113.7"))).status).toBe(429);
    expect((await loginGet(from("203.0.113.8"))).status).toBe(400);
    expect((await installGet(from("203.0.113.7", "/api/insales/install"))).status).toBe(400);
  });

  it("keys on the address the proxy appended, not on what the client put before it", async () => {
    expect(clientAddress(from("1.1.1.1, 2.2.2.2, 203.0.113.9"))).toBe("203.0.113.9");
    for (let i = 0; i < 3; i++) await loginGet(from(`10.0.0.${i}, 203.0.113.9`));
    expect((await loginGet(from("10.9.9.9, 203.0.113.9"))).status).toBe(429);
  });

  it("resets when the window ends", () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(checkRateLimit("login", "a", t0 + i).ok).toBe(true);
    const refused = checkRateLimit("login", "a", t0 + 10_000);
    expect(refused).toEqual({ ok: false, reason: "rate_limited", retryAfterSeconds: 50 });
    expect(checkRateLimit("login", "a", t0 + 59_999).ok).toBe(false);
    expect(checkRateLimit("login", "a", t0 + 60_000).ok).toBe(true);
  });

  it("is off with a limit of 0", () => {
    configure({ RATE_LIMIT_LOGIN: "0" });
    for (let i = 0; i < 1000; i++) expect(rateLimited(from("203.0.113.7"), "login", "html")).toBeNull();
  });

  it("defaults are generous: thousands of result notifications a minute from one address pass", () => {
    configure({});
    for (let i = 0; i < 6000; i++) expect(checkRateLimit("result", "intellectmoney", 5_000_000).ok).toBe(true);
    expect(checkRateLimit("result", "intellectmoney", 5_000_000).ok).toBe(false);
  });

  it("bounds its memory under a flood of distinct addresses", () => {
    for (let i = 0; i < 120_000; i++) checkRateLimit("login", `ip-${i}`, 7_000_000);
    // The most recent addresses are still counted.
    for (let i = 0; i < 2; i++) checkRateLimit("login", "ip-119999", 7_000_000);
    expect(checkRateLimit("login", "ip-119999", 7_000_000).ok).toBe(false);
  });
});
