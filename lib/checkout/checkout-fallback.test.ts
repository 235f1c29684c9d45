// The checkout's API fallback under attack (issue 12 items 2, 3 and 6): a checkout whose signature fails
// is admitted only for the order's full price, shows and hashes only what the API order says, and cannot
// be used to spend the shop's InSales API quota or to flood the merchant's journal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as paymentPhp } from "../../app/payment.php/route";
import { insalesCheckoutSignature } from "../../e2e/stand-ins/insales-payments-api";
import type { StandInOrder } from "../../e2e/stand-ins/insales-stand-in";
import { md5Hex } from "../crypto";
import { db } from "../db";
import { invoiceHashInput } from "../intellectmoney/signatures";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { FALLBACK_LOOKUPS_PER_WINDOW } from "./checkout-api-budget";
import { addInstalledShop, configureOrganization, connectGatewayDirectly, formFields, formRequest, startTestStandIn, type TestShop, type TestStandIn } from "../../tests/support/checkout-test-support";
import { REFUSAL_EVENTS_PER_PROBLEM } from "./checkout";
import { resolveProblem } from "../journal/journal-problems";

useTestDatabase();

const APP = "https://app.test.local";
const NOT_THE_SIGNATURE = "0".repeat(32);

let stand: TestStandIn;
beforeAll(async () => {
  stand = await startTestStandIn();
});
afterAll(async () => {
  await stand?.close();
});

const post = (fields: Record<string, string>) => paymentPhp(formRequest(`${APP}/payment.php`, fields));

async function readyShop(): Promise<TestShop> {
  const shop = await addInstalledShop(stand.insales);
  await configureOrganization(shop.id, { secretKey: "shop-secret" });
  await connectGatewayDirectly(shop, "gw-password");
  return shop;
}

/** The checkout InSales would send for `order`, with `edit` applied and a signature nobody computed. */
function forged(shop: TestShop, order: StandInOrder, edit: Record<string, string> = {}): Record<string, string> {
  return {
    shop_id: shop.insalesId,
    amount: `${order.total_price}0`,
    transaction_id: order.client_transaction_id!,
    key: order.key,
    description: `Заказ №${order.number} на сайте ${shop.host}`,
    order_id: String(order.id),
    phone: "",
    email: "buyer@example.com",
    ...edit,
    signature: NOT_THE_SIGNATURE,
  };
}

function signed(shop: TestShop, order: StandInOrder, edit: Record<string, string> = {}): Record<string, string> {
  const fields = { ...forged(shop, order, edit) };
  delete (fields as Partial<typeof fields>).signature;
  return { ...fields, signature: insalesCheckoutSignature(fields, "gw-password") };
}

const asMap = (fields: Array<[string, string]>) => Object.fromEntries(fields);
const apiCalls = (shop: TestShop) => stand.api.calls.filter((c) => c.host === shop.host);

describe("item 3: without a valid signature the invoice is for the order's full price", () => {
  it("refuses amount=1.00 with original_amount=10000.00 for a 10 000 ₽ order: 403, no payment, the problem says why", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host, { amount: "10000.00" });
    const response = await post(forged(shop, order, { amount: "1.00", original_amount: "10000.00" }));
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain("<form");
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("сумма к оплате не равна сумме заказа в InSales");
  });

  it("refuses a «consistent» conversion whose rate only the sender vouches for (same currency, rate 0.0001)", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host, { amount: "10000.00" });
    const fields = forged(shop, order, { amount: "1.00", original_amount: "10000.00", original_currency: "RUR", convert_currency: "RUB", conversion_rate: "0.0001" });
    expect((await post(fields)).status).toBe(403);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("курс пересчёта валюты без подписи проверить нечем");
  });

  it("refuses a conversion between two currencies without a signature (the rate cannot be checked)", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host, { amount: "100.00" });
    order.currency_code = "USD";
    const converted = forged(shop, order, { amount: "9000.00", original_amount: "100.00", original_currency: "USD", convert_currency: "RUB", conversion_rate: "90" });
    expect((await post(converted)).status).toBe(403);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("invoices a USD order admitted by the fallback in USD, for its full price (issue 13 item 5: no longer refused, never in RUB)", async () => {
    const shop = await readyShop();
    const plain = stand.api.createOrder(shop.host, { amount: "100.00", currency: "USD" });
    const response = await post(forged(shop, plain));
    expect(response.status).toBe(200);
    const f = asMap(formFields(await response.text()));
    expect([f.recipientAmount, f.recipientCurrency]).toEqual(["100.00", "USD"]);
    const [payment] = await db().payment.findMany({ where: { shopId: shop.id } });
    expect(payment).toMatchObject({ verifiedBy: "api", currency: "USD", amountKopecks: 10000n });
    // An unsigned amount below the USD order's total is still refused.
    const low = stand.api.createOrder(shop.host, { amount: "100.00", currency: "USD" });
    expect((await post(forged(shop, low, { amount: "1.00" }))).status).toBe(403);
  });

  it("admits the full price however InSales writes it, and a same-currency conversion at rate 1", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host, { amount: "1500.50" }); // total_price "1500.5" in the API
    expect((await post(forged(shop, order))).status).toBe(200);
    const converted = stand.api.createOrder(shop.host, { amount: "700.00" });
    const fields = forged(shop, converted, { original_amount: "700.0", original_currency: "RUR", convert_currency: "RUB", conversion_rate: "1.0000" });
    expect((await post(fields)).status).toBe(200);
    const payments = await db().payment.findMany({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" } });
    expect(payments.map((p) => [p.verifiedBy, p.amountKopecks])).toEqual([["api", 150050n], ["api", 70000n]]);
  });
});

describe("item 2: nothing unsigned enters a hashed field", () => {
  it("after the API fallback, serviceName, the buyer's e-mail and phone come from the API order, never from the POST", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host, { amount: "1500.00", email: "real@buyer.example", phone: "79990001122" });
    const fields = forged(shop, order, { description: "x::acc::1500.00::RUB::5::un", email: "attacker@evil.example", phone: "70000000000", order_json: '{"order_lines":[]}' });
    const response = await post(fields);
    expect(response.status).toBe(200);
    const f = asMap(formFields(await response.text()));
    expect(f.serviceName).toBe(`Заказ №${order.number} на сайте ${shop.host}`);
    expect(f.user_email).toBe("real@buyer.example");
    expect(f.hash).toBe(md5Hex(invoiceHashInput({ eshopId: f.eshopId, orderId: f.orderId, serviceName: f.serviceName, recipientAmount: f.recipientAmount, recipientCurrency: f.recipientCurrency }, "shop-secret")));
    const [payment] = await db().payment.findMany({ where: { shopId: shop.id } });
    expect(payment).toMatchObject({ verifiedBy: "api", description: f.serviceName, buyerEmail: "real@buyer.example", buyerPhone: "79990001122", orderNumber: String(order.number) });
    // Not even the timeline keeps the POST's description as the order's.
    const received = await db().paymentEvent.findFirstOrThrow({ where: { paymentId: payment.id, type: "checkout_received" } });
    expect(JSON.stringify(received.data)).not.toContain("::");
  });

  it("makes a signed description that could shift the invoice hash safe before it is signed into serviceName", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host);
    // With order_json, as the methods we connect send it: the signature admits, and nothing needs the API.
    const response = await post(signed(shop, order, { description: ":Заказ №5 :: x::acc::1500.00::RUB::5::un:", order_json: JSON.stringify({ currency_code: order.currency_code }) }));
    expect(response.status).toBe(200);
    const f = asMap(formFields(await response.text()));
    expect(f.serviceName).toBe("Заказ №5 : x:acc:1500.00:RUB:5:un");
    expect(f.hash).toBe(md5Hex(invoiceHashInput({ eshopId: f.eshopId, orderId: f.orderId, serviceName: f.serviceName, recipientAmount: f.recipientAmount, recipientCurrency: f.recipientCurrency }, "shop-secret")));
    expect(apiCalls(shop)).toEqual([]);
  });
});

describe("item 6: forged checkouts cannot spend the shop's API quota or flood the journal", () => {
  it("30 forged checkouts make at most 5 API calls, one problem per cause with a count, and a bounded timeline", async () => {
    const shop = await readyShop();
    const order = stand.api.createOrder(shop.host);
    const answers: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      // Another transaction each time: the order's client_transaction_id never matches.
      answers.push((await post(forged(shop, order, { transaction_id: `forged-${i}` }))).status);
    }
    expect(apiCalls(shop)).toHaveLength(FALLBACK_LOOKUPS_PER_WINDOW);
    expect(answers.slice(0, FALLBACK_LOOKUPS_PER_WINDOW)).toEqual(Array(FALLBACK_LOOKUPS_PER_WINDOW).fill(403));
    // Over the budget: refused without calling InSales, the buyer asked to try again shortly.
    expect(answers.slice(FALLBACK_LOOKUPS_PER_WINDOW)).toEqual(Array(30 - FALLBACK_LOOKUPS_PER_WINDOW).fill(503));

    const problems = await db().problem.findMany({ where: { shopId: shop.id, resolvedAt: null }, orderBy: { count: "asc" } });
    expect(problems.map((p) => p.count)).toEqual([FALLBACK_LOOKUPS_PER_WINDOW, 30 - FALLBACK_LOOKUPS_PER_WINDOW]);
    expect(problems[1].message).toContain("лимит проверок заказов через API InSales");
    expect(problems[1].lastSeenAt.getTime()).toBeGreaterThan(problems[1].createdAt.getTime());
    const events = await db().paymentEvent.count({ where: { shopId: shop.id } });
    expect(events).toBe(2 * 2 * REFUSAL_EVENTS_PER_PROBLEM); // received + rejected, for the first few of each problem
  });

  it("keeps one budget per shop, and renews it after the window", async () => {
    const busy = await readyShop();
    const order = stand.api.createOrder(busy.host);
    for (let i = 0; i <= FALLBACK_LOOKUPS_PER_WINDOW; i += 1) await post(forged(busy, order, { transaction_id: `f-${i}` }));
    expect((await post(forged(busy, order))).status).toBe(503);

    // Another shop's genuine fallback checkout is not affected.
    const other = await readyShop();
    expect((await post(forged(other, stand.api.createOrder(other.host)))).status).toBe(200);

    // A minute later the busy shop's buyers get through again.
    await db().$executeRaw`UPDATE "ShopCallBudget" SET "windowStart" = "windowStart" - interval '61 seconds' WHERE "shopId" = ${busy.id}::uuid`;
    expect((await post(forged(busy, order))).status).toBe(200);
  });

  it("does not wait on InSales's Retry-After while the buyer looks at a blank page", async () => {
    const shop = await readyShop();
    stand.api.rateLimit(shop.host, 1, 429, 30);
    const started = Date.now();
    const response = await post(forged(shop, stand.api.createOrder(shop.host)));
    stand.api.rateLimit(shop.host, 0);
    expect(response.status).toBe(403);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(apiCalls(shop)).toHaveLength(1);
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("проверить заказ через API InSales не удалось");
  }, 15_000);

  it("gives up on a slow InSales within a few seconds", async () => {
    const shop = await readyShop();
    stand.api.stall(shop.host, 30_000);
    const started = Date.now();
    const response = await post(forged(shop, stand.api.createOrder(shop.host)));
    stand.api.stall(shop.host, 0);
    expect(response.status).toBe(403);
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);

  it("counts concurrent identical refusals exactly into one open problem; once resolved, the next opens a new one", async () => {
    const shop = await readyShop();
    // No API access: the signature alone decides, so these cost no look-ups at all.
    await db().shop.update({ where: { id: shop.id }, data: { apiPasswordEnc: null } });
    const order = stand.api.createOrder(shop.host);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(forged(shop, order, { transaction_id: `c-${i}` }))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(403));
    const [problem, ...more] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(more).toEqual([]);
    expect(problem.count).toBe(10);

    expect(await resolveProblem(shop.id, problem.id)).toEqual({ ok: true });
    await post(forged(shop, order, { transaction_id: "c-after" }));
    const rows = await db().problem.findMany({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((p) => [p.count, p.resolvedAt !== null])).toEqual([[10, true], [1, false]]);
  });
});
