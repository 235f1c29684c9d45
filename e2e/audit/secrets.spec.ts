// Runs after every browser spec (playwright.config.ts project "audit"): the whole server log of the run
// and the whole database must not contain any secret in clear (issue 2 acceptance 7, issue 5 §4).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { control, e2eEnv } from "../support/e2e-env";
import { E2E_SECRETS } from "../support/secrets";

type StandInShop = { host: string; apiPassword: string | null; gateways?: Array<{ password: string }>; widgets?: Array<{ code: string }> };

/** The order-card widget's secret inside the code InSales holds (lib/widget/widget-code.ts: `KEY="<hex>"`). */
function widgetSecret(code: string): string {
  return /KEY="([0-9a-f]{64})"/.exec(code)?.[1] ?? "";
}

async function allSecrets(): Promise<string[]> {
  const shops = await control<StandInShop[]>(e2eEnv().insalesUrl, "shops");
  const fromStandIn = shops.flatMap((s) => [s.apiPassword ?? "", ...(s.gateways ?? []).map((g) => g.password), ...(s.widgets ?? []).map((w) => widgetSecret(w.code))]);
  return [...Object.values(E2E_SECRETS), ...fromStandIn, "e2e-auth-secret-0123456789abcdef"].filter((v) => v.length >= 8);
}

test("the server log of the whole run contains no secret, password or token", async () => {
  const logText = readFileSync(e2eEnv().appLogFile, "utf8");
  expect(logText.length).toBeGreaterThan(0);
  for (const secret of await allSecrets()) {
    expect(logText.includes(secret), `a secret ending in …${secret.slice(-4)} is in the server log`).toBe(false);
  }
});

test("the database holds no secret in clear", async () => {
  const dump = execFileSync("pg_dump", ["--data-only", "--no-owner", e2eEnv().databaseUrl], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  for (const secret of await allSecrets()) {
    expect(dump.includes(secret), `a secret ending in …${secret.slice(-4)} is stored in clear`).toBe(false);
  }
});

/**
 * Buyers' contacts the specs use (docs/protocols/test-vectors.md, the InSales stand-in's default checkout, the
 * journal spec): personal data, redacted from logs like secrets (docs/ARCHITECTURE.md convention 9).
 * The stand-in's buyers pay through the app in e2e/payment.spec.ts, so their contacts did reach it.
 */
const BUYER_CONTACTS = ["buyer@example.com", "test@example.com", "stranger@other.example", "79991234567"];

test("the server log of the whole run contains no buyer e-mail or phone", async () => {
  const logText = readFileSync(e2eEnv().appLogFile, "utf8");
  expect(logText.length).toBeGreaterThan(0);
  for (const contact of BUYER_CONTACTS) {
    expect(logText.includes(contact), `the buyer contact ${contact} is in the server log`).toBe(false);
  }
  // Any e-mail at all in a log line that is not the shop's own (owner@/manager@ of a stand-in shop).
  const emails = [...logText.matchAll(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)].map((m) => m[0]);
  const foreign = emails.filter((e) => !/^(owner|manager)@[a-z0-9-]+\.myinsales\.ru$/.test(e) && !/@localhost$/.test(e) && !/^no-reply@/.test(e));
  expect([...new Set(foreign)], "e-mail addresses in the server log").toEqual([]);
});
