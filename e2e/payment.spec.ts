// A buyer pays end to end (spec/product.md flows 5–8): the InSales stand-in's checkout → our payment URL →
// the IntellectMoney stand-in's payment page → its result notification to us → our notice to InSales
// (server to server, by the app's job worker) and the buyer's return through the shop's success/fail URL
// → the order page in the shop.
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { resetEnvCache } from "../lib/env";
import { encryptSecret } from "../lib/crypto";
import { TEST_ENV } from "../lib/testing/test-env";
import { withDb } from "./support/db";
import { control, e2eEnv } from "./support/e2e-env";
import { installShop, uniqueShop } from "./support/login";
import { E2E_SECRETS } from "./support/secrets";

type Notice = { channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean };
type Shop = { host: string; insalesId: string; eshopId: string };
type Setup = { legalForm?: "ORGANIZATION" | "INDIVIDUAL"; testMode?: boolean; holdMode?: "HOLD" | "NO_HOLD"; markPaidOnHold?: boolean };

/** The spec seals secrets with the same key as the app under test (e2e/global-setup.ts). */
function seal(plain: string): string {
  Object.assign(process.env, { ...TEST_ENV, DATABASE_URL: e2eEnv().databaseUrl });
  resetEnvCache();
  return encryptSecret(plain);
}

let eshopCounter = 0;

/**
 * An installed shop with its settings saved and the «Внешний способ оплаты» created in InSales through the
 * stand-in's API, as the connect button leaves it; IntellectMoney (the stand-in) knows the shop's key.
 */
async function readyShop(prefix: string, s: Setup = {}): Promise<Shop> {
  const { appUrl, insalesUrl, intellectmoneyUrl } = e2eEnv();
  const base = uniqueShop(prefix);
  await installShop(base);
  eshopCounter += 1;
  const eshopId = String(100_000 + ((Number(base.insalesId.slice(-5)) + eshopCounter) % 800_000));
  const shop = { ...base, eshopId };
  const wallet = s.legalForm === "INDIVIDUAL";
  if (!wallet) await control(intellectmoneyUrl, "shops", { eshopId, secretKey: E2E_SECRETS.secretKey });

  const standIn = await control<{ apiPassword: string }>(insalesUrl, `shop?host=${shop.host}`);
  const password = randomBytes(12).toString("hex");
  const created = await fetch(`${insalesUrl}/shops/${shop.host}/admin/payment_gateways.json`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`intellectmoney_e2e:${standIn.apiPassword}`).toString("base64")}` },
    body: JSON.stringify({ payment_gateway: { type: "PaymentGateway::External", title: "IntellectMoney", url: `${appUrl}/payment.php`, shop_id: shop.insalesId, password, payment_delivery_variants_attributes: [{ delivery_variant_id: 1001 }] } }),
  });
  expect(created.status).toBe(201);
  const gateway = (await created.json()) as { id: number; success_url: string; fail_url: string; server_url: string };

  await withDb(async (c) => {
    const { rows } = await c.query<{ id: string }>(`SELECT id FROM "Shop" WHERE "insalesId" = $1`, [shop.insalesId]);
    const shopId = rows[0].id;
    await c.query(
      `INSERT INTO "ShopSettings" ("shopId", "legalForm", "eshopId", "secretKeyEnc", "testMode", "holdMode", "markPaidOnHold", "walletFormId", "walletLogin", "updatedAt")
       VALUES ($1, $2::"LegalForm", $3, $4, $5, $6::"HoldMode", $7, $8, $9, now())
       ON CONFLICT ("shopId") DO UPDATE SET "legalForm" = EXCLUDED."legalForm", "eshopId" = EXCLUDED."eshopId", "secretKeyEnc" = EXCLUDED."secretKeyEnc",
         "testMode" = EXCLUDED."testMode", "holdMode" = EXCLUDED."holdMode", "markPaidOnHold" = EXCLUDED."markPaidOnHold",
         "walletFormId" = EXCLUDED."walletFormId", "walletLogin" = EXCLUDED."walletLogin", "updatedAt" = now()`,
      [shopId, wallet ? "INDIVIDUAL" : "ORGANIZATION", wallet ? null : eshopId, wallet ? null : seal(E2E_SECRETS.secretKey), s.testMode ?? false, s.holdMode ?? "NO_HOLD", s.markPaidOnHold ?? false, wallet ? "4242" : null, wallet ? "wallet@example.com" : null],
    );
    await c.query(
      `INSERT INTO "ShopGateway" ("shopId", state, "gatewayId", "passwordEnc", "successUrl", "failUrl", "serverUrl", "syncedAt", "updatedAt")
       VALUES ($1, 'CONNECTED', $2, $3, $4, $5, $6, now(), now())
       ON CONFLICT ("shopId") DO UPDATE SET state = 'CONNECTED', "gatewayId" = EXCLUDED."gatewayId", "passwordEnc" = EXCLUDED."passwordEnc",
         "successUrl" = EXCLUDED."successUrl", "failUrl" = EXCLUDED."failUrl", "serverUrl" = EXCLUDED."serverUrl", "updatedAt" = now()`,
      [shopId, String(gateway.id), seal(password), gateway.success_url, gateway.fail_url, gateway.server_url],
    );
  });
  return shop;
}

/** The buyer checks out in the shop and lands on IntellectMoney's payment page. */
async function checkout(page: Page, shop: Shop, amount = "1500.00") {
  await page.goto(`${e2eEnv().insalesUrl}/shops/${shop.host}/checkout?amount=${amount}`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  await expect(page.locator("#amount")).toHaveText(amount);
  const orderKey = await orderKeyOf(shop);
  return { orderKey };
}

async function orderKeyOf(shop: Shop): Promise<string> {
  const standIn = await control<{ orders: Array<{ key: string }> }>(e2eEnv().insalesUrl, `shop?host=${shop.host}`);
  return standIn.orders.at(-1)!.key;
}

async function notices(shop: Shop, key: string) {
  return control<{ financial_status: string; notices: Notice[] }>(e2eEnv().insalesUrl, `external-payments/notices?host=${shop.host}&key=${key}`);
}

/** The server-to-server notice the app's worker sends (flow 7), verified by the stand-in. */
async function expectServerNotice(shop: Shop, key: string, paid: "0" | "1") {
  await expect
    .poll(async () => (await notices(shop, key)).notices.filter((n) => n.channel === "server" && n.valid && n.fields.paid === paid).length, { timeout: 20_000 })
    .toBe(1);
}

async function expectOrderPage(page: Page, shop: Shop, key: string, status: "Оплачен" | "Не оплачен") {
  await expect(page).toHaveURL(`${e2eEnv().insalesUrl}/shops/${shop.host}/orders/${key}`);
  await expect(page.locator("#financial-status")).toHaveText(status);
}

test("a buyer pays an order and lands on the order page showing «Оплачен»", async ({ page }) => {
  const shop = await readyShop("pay");
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  const seen = await notices(shop, orderKey);
  expect(seen.notices.find((n) => n.channel === "success")).toMatchObject({ valid: true, fields: { paid: "1", amount: "1500.00", key: orderKey } });
  await expectServerNotice(shop, orderKey, "1");
  // IntellectMoney got exactly `OK` for every notification.
  const invoices = await control<Array<{ orderId: string; notifications: Array<{ httpStatus: number; body: string }> }>>(e2eEnv().intellectmoneyUrl, "invoices");
  const mine = invoices.find((i) => i.notifications.length && i.orderId.endsWith(seen.notices[0].fields.transaction_id))!;
  expect(mine.notifications.map((n) => [n.httpStatus, n.body])).toEqual([
    [200, "OK"],
    [200, "OK"],
  ]);
});

test("a held payment is not paid until «Списать», then it is", async ({ page }) => {
  const shop = await readyShop("hold", { holdMode: "HOLD" });
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Холдировать" }).click();
  await expect(page.getByRole("button", { name: "Списать" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Отменить холд" })).toBeVisible();
  // Give the worker time to (wrongly) send something: nothing may say «paid» yet.
  await page.waitForTimeout(2_000);
  const held = await notices(shop, orderKey);
  expect(held.financial_status).toBe("pending");
  expect(held.notices.filter((n) => n.fields.paid === "1")).toHaveLength(0);

  await page.getByRole("button", { name: "Списать" }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("a cancelled payment tells the shop paid=0 and the order stays unpaid", async ({ page }) => {
  const shop = await readyShop("cancel");
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Отменить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Не оплачен");
  const seen = await notices(shop, orderKey);
  expect(seen.notices.find((n) => n.channel === "fail")).toMatchObject({ valid: true, fields: { paid: "0" } });
  await expectServerNotice(shop, orderKey, "0");
});

test("test mode pays in TST with a valid hash", async ({ page }) => {
  const shop = await readyShop("tst", { testMode: true });
  const { orderKey } = await checkout(page, shop, "990.00");
  await expect(page.locator("#test-badge")).toBeVisible();
  await expect(page.locator("body")).toContainText("TST");
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("a personal wallet (Физическое лицо) payment goes through the shared shop and is applied", async ({ page }) => {
  const shop = await readyShop("wallet", { legalForm: "INDIVIDUAL" });
  const { orderKey } = await checkout(page, shop, "700.00");
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
  const invoices = await control<Array<{ eshopId: string; form: Record<string, string> }>>(e2eEnv().intellectmoneyUrl, "invoices");
  expect(invoices.some((i) => i.eshopId === "450157" && i.form.UserField_9 === "4242" && i.form.UserField_0 === "wallet@example.com")).toBe(true);
});
