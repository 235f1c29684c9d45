// Installs a shop in the InSales stand-in (which calls our install URL) and logs in like a merchant
// clicking «Войти»: our /api/insales/login → the stand-in's admin login → /api/insales/autologin.
import type { Page } from "@playwright/test";
import { control, e2eEnv } from "./e2e-env";
import { waitForProvenInstall } from "./proven-install";

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
  await waitForProvenInstall(e2eEnv().databaseUrl, shop);
  return r;
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
