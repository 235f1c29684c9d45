// Installs a shop in the InSales stand-in (which calls our install URL) and logs in like a merchant
// clicking «Войти»: our /api/insales/login → the stand-in's admin login → /api/insales/autologin.
import type { Page } from "@playwright/test";
import { withDb } from "./db";
import { control, e2eEnv } from "./e2e-env";

let counter = 0;

/** A shop host unique to this test run, so specs never share state. */
export function uniqueShop(prefix = "shop"): { host: string; insalesId: string } {
  counter += 1;
  const n = `${Date.now() % 1_000_000_000}${process.pid % 1000}${counter}`;
  return { host: `${prefix}-${n}.myinsales.ru`, insalesId: n };
}

export async function installShop(shop: { host: string; insalesId: string }, extra: Record<string, unknown> = {}) {
  const { insalesUrl } = e2eEnv();
  const r = await control<{ status: number; body: string }>(insalesUrl, "install", { ...shop, ...extra });
  if (r.status !== 200) throw new Error(`install failed: ${r.status} ${r.body}`);
  await waitForProvenInstall(shop);
  return r;
}

/** The app answers install at once but switches to the new credentials only once its job has proven
 * them against the shop's account (docs/protocols/insales.md §1 Install): wait for that, as a merchant
 * would wait a moment before «Войти». */
export async function waitForProvenInstall(shop: { host: string; insalesId: string }, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const proven = await withDb(async (c) => {
      const r = await c.query(
        `SELECT 1 FROM "Shop" s WHERE s."insalesId" = $1 AND s.host = $2 AND s.status = 'ACTIVE'
           AND NOT EXISTS (SELECT 1 FROM "InstallCandidate" i WHERE i."insalesId" = $1 AND i.state = 'PENDING')`,
        [shop.insalesId, shop.host],
      );
      return r.rowCount === 1;
    });
    if (proven) return;
    if (Date.now() > deadline) throw new Error(`install of ${shop.host} not proven within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function loginAs(page: Page, shop: { host: string; insalesId: string }) {
  const { appUrl } = e2eEnv();
  const q = new URLSearchParams({ shop: shop.host, insales_id: shop.insalesId, user_id: "1" });
  await page.goto(`${appUrl}/api/insales/login?${q}`);
}

export async function installAndLogin(page: Page, prefix = "shop") {
  const shop = uniqueShop(prefix);
  await installShop(shop);
  await loginAs(page, shop);
  return shop;
}
