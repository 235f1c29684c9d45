// InSales answers its http URLs with a redirect to https (docs/protocols/insales.md §2 «http vs https»). The
// stand-in's notice endpoint answers plain http with 301 to the same path on its TLS side (same host
// 127.0.0.1, its own port: e2e/stand-ins/tls.ts); the app follows exactly that redirect, re-posting the
// signed notice, and a redirect to another host is never followed.
import { expect, test, type Page } from "@playwright/test";
import { control, e2eEnv } from "./support/e2e-env";
import { loginAs } from "./support/login";
import { readyShop, type ReadyShop } from "./support/ready-shop";

type Notice = { channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean; tls?: boolean };

async function pay(page: Page, shop: ReadyShop): Promise<string> {
  await page.goto(`${e2eEnv().insalesUrl}/shops/${shop.host}/checkout?amount=1300.00`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  const standIn = await control<{ orders: Array<{ key: string }> }>(e2eEnv().insalesUrl, `shop?host=${shop.host}`);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  return standIn.orders.at(-1)!.key;
}

async function notices(shop: ReadyShop, key: string) {
  return control<{ financial_status: string; notices: Notice[] }>(e2eEnv().insalesUrl, `external-payments/notices?host=${shop.host}&key=${key}`);
}

test("a server notice redirected from http to https on the same host is delivered over https at once", async ({ page }) => {
  const shop = await readyShop("https301");
  await control(e2eEnv().insalesUrl, "external-payments/knobs", { host: shop.host, redirect: { to: "https", status: 301 } });
  const key = await pay(page, shop);
  await expect(page.locator("#financial-status")).toHaveText("Оплачен");
  await expect.poll(async () => (await notices(shop, key)).notices.filter((n) => n.channel === "server" && n.valid).length, { timeout: 20_000 }).toBe(1);
  const server = (await notices(shop, key)).notices.find((n) => n.channel === "server")!;
  expect(server).toMatchObject({ valid: true, tls: true, fields: { paid: "1", key } });
});

test("a server notice redirected to another host is not sent there: the merchant sees it under «Требует внимания»", async ({ page }) => {
  const shop = await readyShop("httpsother");
  await control(e2eEnv().insalesUrl, "external-payments/knobs", { host: shop.host, redirect: { to: "other_host", status: 301 } });
  const key = await pay(page, shop);
  // The buyer still gets back to the shop (their own channel is not redirected).
  await expect(page.locator("#financial-status")).toHaveText("Оплачен");
  await expect.poll(async () => {
    const log = await control<Array<{ host: string; answer: string }>>(e2eEnv().insalesUrl, `external-payments/attempts?host=${shop.host}`);
    return log.map((a) => a.answer);
  }, { timeout: 20_000 }).toEqual(["redirect 301"]);
  expect((await notices(shop, key)).notices.filter((n) => n.channel === "server")).toEqual([]);

  await loginAs(page, shop);
  await page.goto(`${e2eEnv().appUrl}/payments`);
  const problem = page.locator('[data-testid="problem"][data-kind="notice_failed"]');
  await expect(problem).toHaveCount(1);
  await expect(problem).toContainText("перенаправил уведомление (301) на другой адрес: localhost:");
  await expect(problem).toContainText("отметьте оплату заказа вручную");
});
