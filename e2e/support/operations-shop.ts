// Arranges shops and payments for the Merchant API specs (e2e/operations.spec.ts): an installed shop with
// its settings and a connected «Внешний способ оплаты», the API token and sign key written straight to the
// database (encrypted like the settings screen does) and registered at the IntellectMoney stand-in, and
// a buyer's checkout up to the stand-in's payment page. The settings UI for the token is tested by the
// settings specs; here only the operations are under test.
import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { encryptSecret } from "../../lib/crypto";
import { resetEnvCache } from "../../lib/env";
import { TEST_ENV } from "../../lib/testing/test-env";
import { shopId, withDb } from "./db";
import { control, e2eEnv } from "./e2e-env";
import { installShop, uniqueShop } from "./login";
import { E2E_SECRETS } from "./secrets";

export type OperationsShop = { host: string; insalesId: string; eshopId: string };

export type OperationsSetup = {
  holdMode?: "HOLD" | "NO_HOLD";
  testMode?: boolean;
  /** What the app holds as the Merchant API credentials (default: what IntellectMoney issued). */
  apiToken?: string;
  signSecret?: string;
};

/** The spec seals secrets with the same key as the app under test (e2e/global-setup.ts). */
export function seal(plain: string): string {
  Object.assign(process.env, { ...TEST_ENV, DATABASE_URL: e2eEnv().databaseUrl });
  resetEnvCache();
  return encryptSecret(plain);
}

let counter = 0;

export async function operationsShop(prefix: string, s: OperationsSetup = {}): Promise<OperationsShop> {
  const { appUrl, insalesUrl, intellectmoneyUrl } = e2eEnv();
  const base = uniqueShop(prefix);
  await installShop(base);
  counter += 1;
  const eshopId = String(100_000 + ((Number(base.insalesId.slice(-5)) * 7 + counter) % 800_000));
  const shop = { ...base, eshopId };
  // IntellectMoney issued these; the app may hold others (a wrong token or sign key).
  await control(intellectmoneyUrl, "shops", { eshopId, secretKey: E2E_SECRETS.secretKey, apiToken: E2E_SECRETS.apiToken, signSecretKey: E2E_SECRETS.signSecret });

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
    const id = await shopId(c, shop.insalesId);
    await c.query(
      `INSERT INTO "ShopSettings" ("shopId", "legalForm", "eshopId", "secretKeyEnc", "testMode", "holdMode", "apiTokenEnc", "signSecretEnc", "updatedAt")
       VALUES ($1, 'ORGANIZATION', $2, $3, $4, $5::"HoldMode", $6, $7, now())
       ON CONFLICT ("shopId") DO UPDATE SET "legalForm" = 'ORGANIZATION', "eshopId" = EXCLUDED."eshopId", "secretKeyEnc" = EXCLUDED."secretKeyEnc",
         "testMode" = EXCLUDED."testMode", "holdMode" = EXCLUDED."holdMode", "apiTokenEnc" = EXCLUDED."apiTokenEnc", "signSecretEnc" = EXCLUDED."signSecretEnc", "updatedAt" = now()`,
      [id, eshopId, seal(E2E_SECRETS.secretKey), s.testMode ?? false, s.holdMode ?? "NO_HOLD", seal(s.apiToken ?? E2E_SECRETS.apiToken), seal(s.signSecret ?? E2E_SECRETS.signSecret)],
    );
    await c.query(
      `INSERT INTO "ShopGateway" ("shopId", state, "gatewayId", "passwordEnc", "successUrl", "failUrl", "serverUrl", "syncedAt", "updatedAt")
       VALUES ($1, 'CONNECTED', $2, $3, $4, $5, $6, now(), now())
       ON CONFLICT ("shopId") DO UPDATE SET state = 'CONNECTED', "gatewayId" = EXCLUDED."gatewayId", "passwordEnc" = EXCLUDED."passwordEnc",
         "successUrl" = EXCLUDED."successUrl", "failUrl" = EXCLUDED."failUrl", "serverUrl" = EXCLUDED."serverUrl", "updatedAt" = now()`,
      [id, String(gateway.id), seal(password), gateway.success_url, gateway.fail_url, gateway.server_url],
    );
  });
  return shop;
}

export type CheckedOut = { orderKey: string; paymentId: string; imOrderId: string };

/** The buyer checks out in the shop and lands on the stand-in's payment page; our payment's ids. */
export async function checkoutToPaymentPage(page: Page, shop: OperationsShop, amount = "1500.00"): Promise<CheckedOut> {
  const { insalesUrl } = e2eEnv();
  await page.goto(`${insalesUrl}/shops/${shop.host}/checkout?amount=${amount}`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  const standIn = await control<{ orders: Array<{ key: string }> }>(insalesUrl, `shop?host=${shop.host}`);
  const orderKey = standIn.orders.at(-1)!.key;
  const payment = await withDb(async (c) => {
    const r = await c.query<{ id: string; imOrderId: string }>(
      `SELECT p.id, p."imOrderId" FROM "Payment" p JOIN "Shop" s ON s.id = p."shopId" WHERE s."insalesId" = $1 AND p."orderKey" = $2`,
      [shop.insalesId, orderKey],
    );
    return r.rows[0];
  });
  if (!payment) throw new Error("no payment recorded for the checkout");
  return { orderKey, paymentId: payment.id, imOrderId: payment.imOrderId };
}

export type InsalesNotices = { financial_status: string; notices: Array<{ channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean }> };

export function insalesNotices(shop: OperationsShop, orderKey: string): Promise<InsalesNotices> {
  return control<InsalesNotices>(e2eEnv().insalesUrl, `external-payments/notices?host=${shop.host}&key=${orderKey}`);
}

export type StandInApiCall = { method: string; orderId: string; amount: string | null; headers: boolean; authorized: boolean; signed: boolean; hashed: boolean; operationCode: number; resultCode: number; desc: string };

/** The Merchant API calls the IntellectMoney stand-in received for one invoice. */
export function merchantApiCalls(imOrderId: string): Promise<StandInApiCall[]> {
  return control<StandInApiCall[]>(e2eEnv().intellectmoneyUrl, `api-calls?orderId=${encodeURIComponent(imOrderId)}`);
}
