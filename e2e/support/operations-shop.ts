// Arranges shops and payments for the Merchant API specs (e2e/operations.spec.ts): an installed shop with
// its settings and a connected «Внешний способ оплаты», the API token and sign key written straight to the
// database (encrypted like the settings screen does) and registered at the IntellectMoney stand-in, and
// a buyer's checkout up to the stand-in's payment page. The settings UI for the token is tested by the
// settings specs; here only the operations are under test.
import { expect, type Page } from "@playwright/test";
import { withDb } from "./db";
import { control, e2eEnv } from "./e2e-env";
import { readyShop, type ReadyShop } from "./ready-shop";

export type OperationsShop = ReadyShop;

export type OperationsSetup = {
  holdMode?: "HOLD" | "NO_HOLD";
  testMode?: boolean;
  /** What the app holds as the Merchant API credentials (default: what IntellectMoney issued). */
  apiToken?: string;
  signSecret?: string;
};

/** A shop holding Merchant API credentials (by default the ones IntellectMoney issued). */
export function operationsShop(prefix: string, s: OperationsSetup = {}): Promise<OperationsShop> {
  return readyShop(prefix, { holdMode: s.holdMode, testMode: s.testMode, merchantApi: { apiToken: s.apiToken, signSecret: s.signSecret } });
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

export type StandInApiCall = {
  method: string;
  orderId: string;
  amount: string | null;
  contentType: string;
  headers: boolean;
  authorized: boolean;
  signed: boolean;
  hashed: boolean;
  operationCode: number | null;
  resultCode: number | null;
  desc: string;
  refundAmount: string | null;
};

/** The Merchant API calls the IntellectMoney stand-in received for one invoice, without the refund read-backs. */
export async function merchantApiCalls(imOrderId: string): Promise<StandInApiCall[]> {
  return (await allMerchantApiCalls(imOrderId)).filter((c) => c.method !== "getPurchaseInfo");
}

/** Every Merchant API call for one invoice, getPurchaseInfo (the refund read-back) included. */
export function allMerchantApiCalls(imOrderId: string): Promise<StandInApiCall[]> {
  return control<StandInApiCall[]>(e2eEnv().intellectmoneyUrl, `api-calls?orderId=${encodeURIComponent(imOrderId)}`);
}

export type MerchantApiBehaviour = { warning?: string; refundWholeRemainder?: boolean; purchaseInfo?: "ok" | "unavailable" | "no_refund_field"; hangAfterExecuting?: boolean };

/** Vendor edges the stand-in's Merchant API meets for one invoice (e2e/stand-ins/intellectmoney-merchant-api.ts). */
export async function merchantApiBehaviour(imOrderId: string, behaviour: MerchantApiBehaviour): Promise<void> {
  await control(e2eEnv().intellectmoneyUrl, "merchant-api-behaviour", { orderId: imOrderId, ...behaviour });
}
