// The merchant session cookie (lib/auth/mint-session.ts) and the headers that go with it: HttpOnly (no
// script reads it), SameSite=Lax (no cross-site POST carries it), Secure and the __Secure- prefix when the
// app is served over https, and a value next-auth itself accepts as that one shop's session.
import { afterEach, describe, expect, it } from "vitest";
import { decode } from "next-auth/jwt";
import { mintSessionCookie } from "@/lib/auth/mint-session";
import { resetEnvCache } from "@/lib/env";
import { serializeCookie } from "@/lib/http/cookies";
import { TEST_ENV } from "@/tests/support/test-env";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetEnvCache();
});

function withAppUrl(url: string) {
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", APP_URL: url });
  resetEnvCache();
}

const claims = { shopId: "0b7d1a6e-2a4b-4c1e-9f00-000000000001", insalesId: "100", host: "myshop.myinsales.ru", sessionGeneration: 3, userId: "7" };

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Secure and __Secure- prefixed under an https APP_URL", async () => {
    withAppUrl("https://im.example.ru");
    const c = await mintSessionCookie(claims);
    expect(c.name).toBe("__Secure-next-auth.session-token");
    expect(c.options).toMatchObject({ httpOnly: true, secure: true, sameSite: "lax", path: "/" });
    expect(c.options.maxAge).toBeGreaterThan(0);
    expect(c.options.maxAge).toBeLessThanOrEqual(24 * 3600);
    const header = serializeCookie(c.name, c.value, c.options);
    expect(header).toMatch(/; HttpOnly(;|$)/);
    expect(header).toMatch(/; Secure(;|$)/);
    expect(header).toMatch(/; SameSite=Lax(;|$)/);
    expect(header).not.toMatch(/Domain=/i); // host-only: no sibling subdomain receives it
  });

  it("is not Secure under plain http (local runs), still HttpOnly and SameSite=Lax", async () => {
    withAppUrl("http://127.0.0.1:3000");
    const c = await mintSessionCookie(claims);
    expect(c.name).toBe("next-auth.session-token");
    expect(c.options).toMatchObject({ httpOnly: true, secure: false, sameSite: "lax" });
  });

  it("carries exactly the one shop, encrypted (the value does not show the claims)", async () => {
    withAppUrl("https://im.example.ru");
    const c = await mintSessionCookie(claims);
    expect(c.value).not.toContain(claims.host);
    const token = await decode({ token: c.value, secret: TEST_ENV.AUTH_SECRET });
    expect(token).toMatchObject({ shopId: claims.shopId, insalesId: "100", host: claims.host, sessionGeneration: 3 });
    // Another deployment's secret cannot read (or forge) it.
    await expect(decode({ token: c.value, secret: "another-secret-0123456789abcdef" })).rejects.toThrow();
  });
});
