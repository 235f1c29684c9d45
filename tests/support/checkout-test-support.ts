// Test support for the checkout and connect-gateway integration tests: an InSales stand-in with the
// payments API on 127.0.0.1:0, and shops that exist both there and in our database (as if installed).
import { installPaymentsApi, type PaymentsApi } from "../../e2e/stand-ins/insales-payments-api";
import { InsalesStandIn, type StandInOrder, type StandInShop } from "../../e2e/stand-ins/insales-stand-in";
import { encryptSecret, md5Hex, randomToken } from "../../lib/crypto";
import { db } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import type { HoldMode, LegalForm } from "../../lib/generated/prisma/enums";
import { TEST_ENV } from "./test-env";

export type TestStandIn = { insales: InsalesStandIn; api: PaymentsApi; close: () => Promise<void> };

/** Starts the stand-in and points INSALES_SHOP_URL_TEMPLATE at it (call inside beforeAll, after the DB). */
export async function startTestStandIn(): Promise<TestStandIn> {
  const insales = await new InsalesStandIn({ appUrl: TEST_ENV.APP_URL, appId: TEST_ENV.INSALES_APP_ID, appSecret: TEST_ENV.INSALES_APP_SECRET }).start();
  const api = installPaymentsApi(insales);
  process.env.INSALES_SHOP_URL_TEMPLATE = insales.shopUrlTemplate;
  resetEnvCache();
  return { insales, api, close: () => insales.close() };
}

let counter = 0;

export type TestShop = { id: string; host: string; insalesId: string; standIn: StandInShop };

/** A shop installed in both the stand-in and our database (what the install flow would leave). */
export async function addInstalledShop(standIn: InsalesStandIn, opts: { status?: "ACTIVE" | "UNINSTALLED" } = {}): Promise<TestShop> {
  counter += 1;
  const insalesId = String(700_000 + counter + Math.floor(Math.random() * 10_000) * 100);
  const host = `shop-${insalesId}.myinsales.ru`;
  const apiPassword = md5Hex(randomToken(8) + TEST_ENV.INSALES_APP_SECRET);
  const standInShop: StandInShop = {
    host, insalesId, title: `Магазин ${insalesId}`, ownerEmail: `owner@${host}`, apiPassword, installed: true,
    user: { id: "1", email: `manager@${host}`, name: "Игорь", emailConfirmed: true }, loginTamper: null,
    deliveryVariants: [{ id: 1001, title: "Курьер" }, { id: 1002, title: "Самовывоз" }, { id: 1003, title: "Почта России" }],
    gateways: [], orders: [],
  };
  standIn.shops.set(host, standInShop);
  const shop = await db().shop.create({
    data: {
      insalesId, host, status: opts.status ?? "ACTIVE", apiPasswordEnc: opts.status === "UNINSTALLED" ? null : encryptSecret(apiPassword),
      settings: { create: {} },
    },
  });
  return { id: shop.id, host, insalesId, standIn: standInShop };
}

export type OrganizationSettings = {
  eshopId?: string; secretKey?: string; testMode?: boolean; holdMode?: HoldMode; holdHours?: number | null;
  invoiceLifetimeDays?: number | null; preference?: string[];
};

export async function configureOrganization(shopId: string, s: OrganizationSettings = {}): Promise<void> {
  await db().shopSettings.update({
    where: { shopId },
    data: {
      legalForm: "ORGANIZATION" satisfies LegalForm,
      eshopId: s.eshopId ?? "17354",
      secretKeyEnc: encryptSecret(s.secretKey ?? "test"),
      testMode: s.testMode ?? false,
      holdMode: s.holdMode ?? "NO_HOLD",
      holdHours: s.holdHours ?? null,
      invoiceLifetimeDays: s.invoiceLifetimeDays ?? null,
      preference: s.preference ?? [],
    },
  });
}

/** `secretKey`: the wallet payment form's «Секретный ключ» (none: its notifications are claims, §2). */
export async function configureWallet(shopId: string, s: { formId?: string; login?: string; secretKey?: string } = {}): Promise<void> {
  await db().shopSettings.update({
    where: { shopId },
    data: {
      legalForm: "INDIVIDUAL", walletFormId: s.formId ?? "4242", walletLogin: s.login ?? "wallet@example.com", eshopId: null, secretKeyEnc: null,
      ...(s.secretKey ? { walletSecretKeyEnc: encryptSecret(s.secretKey) } : {}),
    },
  });
}

/**
 * An order in the stand-in with a fixed id and key (for checkouts built from fixed values, e.g. the vendor
 * vector), so the app can read it through the API — e.g. for its currency (lib/checkout/checkout-currency.ts).
 */
export function addStandInOrder(shop: StandInShop, o: { id: number; key: string; amount?: string; currency?: string; transactionId?: string }): StandInOrder {
  const total = o.amount ?? "1200.0";
  const order: StandInOrder = {
    id: o.id, key: o.key, number: 9999, total_price: total, financial_status: "pending", payment_gateway_id: shop.gateways.at(-1)?.id ?? null,
    client_transaction_id: o.transactionId ?? "2197421", currency_code: o.currency ?? "RUR",
    client: { email: "buyer@example.com", phone: "79991234567", name: "Иван Покупатель" },
    order_lines: [{ id: 1, title: "Книга", quantity: 1, sale_price: total, full_sale_price: total, full_total_price: total }],
    full_delivery_price: "0.0", notices: [],
  };
  shop.orders.push(order);
  return order;
}

/**
 * The shop of the vendor-published checkout vector (docs/protocols/test-vectors.md: insales_id 123, host
 * test.myinsales.ru, order 4020290) in the stand-in, with that order, so the app can read its currency.
 */
export function addVectorShopToStandIn(standIn: InsalesStandIn, apiPassword: string): StandInShop {
  const shop: StandInShop = {
    host: "test.myinsales.ru", insalesId: "123", title: "Тестовый магазин", ownerEmail: "owner@test.myinsales.ru", apiPassword, installed: true,
    user: { id: "1", email: "manager@test.myinsales.ru", name: "Игорь", emailConfirmed: true }, loginTamper: null, deliveryVariants: [], gateways: [], orders: [],
  };
  standIn.shops.set(shop.host, shop);
  addStandInOrder(shop, { id: 4020290, key: "201c02c69db32b95ecf878b3172121c4" });
  return shop;
}

/** The gateway as if connected through the API, with the «Пароль» InSales signs checkouts with. */
export async function connectGatewayDirectly(shop: TestShop, password = "secretpass"): Promise<void> {
  const id = 900_000 + Math.floor(Math.random() * 99_999);
  shop.standIn.gateways.push({
    id, type: "PaymentGateway::External", title: "IntellectMoney", url: `${TEST_ENV.APP_URL}/payment.php`, shop_id: shop.insalesId, password,
    success_url: "", fail_url: "", server_url: "", delivery_variant_ids: [1001],
  });
  await db().shopGateway.upsert({
    where: { shopId: shop.id },
    create: { shopId: shop.id, state: "CONNECTED", gatewayId: String(id), passwordEnc: encryptSecret(password) },
    update: { state: "CONNECTED", gatewayId: String(id), passwordEnc: encryptSecret(password) },
  });
}

/** A POST as the buyer's browser sends it. */
export function formRequest(url: string, fields: Record<string, string> | Array<[string, string]>, contentType = "application/x-www-form-urlencoded"): Request {
  return new Request(url, { method: "POST", headers: { "content-type": contentType }, body: new URLSearchParams(fields).toString() });
}

/** The hidden inputs of an auto-submit page, in order. */
export function formFields(html: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  for (const m of html.matchAll(/<input[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"[^>]*>/g)) out.push([decode(m[1]), decode(m[2])]);
  return out;
}

export function formAction(html: string): string | null {
  const m = /<form[^>]*\baction="([^"]*)"/.exec(html);
  return m ? m[1].replace(/&amp;/g, "&") : null;
}
