// An installed shop ready to take payments, arranged the way the settings screen and the connect button
// leave it: settings saved (secrets encrypted with the app's key), the «Внешний способ оплаты» created in
// InSales through the stand-in's API, and IntellectMoney (its stand-in) knowing the shop's keys. The
// settings UI itself is tested by e2e/settings.spec.ts; payment specs only need the result.
import { randomBytes } from "node:crypto";
import { expect } from "@playwright/test";
import { encryptSecret } from "../../lib/crypto";
import { resetEnvCache } from "../../lib/env";
import { TEST_ENV } from "../../tests/support/test-env";
import { shopId, withDb } from "./db";
import { control, e2eEnv } from "./e2e-env";
import { installShop, uniqueShop } from "./login";
import { E2E_SECRETS } from "./secrets";

/** `walletFormId`: the personal-wallet payment form («ID формы»), for INDIVIDUAL shops. */
export type ReadyShop = { host: string; insalesId: string; eshopId: string; walletFormId?: string };

export type ReadyShopSetup = {
  legalForm?: "ORGANIZATION" | "INDIVIDUAL";
  testMode?: boolean;
  holdMode?: "HOLD" | "NO_HOLD";
  markPaidOnHold?: boolean;
  /** Merchant API credentials the app holds; IntellectMoney always issued E2E_SECRETS' (a wrong one tests a refusal). */
  merchantApi?: { apiToken?: string; signSecret?: string };
  /**
   * INDIVIDUAL: the wallet form's «Секретный ключ», held by the app and registered at the IntellectMoney
   * stand-in, which then signs the form's notifications with it. Without it they are unverifiable (claims).
   */
  walletSecretKey?: string;
};

/** The spec seals secrets with the same key as the app under test (e2e/global-setup.ts). */
export function seal(plain: string): string {
  Object.assign(process.env, { ...TEST_ENV, DATABASE_URL: e2eEnv().databaseUrl });
  resetEnvCache();
  return encryptSecret(plain);
}

let counter = 0;

export async function readyShop(prefix: string, s: ReadyShopSetup = {}): Promise<ReadyShop> {
  const { appUrl, insalesUrl, intellectmoneyUrl } = e2eEnv();
  const base = uniqueShop(prefix);
  await installShop(base);
  counter += 1;
  const eshopId = String(100_000 + ((Number(base.insalesId.slice(-5)) * 7 + counter) % 800_000));
  const wallet = s.legalForm === "INDIVIDUAL";
  // A form of its own per shop: the stand-in keys wallet forms by id (docs/protocols/intellectmoney.md §2).
  const walletFormId = wallet ? `7${eshopId}` : undefined;
  const shop: ReadyShop = { ...base, eshopId, ...(walletFormId ? { walletFormId } : {}) };
  if (wallet && s.walletSecretKey) await control(intellectmoneyUrl, "shops", { walletFormId, secretKey: s.walletSecretKey });
  if (!wallet) {
    await control(intellectmoneyUrl, "shops", {
      eshopId,
      secretKey: E2E_SECRETS.secretKey,
      ...(s.merchantApi ? { apiToken: E2E_SECRETS.apiToken, signSecretKey: E2E_SECRETS.signSecret } : {}),
    });
  }

  const standIn = await control<{ apiPassword: string }>(insalesUrl, `shop?host=${shop.host}`);
  const password = randomBytes(12).toString("hex");
  const created = await fetch(`${insalesUrl}/shops/${shop.host}/admin/payment_gateways.json`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`intellectmoney_e2e:${standIn.apiPassword}`).toString("base64")}` },
    body: JSON.stringify({ payment_gateway: { type: "PaymentGateway::External", title: "IntellectMoney", url: `${appUrl}/payment.php`, shop_id: shop.insalesId, password, payment_delivery_variants_attributes: [{ delivery_variant_id: 1001 }] } }),
  });
  expect(created.status).toBe(201);
  const gateway = (await created.json()) as { id: number; success_url: string; fail_url: string; server_url: string };

  const api = s.merchantApi;
  await withDb(async (c) => {
    const id = await shopId(c, shop.insalesId);
    await c.query(
      `INSERT INTO "ShopSettings" ("shopId", "legalForm", "eshopId", "secretKeyEnc", "testMode", "holdMode", "markPaidOnHold", "walletFormId", "walletLogin", "apiTokenEnc", "signSecretEnc", "walletSecretKeyEnc", "updatedAt")
       VALUES ($1, $2::"LegalForm", $3, $4, $5, $6::"HoldMode", $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT ("shopId") DO UPDATE SET "legalForm" = EXCLUDED."legalForm", "eshopId" = EXCLUDED."eshopId", "secretKeyEnc" = EXCLUDED."secretKeyEnc",
         "testMode" = EXCLUDED."testMode", "holdMode" = EXCLUDED."holdMode", "markPaidOnHold" = EXCLUDED."markPaidOnHold",
         "walletFormId" = EXCLUDED."walletFormId", "walletLogin" = EXCLUDED."walletLogin", "apiTokenEnc" = EXCLUDED."apiTokenEnc",
         "signSecretEnc" = EXCLUDED."signSecretEnc", "walletSecretKeyEnc" = EXCLUDED."walletSecretKeyEnc", "updatedAt" = now()`,
      [
        id, wallet ? "INDIVIDUAL" : "ORGANIZATION", wallet ? null : eshopId, wallet ? null : seal(E2E_SECRETS.secretKey), s.testMode ?? false,
        s.holdMode ?? "NO_HOLD", s.markPaidOnHold ?? false, walletFormId ?? null, wallet ? "wallet@example.com" : null,
        api ? seal(api.apiToken ?? E2E_SECRETS.apiToken) : null, api ? seal(api.signSecret ?? E2E_SECRETS.signSecret) : null,
        wallet && s.walletSecretKey ? seal(s.walletSecretKey) : null,
      ],
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
