// A restarted sandbox brings its empty stand-ins in line with the database (scripts/sandbox-restore.ts):
// the stored payment method is back in the InSales stand-in, and no id a stand-in hands out meets one the
// app has stored. The whole newcomer's round trip, restart included, is e2e/zero-setup.spec.ts.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { insalesCheckoutSignature, installPaymentsApi, type PaymentsApi } from "../e2e/stand-ins/insales-payments-api";
import { InsalesStandIn } from "../e2e/stand-ins/insales-stand-in";
import { IntellectMoneyStandIn } from "../e2e/stand-ins/intellectmoney-stand-in";
import { decryptSecret, encryptSecret, md5Hex } from "../lib/crypto";
import { db } from "../lib/db";
import { useTestDatabase } from "../tests/support/use-test-database";
import { DEMO_INTELLECTMONEY, registerDemoAccount } from "./sandbox-demo";
import { restoreStandIns } from "./sandbox-restore";

const database = useTestDatabase();
const APP_URL = "http://127.0.0.1:3999";

let counter = 0;
let insales: InsalesStandIn;
let payments: PaymentsApi;
let intellectmoney: IntellectMoneyStandIn;
let shop: { host: string; insalesId: string };

beforeEach(async () => {
  // Ids are read over every shop's payments: each case starts from an empty database.
  await db().$executeRawUnsafe(`TRUNCATE "Shop" CASCADE`);
  counter += 1;
  shop = { host: `restore-${counter}.myinsales.ru`, insalesId: String(700_000 + counter) };
  insales = await new InsalesStandIn({ appUrl: APP_URL, appId: "sandbox_test", appSecret: "secret", callApp: async () => new Response("ok") }).start();
  payments = installPaymentsApi(insales);
  intellectmoney = await new IntellectMoneyStandIn({ deliver: async () => new Response("OK") }).start();
  registerDemoAccount(intellectmoney);
  await insales.install(shop);
});

afterEach(async () => {
  await insales.close();
  await intellectmoney.close();
});

function restore() {
  return restoreStandIns({
    databaseUrl: database.url, shop, appUrl: APP_URL, insales, insalesPayments: payments, intellectmoney,
    decrypt: decryptSecret, knownEshopId: DEMO_INTELLECTMONEY.eshopId,
  });
}

async function storedShop(s: { gatewayId?: string; password?: string; serverUrl?: string; eshopId?: string }) {
  return db().shop.create({
    data: {
      insalesId: shop.insalesId, host: shop.host, apiPasswordEnc: encryptSecret("api-pass"),
      settings: { create: { legalForm: "ORGANIZATION", eshopId: s.eshopId ?? DEMO_INTELLECTMONEY.eshopId, secretKeyEnc: encryptSecret(DEMO_INTELLECTMONEY.secretKey) } },
      ...(s.gatewayId
        ? { gateway: { create: { state: "CONNECTED", gatewayId: s.gatewayId, passwordEnc: encryptSecret(s.password ?? "gw-pass"), serverUrl: s.serverUrl ?? `${insales.shopBase(shop.host)}/payments/external/server` } } }
        : {}),
    },
  });
}

async function storedPayment(shopId: string, ids: { transactionId: string; insalesOrderId: string; orderNumber: string; imPaymentId: string | null }) {
  await db().payment.create({
    data: {
      shopId, ...ids, insalesShopIdRaw: shop.insalesId, amountRaw: "1200.00", orderKey: md5Hex(ids.transactionId), description: "Заказ",
      verifiedBy: "signature", legalForm: "ORGANIZATION", imOrderId: `${ids.orderNumber}-${ids.transactionId}`, eshopId: DEMO_INTELLECTMONEY.eshopId,
      currency: "RUB", amountKopecks: 120000n, status: "PAID",
    },
  });
}

/** An invoice as our checkout posts it (docs/protocols/intellectmoney.md §1), to the stand-in's merchant URL. */
async function newInvoiceNumber(orderId: string): Promise<string> {
  const f = { eshopId: DEMO_INTELLECTMONEY.eshopId, orderId, serviceName: "Заказ", recipientAmount: "10.00", recipientCurrency: "RUB", resultUrl: `${APP_URL}/api/intellectmoney/result` };
  const hash = md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, DEMO_INTELLECTMONEY.secretKey].join("::"));
  const r = await fetch(intellectmoney.merchantUrl, { method: "POST", body: new URLSearchParams({ ...f, hash }), redirect: "manual" });
  expect(r.status).toBe(303);
  return /\/merchant\/invoice\/(\d+)$/.exec(r.headers.get("location") ?? "")![1];
}

describe("restoreStandIns", () => {
  it("puts the stored payment method back (same id and «Пароль») and continues every id above the stored ones", async () => {
    const row = await storedShop({ gatewayId: "500003", password: "stored-gateway-password" });
    await storedPayment(row.id, { transactionId: "2197425", insalesOrderId: "4020295", orderNumber: "1005", imPaymentId: "3000000007" });
    await storedPayment(row.id, { transactionId: "2197423", insalesOrderId: "4020293", orderNumber: "1003", imPaymentId: null });

    const result = await restore();
    expect(result).toEqual({
      gatewayId: 500003,
      idsInUse: { gatewayId: 500003, transactionId: 2197425, orderId: 4020295, orderNumber: 1005, imPaymentId: 3000000007 },
      notes: [],
    });

    const gateway = insales.mustShop(shop.host).gateways.find((g) => g.id === 500003)!;
    expect(gateway).toMatchObject({ url: `${APP_URL}/payment.php`, shop_id: shop.insalesId, password: "stored-gateway-password", delivery_variant_ids: [1001, 1002] });
    expect(gateway.server_url).toBe(`${insales.shopBase(shop.host)}/payments/external/server`);

    // The demo checkout after the restart: new ids, signed with the stored «Пароль» the app will check.
    const { fields, order } = payments.signedCheckout(shop.host);
    expect([order.client_transaction_id, order.id, order.number]).toEqual(["2197426", 4020296, 1006]);
    const values = Object.fromEntries(fields);
    expect(values.signature).toBe(insalesCheckoutSignature(values, "stored-gateway-password"));
    expect(await newInvoiceNumber("1006-2197426")).toBe("3000000008");
  });

  it("an empty database (the first start) changes nothing", async () => {
    expect(await restore()).toEqual({ gatewayId: null, idsInUse: { transactionId: undefined, orderId: undefined, orderNumber: undefined, imPaymentId: undefined }, notes: [] });
    expect(insales.mustShop(shop.host).gateways).toEqual([]);
    expect(payments.createOrder(shop.host).client_transaction_id).toBe("2197421");
    expect(await newInvoiceNumber("1001-2197421")).toBe("3000000001");
  });

  it("says what a newcomer must fix: notice URLs on another InSales port, a «Номер магазина» the stand-in does not know", async () => {
    await storedShop({ gatewayId: "500001", serverUrl: "http://127.0.0.1:1/shops/x/payments/external/server", eshopId: "123456" });
    const { gatewayId, notes } = await restore();
    expect(gatewayId).toBe(500001);
    expect(notes).toEqual([
      expect.stringContaining("press «Обновить способ оплаты» in «Настройки»"),
      expect.stringContaining("«Номер магазина» 123456, which the IntellectMoney stand-in does not know (it answers «Магазин 123456 не найден»)"),
    ]);
  });

  it("a payment method whose «Пароль» cannot be read is left for the merchant to update", async () => {
    const row = await storedShop({ gatewayId: "500002" });
    await db().shopGateway.update({ where: { shopId: row.id }, data: { passwordEnc: "v1.00000000.x.y.z" } });
    const { gatewayId, notes } = await restore();
    expect(gatewayId).toBeNull();
    expect(insales.mustShop(shop.host).gateways).toEqual([]);
    expect(notes).toEqual([expect.stringContaining("the stored payment method cannot be read")]);
  });
});
