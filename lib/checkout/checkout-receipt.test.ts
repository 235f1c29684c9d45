// The checkout with «Фискальные чеки (54-ФЗ)» on (issue 7; docs/protocols/intellectmoney.md §6): the invoice
// form carries `merchantReceipt` built from the InSales order (order_json, else the API), escaped once,
// outside the hash; without a receipt there is no invoice.
import { beforeAll, describe, expect, it } from "vitest";
import { POST as paymentPhp } from "../../app/payment.php/route";
import { insalesCheckoutSignature } from "../../e2e/stand-ins/insales-payments-api";
import type { StandInOrder } from "../../e2e/stand-ins/insales-stand-in";
import { md5Hex } from "../crypto";
import { db } from "../db";
import { buildReceipt, type Receipt } from "../intellectmoney/receipt";
import { parseKopecks } from "../money";
import { recordRoundTrips } from "../../tests/support/count-round-trips";
import { useTestDatabase } from "../../tests/support/use-test-database";
import {
  addInstalledShop,
  configureOrganization,
  configureWallet,
  connectGatewayDirectly,
  formFields,
  formRequest,
  startTestStandIn,
  type TestShop,
  type TestStandIn,
} from "../../tests/support/checkout-test-support";

useTestDatabase();

const APP = "https://app.test.local";
const INN = "7707083893";
const RECEIPT_SETTINGS = { inn: INN, group: "Main", vatGoods: 1, vatDelivery: 6, subjectType: 1, methodType: 4 };

let stand: TestStandIn;

beforeAll(async () => {
  stand = await startTestStandIn();
  return () => stand.close();
});

async function shopWithReceipts(over: { receiptsEnabled?: boolean; receiptGroup?: string | null } = {}): Promise<TestShop> {
  const shop = await addInstalledShop(stand.insales);
  await configureOrganization(shop.id, { eshopId: "17354", secretKey: "test" });
  await connectGatewayDirectly(shop, "gw");
  await db().shopSettings.update({
    where: { shopId: shop.id },
    data: { receiptsEnabled: over.receiptsEnabled ?? true, receiptInn: INN, receiptGroup: over.receiptGroup === undefined ? "Main" : over.receiptGroup, receiptVatGoods: 1, receiptVatDelivery: 6, receiptSubjectType: 1, receiptMethodType: 4 },
  });
  return shop;
}

/** A stand-in order: 3 × 333.33 and 1 × «Чай <b>"&amp;'», 300.00 delivery, a 100.00 coupon → 1199.99. */
function orderWithDiscount(shop: TestShop, client: Partial<StandInOrder["client"]> = {}): StandInOrder {
  const order = stand.api.createOrder(shop.host, { amount: "1199.99" });
  order.order_lines = [
    { id: 1, title: "Книга «Хочу всё знать»", quantity: 3, sale_price: "333.33", full_sale_price: "333.33", full_total_price: "999.99" },
    { id: 2, title: `Чай <b>"&amp;'`, quantity: 1, sale_price: "0.01", full_sale_price: "0.01", full_total_price: "0.01" },
  ];
  order.full_delivery_price = "300.0";
  order.client = { ...order.client, ...client };
  return order;
}

/** The checkout InSales would POST for `order`, signed with the gateway password (order_json optional). */
function signed(shop: TestShop, order: StandInOrder, edit: Record<string, string> = {}, password = "gw"): Record<string, string> {
  const fields: Record<string, string> = {
    shop_id: shop.insalesId,
    amount: "1199.99",
    transaction_id: order.client_transaction_id!,
    key: order.key,
    description: `Заказ №${order.number} на сайте ${shop.host}`,
    order_id: String(order.id),
    phone: "",
    email: "buyer@example.com",
    ...edit,
  };
  return { ...fields, signature: insalesCheckoutSignature(fields, password) };
}

const post = (fields: Record<string, string>) => paymentPhp(formRequest(`${APP}/payment.php`, fields));

function expectedReceipt(order: unknown, contact: string, amount = 119999n): Receipt {
  const r = buildReceipt({ order, amountKopecks: amount, customerContact: contact, settings: RECEIPT_SETTINGS });
  if (!r.ok) throw new Error(r.reason);
  return r.receipt;
}

function orderApiCalls(shop: TestShop) {
  return stand.api.calls.filter((c) => c.host === shop.host && c.path.startsWith("/admin/orders/"));
}

/** Σ quantity × price of the receipt, in kopecks. */
function receiptTotal(r: Receipt): bigint {
  return r.content.positions.reduce((sum, p) => sum + parseKopecks(p.price.toFixed(2))! * BigInt(p.quantity), 0n);
}

describe("checkout with receipts: «Группа касс»", () => {
  it("an empty group sends `\"group\":null`, the account's default group, as IntellectMoney's library does — never a made-up Main", async () => {
    // docs/protocols/intellectmoney.md §6: the library's MerchantReceiptHelper sends null for an empty group.
    const shop = await shopWithReceipts({ receiptGroup: null });
    const order = orderWithDiscount(shop);
    const response = await post(signed(shop, order, { order_json: JSON.stringify({ ...order, notices: undefined }) }));
    expect(response.status).toBe(200);
    const f = Object.fromEntries(formFields(await response.text()));
    expect(f.merchantReceipt).toMatch(/^\{"inn":"7707083893","group":null,"content":/);
    expect(JSON.parse(f.merchantReceipt).group).toBeNull();
  });

  it("a group the merchant set is sent as set", async () => {
    const shop = await shopWithReceipts({ receiptGroup: "Web" });
    const order = orderWithDiscount(shop);
    const response = await post(signed(shop, order, { order_json: JSON.stringify({ ...order, notices: undefined }) }));
    expect(JSON.parse(Object.fromEntries(formFields(await response.text())).merchantReceipt).group).toBe("Web");
  });
});

describe("checkout with receipts: where the order comes from", () => {
  it("builds the receipt from the signed order_json without calling the InSales API", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    const orderJson = JSON.stringify({ ...order, notices: undefined });
    const response = await post(signed(shop, order, { order_json: orderJson }));
    expect(response.status).toBe(200);
    const f = Object.fromEntries(formFields(await response.text()));
    const receipt = JSON.parse(f.merchantReceipt) as Receipt;
    expect(receipt).toEqual(expectedReceipt(JSON.parse(orderJson), "buyer@example.com"));
    expect(receiptTotal(receipt)).toBe(119999n);
    expect(receipt.content.positions.at(-1)).toEqual({ quantity: 1, price: 300, tax: 6, text: "Доставка", paymentSubjectType: 4, paymentMethodType: 4 });
    expect(orderApiCalls(shop)).toHaveLength(0);

    // §6: not part of any hash — the hash is the 5-field formula over the exact strings sent.
    expect(f.hash).toBe(md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, "test"].join("::")));
    const payment = await db().payment.findFirstOrThrow({ where: { shopId: shop.id }, include: { events: true } });
    const attached = payment.events.find((e) => e.type === "receipt_attached");
    expect(attached?.data).toMatchObject({ source: "order_json", positions: receipt.content.positions.length });
    expect(JSON.stringify(payment.events)).not.toContain("buyer@example.com");
  });

  it("reads the order through GET /admin/orders/<id>.json when order_json is absent; contact falls back to the phone", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    const response = await post(signed(shop, order, { email: "", phone: "+79991234567" }));
    expect(response.status).toBe(200);
    const f = Object.fromEntries(formFields(await response.text()));
    const receipt = JSON.parse(f.merchantReceipt) as Receipt;
    const { notices: _n, ...apiOrder } = order;
    expect(receipt).toEqual(expectedReceipt(apiOrder, "+79991234567"));
    expect(receipt.content.customerContact).toBe("+79991234567");
    expect(receiptTotal(receipt)).toBe(119999n);
    expect(orderApiCalls(shop)).toEqual([{ host: shop.host, method: "GET", path: `/admin/orders/${order.id}.json`, status: 200 }]);
  });

  it("takes the order's client e-mail when the checkout carries no contact", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop, { email: "client@example.com" });
    const f = Object.fromEntries(formFields(await (await post(signed(shop, order, { email: "", phone: "" }))).text()));
    expect((JSON.parse(f.merchantReceipt) as Receipt).content.customerContact).toBe("client@example.com");
  });

  it("uses the order the API fallback already read (signature mismatch) and asks InSales once", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    // Signed with another password: the signature fails, the API confirms the order. The forged
    // order_json (not covered by any valid signature) must not be what the receipt shows.
    const forged = JSON.stringify({ order_lines: [{ title: "Подделка", quantity: 1, full_total_price: "899.99" }], full_delivery_price: "300.0" });
    const response = await post(signed(shop, order, { amount: "1199.99", order_json: forged }, "not-the-password"));
    expect(response.status).toBe(200);
    const receipt = JSON.parse(Object.fromEntries(formFields(await response.text())).merchantReceipt) as Receipt;
    expect(receipt.content.positions.map((p) => p.text)).not.toContain("Подделка");
    expect(receipt.content.positions[0].text).toBe("Книга «Хочу всё знать»");
    expect(orderApiCalls(shop)).toHaveLength(1);
  });

  it("sends no receipt when receipts are off, and none for a wallet even if the flag stayed on", async () => {
    // Without order_json the order is read once, for its currency only (issue 13 item 5, checkout-currency.ts);
    // no receipt is built from it.
    const off = await shopWithReceipts({ receiptsEnabled: false });
    const a = Object.fromEntries(formFields(await (await post(signed(off, orderWithDiscount(off)))).text()));
    expect(a.merchantReceipt).toBeUndefined();
    expect(orderApiCalls(off)).toHaveLength(1);

    const wallet = await shopWithReceipts();
    await configureWallet(wallet.id);
    const b = Object.fromEntries(formFields(await (await post(signed(wallet, orderWithDiscount(wallet)))).text()));
    expect(b.eshopId).toBe("450157");
    expect(b.merchantReceipt).toBeUndefined();
    expect(orderApiCalls(wallet)).toHaveLength(1);
  });

  it("answers a repeat POST with the same receipt", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    const fields = signed(shop, order, { order_json: JSON.stringify(order) });
    const first = Object.fromEntries(formFields(await (await post(fields)).text()));
    const second = Object.fromEntries(formFields(await (await post(fields)).text()));
    expect(second.merchantReceipt).toBe(first.merchantReceipt);
    expect(second.orderId).toBe(first.orderId);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(1);
  });
});

describe("checkout with receipts: the HTML form", () => {
  it("escapes the receipt JSON exactly once: parsed back from the page it equals the built receipt", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    const html = await (await post(signed(shop, order, { order_json: JSON.stringify(order) }))).text();
    // The literal «&amp;» of the item name is escaped once (&amp;amp;), never twice, and no raw quote
    // or tag from the receipt reaches the markup.
    expect(html).toContain("&amp;amp;");
    expect(html).not.toContain("&amp;amp;amp;");
    expect(html).not.toContain("&amp;quot;");
    expect(html).not.toContain("<b>");
    const value = /<input type="hidden" name="merchantReceipt" value="([^"]*)">/.exec(html)![1];
    expect(value.startsWith("{&quot;inn&quot;:&quot;7707083893&quot;")).toBe(true);
    const receipt = JSON.parse(Object.fromEntries(formFields(html)).merchantReceipt) as Receipt;
    expect(receipt).toEqual(expectedReceipt(order, "buyer@example.com"));
    expect(receipt.content.positions.map((p) => p.text)).toContain(`Чай <b>"&amp;'`);
  });
});

describe("checkout with receipts: no receipt, no invoice", () => {
  async function refusalRecord(shop: TestShop) {
    const problems = await db().problem.findMany({ where: { shopId: shop.id } });
    const events = await db().paymentEvent.findMany({ where: { shopId: shop.id, type: "checkout_rejected" } });
    return { problems: problems.map((p) => p.message), events: events.map((e) => e.message) };
  }

  it("refuses with 503 and a Russian page when InSales cannot be asked for the order; records why", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    stand.api.rateLimit(shop.host, 10, 503, 0);
    const response = await post(signed(shop, order));
    stand.api.rateLimit(shop.host, 0);
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toContain("Не удалось получить состав заказа для кассового чека");
    expect(html).not.toContain("merchantReceipt");
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const { problems, events } = await refusalRecord(shop);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("не удалось сформировать фискальный чек (54-ФЗ): API InSales не ответил на запрос заказа (rate_limited)");
    expect(events).toHaveLength(1);
  });

  it("refuses with 422 when the order is unknown to InSales or has no buyer contact", async () => {
    const shop = await shopWithReceipts();
    const order = orderWithDiscount(shop);
    const unknown = await post(signed(shop, order, { order_id: "999999999" }));
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain("Магазин не может сейчас выдать кассовый чек по этому заказу");

    const noContact = orderWithDiscount(shop, { email: "", phone: "" });
    const response = await post(signed(shop, noContact, { email: "", phone: "" }));
    expect(response.status).toBe(422);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const { problems } = await refusalRecord(shop);
    expect(problems.some((m) => m.includes("заказ не найден через API InSales"))).toBe(true);
    expect(problems.some((m) => m.includes("у покупателя нет ни e-mail, ни телефона"))).toBe(true);
  });

  it("refuses when the receipt settings are incomplete in the database (never an invoice without its receipt)", async () => {
    const shop = await shopWithReceipts();
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { receiptVatGoods: null } });
    const response = await post(signed(shop, orderWithDiscount(shop), { order_json: "" }));
    expect(response.status).toBe(422);
    expect((await refusalRecord(shop)).problems[0]).toContain("настройки чеков заполнены не полностью");
  });
});

describe("checkout with receipts: SQL round trips", () => {
  it("costs no more SQL round trips than without receipts (≤ 3) when order_json is present", async () => {
    const shop = await shopWithReceipts();
    await post(signed(shop, orderWithDiscount(shop), { order_json: "{}" })); // warm the pool (an API fallback order)
    const order = orderWithDiscount(shop);
    const { result, sql } = await recordRoundTrips(() => post(signed(shop, order, { order_json: JSON.stringify(order) })));
    expect(result.status).toBe(200);
    expect(sql.length, `checkout statements:\n${sql.join("\n---\n")}`).toBeLessThanOrEqual(3);
    expect(orderApiCalls(shop)).toHaveLength(1); // only the warm-up's unusable order_json asked the API
  });
});
