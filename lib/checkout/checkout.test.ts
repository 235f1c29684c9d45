import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as paymentPhp } from "../../app/payment.php/route";
import { POST as apiPayment } from "../../app/api/insales/payment/route";
import { insalesCheckoutSignature, insalesCompactCheckoutSignature } from "../../e2e/stand-ins/insales-payments-api";
import { encryptSecret, md5Hex } from "../crypto";
import { db } from "../db";
import { formActionAllows } from "../../tests/support/csp-source-match";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { startCheckout } from "./checkout";
import { MAX_CHECKOUT_BODY_BYTES } from "../../app/api/insales/payment/checkout-http";
import {
  addInstalledShop,
  addVectorShopToStandIn,
  configureOrganization,
  configureWallet,
  connectGatewayDirectly,
  formAction,
  formFields,
  formRequest,
  startTestStandIn,
  type TestShop,
  type TestStandIn,
} from "../../tests/support/checkout-test-support";

useTestDatabase();

const APP = "https://app.test.local";
const MERCHANT_URL = "http://127.0.0.1:1/merchant/";

// docs/protocols/test-vectors.md «InSales checkout signature (no conversion, no order_json)».
const VECTOR = {
  shop_id: "123",
  amount: "1200.00",
  transaction_id: "2197421",
  key: "201c02c69db32b95ecf878b3172121c4",
  description: "Заказ №9999 на сайте test.myinsales.ru",
  order_id: "4020290",
  phone: "79991234567",
  email: "buyer@example.com",
  signature: "7a6d359379d29451365a664a332658df",
};

let stand: TestStandIn;
let vectorShop: TestShop;

beforeAll(async () => {
  stand = await startTestStandIn();
  // The vector's shop: insales_id 123, payment-method «Пароль» secretpass.
  const shop = await db().shop.create({
    data: { insalesId: "123", host: "test.myinsales.ru", apiPasswordEnc: encryptSecret("unused"), settings: { create: {} } },
  });
  // The vector's order exists in the stand-in too: without order_json or conversion the app reads its currency
  // from the API (checkout-currency.ts).
  const standInShop = addVectorShopToStandIn(stand.insales, "unused");
  vectorShop = { id: shop.id, host: "test.myinsales.ru", insalesId: "123", standIn: standInShop };
  await db().shopGateway.create({ data: { shopId: shop.id, state: "CONNECTED", gatewayId: "1", passwordEnc: encryptSecret("secretpass") } });
  await configureOrganization(shop.id, { eshopId: "17354", secretKey: "test" });
});
afterAll(async () => {
  await stand?.close();
});

const post = (fields: Record<string, string> | Array<[string, string]>, path = "/payment.php", contentType?: string) =>
  paymentPhp(formRequest(`${APP}${path}`, fields, contentType));

function asMap(fields: Array<[string, string]>) {
  return Object.fromEntries(fields);
}

async function paymentsOf(shopId: string) {
  return db().payment.findMany({ where: { shopId } });
}

/** A checkout for `shop` signed like InSales with `password` (after the fields were changed by `edit`). */
function signed(shop: TestShop, password: string, edit: Record<string, string> = {}, order = stand.api.createOrder(shop.host)) {
  const fields: Record<string, string> = {
    shop_id: shop.insalesId,
    amount: `${order.total_price}0`,
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

describe("checkout: verification", () => {
  it("admits the published checkout vector and answers the organization's signed invoice form", async () => {
    const response = await post(VECTOR);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(formAction(html)).toBe(MERCHANT_URL);

    // The CSP admits exactly our inline script and posts only to IntellectMoney.
    const csp = response.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(csp).toContain("form-action http://127.0.0.1:1");

    const f = asMap(formFields(html));
    expect(f.eshopId).toBe("17354");
    expect(f.orderId).toBe("9999-2197421");
    expect(f.serviceName).toBe(VECTOR.description);
    expect(f.recipientAmount).toBe("1200.00");
    expect(f.recipientCurrency).toBe("RUB");
    expect(f.user_email).toBe("buyer@example.com");
    const payment = (await paymentsOf(vectorShop.id))[0];
    expect(f.successUrl).toBe(`${APP}/api/intellectmoney/return/${payment.id}/success`);
    expect(f.failUrl).toBe(`${APP}/api/intellectmoney/return/${payment.id}/fail`);
    expect(f.resultUrl).toBe(`${APP}/api/intellectmoney/result?shop=123`);

    expect(payment).toMatchObject({
      transactionId: "2197421", amountRaw: "1200.00", amountKopecks: 120000n, orderKey: VECTOR.key, insalesOrderId: "4020290",
      orderNumber: "9999", verifiedBy: "signature", insalesPasswordSource: "gateway", currency: "RUB", eshopId: "17354",
      imOrderId: "9999-2197421", legalForm: "ORGANIZATION", status: "CREATED",
    });
    const events = await db().paymentEvent.findMany({ where: { paymentId: payment.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type).sort()).toEqual(["checkout_received", "checkout_verified"]);
    expect(JSON.stringify(events)).not.toContain(VECTOR.signature);
  });

  it("signs the invoice with IntellectMoney's formula (checked on the vendor's own example first)", async () => {
    // The formula as the vendor documents it, proven on the vendor's example …
    const vendorHash = (f: Record<string, string>, secret: string) =>
      md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, secret].join("::"));
    expect(vendorHash({ eshopId: "17354", orderId: "1", serviceName: "покупка книги Хочу все знать", recipientAmount: "10.10", recipientCurrency: "RUB" }, "test"))
      .toBe("139de04be8c37061f99218353f4e13e0");
    // … then applied to the form we sent (a repeat of the vector answers the same form).
    const f = asMap(formFields(await (await post(VECTOR)).text()));
    expect(f.hash).toBe(vendorHash(f, "test"));
  });

  it("admits a checkout signed with the IntellectMoney secret key (manual setup, shop_id = «Номер магазина»)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id, { eshopId: "654321", secretKey: "im-secret-KEY-1" });
    const fields = signed(shop, "im-secret-KEY-1", { shop_id: "654321" });
    const response = await post(fields);
    expect(response.status).toBe(200);
    const [payment] = await paymentsOf(shop.id);
    expect(payment).toMatchObject({ verifiedBy: "signature", insalesPasswordSource: "secret_key", insalesShopIdRaw: "654321" });
    // No fallback: the one API call is the order read for its currency, since a method set up by hand sends no
    // order_json (issue 13 item 5, checkout-currency.ts); with order_json there is none (next test).
    expect(stand.api.calls.filter((c) => c.host === shop.host).map((c) => c.path)).toEqual([`/admin/orders/${payment.insalesOrderId}.json`]);
  });

  it("makes no API call at all when the signed checkout carries order_json (what the methods we connect send)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const order = stand.api.createOrder(shop.host);
    const response = await post(signed(shop, "gw-password", { order_json: JSON.stringify({ ...order, notices: undefined }) }, order));
    expect(response.status).toBe(200);
    expect(asMap(formFields(await response.text())).recipientCurrency).toBe("RUB");
    expect(stand.api.calls.filter((c) => c.host === shop.host)).toEqual([]);
  });

  it("admits by its signature a checkout signed over only the fields sent (the vendor page's other layout), without the API", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const order = stand.api.createOrder(shop.host);
    const fields: Record<string, string> = signed(shop, "gw-password", { order_json: JSON.stringify({ ...order, notices: undefined }) }, order);
    const { signature: _positional, ...sent } = fields;
    fields.signature = insalesCompactCheckoutSignature(sent, "gw-password");
    const response = await post(fields);
    expect(response.status).toBe(200);
    const [payment] = await paymentsOf(shop.id);
    expect(payment).toMatchObject({ verifiedBy: "signature", insalesPasswordSource: "gateway" });
    expect(stand.api.calls.filter((c) => c.host === shop.host)).toEqual([]);
  });

  it("admits a checkout signed with another formula through the API fallback, and records that", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const order = stand.api.createOrder(shop.host, { amount: "1500.50" });
    const fields: Record<string, string> = signed(shop, "gw-password", {}, order);
    // A formula we do not know (e.g. a future InSales change): fields joined without the empty segments.
    fields.signature = md5Hex([fields.shop_id, fields.amount, fields.transaction_id, fields.key, fields.description, fields.order_id, fields.email, "gw-password"].join(";"));
    const response = await post(fields);
    expect(response.status).toBe(200);
    const [payment] = await paymentsOf(shop.id);
    expect(payment).toMatchObject({ verifiedBy: "api", insalesPasswordSource: "gateway", amountRaw: "1500.50", amountKopecks: 150050n, orderNumber: String(order.number) });
    expect(stand.api.calls.filter((c) => c.host === shop.host).map((c) => c.path)).toEqual([`/admin/orders/${order.id}.json`]);
    const verified = await db().paymentEvent.findFirstOrThrow({ where: { paymentId: payment.id, type: "checkout_verified" } });
    expect(verified.data).toMatchObject({ verifiedBy: "api" });
  });

  it("refuses a checkout that fails both checks: 403, no payment, a problem and a rejected event", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const order = stand.api.createOrder(shop.host, { amount: "1200.00" });
    // Someone changed the amount: the signature no longer matches and the order says 1200.00.
    const fields = { ...signed(shop, "gw-password", {}, order), amount: "12.00" };
    const response = await post(fields);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain("Не удалось подтвердить");
    expect(html).not.toContain("<form");
    expect(await paymentsOf(shop.id)).toHaveLength(0);
    const problems = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problems).toHaveLength(1);
    expect(problems[0].kind).toBe("checkout_rejected");
    expect(problems[0].message).not.toContain("gw-password");
    const rejected = await db().paymentEvent.findMany({ where: { shopId: shop.id, type: "checkout_rejected" } });
    expect(rejected).toHaveLength(1);
    expect(rejected[0].data).toMatchObject({ reason: "bad_signature" });
  });

  it("refuses (403, no payment) when the signature fails and InSales cannot be asked", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    stand.api.rateLimit(shop.host, 100, 503, 0);
    const response = await post(signed(shop, "nobody-knows"));
    stand.api.rateLimit(shop.host, 0);
    expect(response.status).toBe(403);
    expect(await paymentsOf(shop.id)).toHaveLength(0);
    const rejected = await db().paymentEvent.findFirstOrThrow({ where: { shopId: shop.id, type: "checkout_rejected" } });
    expect(rejected.data).toMatchObject({ reason: "api_unavailable" });
  });

  it("refuses when the order exists but belongs to another transaction (API fallback compares client_transaction_id)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    const order = stand.api.createOrder(shop.host);
    const fields = { ...signed(shop, "nobody-knows", {}, order), transaction_id: "999999" };
    expect((await post(fields)).status).toBe(403);
    expect(await paymentsOf(shop.id)).toHaveLength(0);
  });
});

describe("checkout: the page's CSP (issue 13 item 10, docs/protocols/intellectmoney.md §10)", () => {
  it("lets the invoice form, and any redirect answering it, reach every IntellectMoney host and our own return URLs — nothing else", async () => {
    const response = await post(VECTOR);
    expect(response.status).toBe(200);
    const csp = response.headers.get("content-security-policy")!;
    const page = `${APP}/payment.php`;
    const allowed = [
      MERCHANT_URL, // the form's target in this test (INTELLECTMONEY_MERCHANT_URL)
      "https://merchant.intellectmoney.ru/ru/", // the production form target
      "https://merchant.intellectmoney.ru/?InvoiceId=3000000001", // an existing invoice's link
      "https://merchant-test.stand1.dev.intellectmoney.ru/ru/", // IntellectMoney's own test stands
      "https://intellectmoney.ru/", // the bare domain (not covered by *.intellectmoney.ru)
      `${APP}/api/intellectmoney/return/00000000-0000-4000-8000-000000000000/success`, // straight back to us
    ];
    for (const url of allowed) expect(formActionAllows(csp, url, page), url).toBe(true);
    for (const url of ["https://evil.example/", "https://intellectmoney.ru.evil.example/", "https://evilintellectmoney.ru/", "javascript:alert(1)", "http://merchant.intellectmoney.ru/ru/"]) {
      expect(formActionAllows(csp, url, page), url).toBe(false);
    }
  });

  it("the matcher reads CSP sources as a browser does (a check of the check)", () => {
    const csp = "default-src 'none'; form-action https://a.example:8443 https://*.b.example 'self'";
    expect(formActionAllows(csp, "https://a.example:8443/x", "https://app/")).toBe(true);
    expect(formActionAllows(csp, "https://a.example/x", "https://app/")).toBe(false);
    expect(formActionAllows(csp, "https://x.y.b.example/", "https://app/")).toBe(true);
    expect(formActionAllows(csp, "https://b.example/", "https://app/")).toBe(false);
    expect(formActionAllows(csp, "https://app/return", "https://app/page")).toBe(true);
    expect(formActionAllows("form-action 'none'", "https://app/", "https://app/")).toBe(false);
    expect(formActionAllows("form-action https:", "http://x/", "https://app/")).toBe(false);
  });
});

describe("checkout: body size", () => {
  it("admits a signed checkout whose order_json is close to 1 MiB of Cyrillic (about 2.7 MiB URL-encoded)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const orderJson = JSON.stringify({ comment: "ж".repeat(450 * 1024) });
    const fields = signed(shop, "gw-password", { order_json: orderJson });
    expect(new URLSearchParams(fields).toString().length).toBeGreaterThan(2.5 * 1024 * 1024);
    const response = await post(fields);
    expect(response.status).toBe(200);
    expect(await paymentsOf(shop.id)).toHaveLength(1);
  });
});

describe("checkout: idempotency", () => {
  it("reuses the payment on a repeat POST: one row, the same orderId and hash", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const fields = signed(shop, "gw-password");
    const first = asMap(formFields(await (await post(fields)).text()));
    const second = asMap(formFields(await (await apiPayment(formRequest(`${APP}/api/insales/payment`, fields))).text()));
    expect(second.orderId).toBe(first.orderId);
    expect(second.hash).toBe(first.hash);
    expect(await paymentsOf(shop.id)).toHaveLength(1);
  });

  it("creates one payment when the same checkout arrives twice at once", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const fields = signed(shop, "gw-password");
    const answers = await Promise.all([post(fields), post(fields), post(fields)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const orderIds = await Promise.all(answers.map(async (a) => asMap(formFields(await a.text())).orderId));
    expect(new Set(orderIds).size).toBe(1);
    expect(await paymentsOf(shop.id)).toHaveLength(1);
  });

  it("refuses a repeat of the transaction with another amount or order key", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const order = stand.api.createOrder(shop.host);
    expect((await post(signed(shop, "gw-password", {}, order))).status).toBe(200);
    const otherAmount = await post(signed(shop, "gw-password", { amount: "1.00" }, order));
    expect(otherAmount.status).toBe(422);
    const otherKey = await post(signed(shop, "gw-password", { key: "0".repeat(32) }, order));
    expect(otherKey.status).toBe(422);
    const payments = await paymentsOf(shop.id);
    expect(payments).toHaveLength(1);
    expect(payments[0].amountRaw).toBe(`${order.total_price}0`);
  });
});

describe("checkout: the invoice form", () => {
  it("invoices in TST while the test mode is on", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id, { testMode: true, secretKey: "k" });
    await connectGatewayDirectly(shop, "gw");
    const f = asMap(formFields(await (await post(signed(shop, "gw"))).text()));
    expect(f.recipientCurrency).toBe("TST");
    expect(f.hash).toBe(md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, "TST", "k"].join("::")));
    expect((await paymentsOf(shop.id))[0].currency).toBe("TST");
  });

  it("sends the wallet form for an individual: shared shop 450157, RUB, UserField_0/9, no hash", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureWallet(shop.id, { formId: "777", login: "owner@wallet.example" });
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { testMode: true } });
    await connectGatewayDirectly(shop, "gw");
    const fields = formFields(await (await post(signed(shop, "gw"))).text());
    const f = asMap(fields);
    expect(f).toMatchObject({
      eshopId: "450157", recipientCurrency: "RUB", preference: "bankcard",
      UserFieldName_0: "Перевод в кошелек", UserField_0: "owner@wallet.example", UserFieldName_9: "UserPaymentFormId", UserField_9: "777",
    });
    expect(f.hash).toBeUndefined();
    expect((await paymentsOf(shop.id))[0]).toMatchObject({ legalForm: "INDIVIDUAL", eshopId: "450157", currency: "RUB" });
  });

  it("sends hold fields and an expireDate in Moscow time", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id, { holdMode: "HOLD", holdHours: 48, invoiceLifetimeDays: 2 });
    await connectGatewayDirectly(shop, "gw");
    // 21:30 UTC = 00:30 the next day in Moscow (UTC+3 all year); + 2 days of lifetime.
    const now = new Date("2025-01-01T21:30:00Z");
    const outcome = await startCheckout({ form: new URLSearchParams(signed(shop, "gw")), shopHint: null, now });
    expect(outcome.ok).toBe(true);
    const f = asMap(outcome.ok ? outcome.fields : []);
    expect(f.holdMode).toBe("1");
    expect(f.holdTime).toBe("48");
    expect(f.expireDate).toBe("2025-01-04 00:30:00");
  });

  it("sends holdMode=0 without holdTime for «Не холдировать счёт», and no hold field nor expireDate for «Задано в личном кабинете»", async () => {
    const noHold = await addInstalledShop(stand.insales);
    await configureOrganization(noHold.id, { holdMode: "NO_HOLD" });
    await connectGatewayDirectly(noHold, "gw");
    const a = asMap(formFields(await (await post(signed(noHold, "gw"))).text()));
    expect(a.holdMode).toBe("0");
    expect(a.holdTime).toBeUndefined();
    expect(a.expireDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const cabinet = await addInstalledShop(stand.insales);
    await configureOrganization(cabinet.id, { holdMode: "CABINET" });
    await connectGatewayDirectly(cabinet, "gw");
    const b = asMap(formFields(await (await post(signed(cabinet, "gw"))).text()));
    expect(b.holdMode).toBeUndefined();
    expect(b.holdTime).toBeUndefined();
    // Issue 13 item 4: the account's settings decide the lifetime too (docs/protocols/intellectmoney.md §1 «Hold»).
    expect(b.expireDate).toBeUndefined();
  });

  it("routes by ?shop=<insales_id> when the URL carries it", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw");
    const response = await post(signed(shop, "gw"), `/payment.php?shop=${shop.insalesId}`);
    expect(response.status).toBe(200);
    const other = await addInstalledShop(stand.insales);
    const wrong = await post(signed(shop, "gw"), `/payment.php?shop=${other.insalesId}`);
    expect(wrong.status).toBe(404);
  });
});

describe("checkout: bad input never reaches IntellectMoney and never answers 500", () => {
  let ready: TestShop;
  let inactive: TestShop;
  let unconfigured: TestShop;
  beforeAll(async () => {
    ready = await addInstalledShop(stand.insales);
    await configureOrganization(ready.id);
    await connectGatewayDirectly(ready, "gw");
    inactive = await addInstalledShop(stand.insales, { status: "UNINSTALLED" });
    await configureOrganization(inactive.id);
    unconfigured = await addInstalledShop(stand.insales);
    await connectGatewayDirectly(unconfigured, "gw");
  });

  const cases: Array<{ name: string; status: number; request: () => Request }> = [
    { name: "missing signature", status: 400, request: () => formRequest(`${APP}/payment.php`, without(signed(ready, "gw"), "signature")) },
    { name: "missing transaction_id", status: 400, request: () => formRequest(`${APP}/payment.php`, without(signed(ready, "gw"), "transaction_id")) },
    { name: "missing shop_id", status: 400, request: () => formRequest(`${APP}/payment.php`, without(signed(ready, "gw"), "shop_id")) },
    { name: "overlong description", status: 400, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw", { description: "я".repeat(1025) })) },
    { name: "overlong transaction_id", status: 400, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw", { transaction_id: "1".repeat(65) })) },
    { name: "amount with a comma", status: 400, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw", { amount: "1200,00" })) },
    { name: "amount under 1.00", status: 422, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw", { amount: "0.50" })) },
    { name: "duplicated amount field", status: 400, request: () => formRequest(`${APP}/payment.php`, [...Object.entries(signed(ready, "gw")), ["amount", "1.00"]]) },
    { name: "JSON body", status: 415, request: () => new Request(`${APP}/payment.php`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(signed(ready, "gw")) }) },
    { name: "multipart body", status: 415, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw"), "multipart/form-data; boundary=x") },
    { name: "no content type", status: 415, request: () => new Request(`${APP}/payment.php`, { method: "POST", body: "a=b" }) },
    { name: "windows-1251 charset", status: 415, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw"), "application/x-www-form-urlencoded; charset=windows-1251") },
    { name: "invalid UTF-8 bytes", status: 400, request: () => new Request(`${APP}/payment.php`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new Uint8Array([0x61, 0x3d, 0xff, 0xfe]) }) },
    { name: "huge body", status: 400, request: () => formRequest(`${APP}/payment.php`, { ...signed(ready, "gw"), junk: "x".repeat(MAX_CHECKOUT_BODY_BYTES) }) },
    { name: "unknown shop", status: 404, request: () => formRequest(`${APP}/payment.php`, signed(ready, "gw", { shop_id: "999999999" })) },
    { name: "bad ?shop parameter", status: 404, request: () => formRequest(`${APP}/payment.php?shop=../x`, signed(ready, "gw")) },
    { name: "uninstalled shop", status: 404, request: () => formRequest(`${APP}/payment.php`, signed(inactive, "gw")) },
    { name: "shop without settings", status: 422, request: () => formRequest(`${APP}/payment.php`, signed(unconfigured, "gw")) },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}, a Russian page, no payment`, async () => {
      const before = await db().payment.count();
      const response = await paymentPhp(c.request());
      expect(response.status).toBe(c.status);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const html = await response.text();
      expect(html).toMatch(/[а-яА-Я]/);
      expect(html).not.toContain(MERCHANT_URL);
      expect(await db().payment.count()).toBe(before);
    });
  }

  it("tells the merchant why an unconfigured shop could not take a payment", async () => {
    const problems = await db().problem.findMany({ where: { shopId: unconfigured.id } });
    expect(problems.map((p) => p.kind)).toContain("checkout_rejected");
    const html = await (await paymentPhp(formRequest(`${APP}/payment.php`, signed(unconfigured, "gw")))).text();
    expect(html).toContain("Магазин ещё не настроил приём оплаты");
  });
});

function without(fields: Record<string, string>, name: string) {
  const copy = { ...fields };
  delete copy[name];
  return copy;
}
