// Issue 13 item 5: orders not in roubles, against the stand-ins. InSales charges `amount` in the order's (site's)
// currency, or in `convert_currency` when the payment method converts (docs/protocols/insales.md §2 «Currency
// conversion»); IntellectMoney takes RUB, USD and EUR (intellectmoney.md §1). Before the fix every order was
// invoiced the same number in RUB: $100.00 became 100.00 ₽.
import { describe, expect, it } from "vitest";
import { md5Hex } from "../crypto";
import { db } from "../db";
import { invoiceHashInput } from "../intellectmoney/signatures";
import { formatRubles } from "../money";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { newPayment, paymentRow, useResultWorld } from "../../tests/support/result-test-support";
import { addInstalledShop, configureOrganization, configureWallet, connectGatewayDirectly } from "../../tests/support/checkout-test-support";
import { startCheckout } from "./checkout";
import { deliverNotice } from "../notices/notify-insales";

useTestDatabase();

const world = useResultWorld();

const orderReads = (host: string) => world.insales.api.calls.filter((c) => c.host === host && /^\/admin\/orders\/\d+\.json$/.test(c.path));

describe("invoices in the order's currency", () => {
  it("USD: a signed checkout of a USD order (currency read from the API order) is invoiced in USD, paid, and InSales told paid=1", async () => {
    const p = await newPayment(world, { amount: "100.00", checkout: { currency: "USD" } });
    expect(p.payment).toMatchObject({ currency: "USD", amountKopecks: 10000n, amountRaw: "100.00" });
    expect([p.invoice.recipientAmount, p.invoice.recipientCurrency]).toEqual(["100.00", "USD"]);
    // The form's hash covers USD (the stand-in checked it too, or there would be no invoice).
    const f = p.invoice.form;
    expect(f.hash).toBe(md5Hex(invoiceHashInput({ eshopId: f.eshopId, orderId: f.orderId, serviceName: f.serviceName, recipientAmount: "100.00", recipientCurrency: "USD" }, p.secretKey)));
    expect(orderReads(p.shop.host)).toHaveLength(1); // no order_json: the order's currency was read once

    expect((await world.im.notify(p.invoice.paymentId, "5")).body).toBe("OK");
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "PAID", paidKopecks: 10000n });
    const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId: p.payment.id } });
    expect(await deliverNotice(notice.id)).toEqual({ ok: true, result: "delivered" });
    expect(p.order.financial_status).toBe("paid");
    const event = await db().paymentEvent.findFirstOrThrow({ where: { paymentId: p.payment.id, type: "checkout_received" } });
    expect(event.data).toMatchObject({ currency: "USD", currencySource: "api" });
  });

  it("EUR: with the signed order_json the currency comes from it and no API call is made", async () => {
    const p = await newPayment(world, { amount: "250.50", checkout: { currency: "EUR", sendOrder: true } });
    expect(p.payment).toMatchObject({ currency: "EUR", amountKopecks: 25050n });
    expect([p.invoice.recipientAmount, p.invoice.recipientCurrency]).toEqual(["250.50", "EUR"]);
    expect(orderReads(p.shop.host)).toHaveLength(0);
    expect((await world.im.notify(p.invoice.paymentId, "5")).body).toBe("OK");
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("a notification in another currency than the invoice's is refused (RUB for a USD invoice)", async () => {
    const p = await newPayment(world, { amount: "100.00", checkout: { currency: "USD" } });
    const sent = await world.im.notify(p.invoice.paymentId, "5", { tamper: { recipientCurrency: "RUB" } });
    expect([sent.httpStatus, sent.body]).toEqual([422, "wrong_currency"]);
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });

  it("with conversion the signed `amount` is in convert_currency: a KZT site converting to RUB is invoiced in RUB", async () => {
    // 10 000.00 KZT × 0.2 = 2 000.00 RUB; original_* describe the order in the site's currency.
    const p = await newPayment(world, { amount: "10000.00", checkout: { currency: "KZT", convert: { currency: "RUB", rate: "0.2" } } });
    expect(p.payment).toMatchObject({ currency: "RUB", amountRaw: "2000.00", amountKopecks: 200000n });
    expect([p.invoice.recipientAmount, p.invoice.recipientCurrency]).toEqual(["2000.00", "RUB"]);
    expect(orderReads(p.shop.host)).toHaveLength(0);
  });

  it("a rouble site converting to USD is invoiced in USD", async () => {
    const p = await newPayment(world, { amount: "9000.00", checkout: { convert: { currency: "USD", rate: "0.0111" } } });
    expect(p.payment).toMatchObject({ currency: "USD", amountRaw: "99.90" });
    expect(p.invoice.recipientCurrency).toBe("USD");
  });

  it("test mode invoices TST with the same number, whatever the order's currency", async () => {
    const p = await newPayment(world, { amount: "100.00", testMode: true, checkout: { currency: "USD" } });
    expect(p.payment.currency).toBe("TST");
    expect([p.invoice.recipientAmount, p.invoice.recipientCurrency]).toEqual(["100.00", "TST"]);
  });
});

describe("refuses what IntellectMoney cannot take, telling the buyer and the merchant", () => {
  async function shopFor(kind: "organization" | "wallet" | "receipts") {
    const shop = await addInstalledShop(world.insales.insales);
    if (kind === "wallet") await configureWallet(shop.id);
    else await configureOrganization(shop.id, { eshopId: "480001", secretKey: "k" });
    if (kind === "receipts") {
      await db().shopSettings.update({ where: { shopId: shop.id }, data: { receiptsEnabled: true, receiptInn: "7700000000", receiptVatGoods: 6, receiptVatDelivery: 6 } });
    }
    await connectGatewayDirectly(shop);
    return shop;
  }

  async function checkout(host: string, input: Parameters<typeof world.insales.api.signedCheckout>[1]) {
    const signed = world.insales.api.signedCheckout(host, input);
    return startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null });
  }

  it("an order in KZT without conversion: 422 with a Russian message, no payment, a problem naming the currency", async () => {
    const shop = await shopFor("organization");
    const outcome = await checkout(shop.host, { amount: "5000.00", currency: "KZT" });
    expect(outcome).toMatchObject({ ok: false, reason: "unsupported_currency", status: 422 });
    expect(!outcome.ok && outcome.message).toMatch(/валюте, в которой .* не принимает/);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("заказ в валюте KZT");
    expect(problem.message).toContain("пересчёт в рубли");
  });

  it("a wallet takes roubles only: a USD order is refused", async () => {
    const shop = await shopFor("wallet");
    expect(await checkout(shop.host, { amount: "100.00", currency: "USD" })).toMatchObject({ ok: false, reason: "unsupported_currency" });
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("перевод в кошелёк IntellectMoney возможен только в рублях");
  });

  it("54-ФЗ receipts on and a USD order: refused (no invoice without the receipt, and a receipt is in roubles)", async () => {
    const shop = await shopFor("receipts");
    const outcome = await checkout(shop.host, { amount: "100.00", currency: "USD", sendOrder: true });
    expect(outcome).toMatchObject({ ok: false, reason: "receipt_failed" });
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
    const [problem] = await db().problem.findMany({ where: { shopId: shop.id } });
    expect(problem.message).toContain("включены чеки 54-ФЗ, а заказ в валюте USD");
  });

  it("InSales unreachable for the order's currency: 503, try again later", async () => {
    const shop = await shopFor("organization");
    world.insales.api.rateLimit(shop.host, 10, 503, 0);
    const outcome = await checkout(shop.host, { amount: "100.00" });
    world.insales.api.rateLimit(shop.host, 0);
    expect(outcome).toMatchObject({ ok: false, reason: "currency_unavailable", status: 503 });
  });

  it("never takes the currency from an unsigned field: a forged convert_currency only costs the signature", async () => {
    const shop = await shopFor("organization");
    const signed = world.insales.api.signedCheckout(shop.host, { amount: "1200.00" });
    const form = new URLSearchParams(signed.fields);
    form.set("convert_currency", "USD"); // not what was signed
    const outcome = await startCheckout({ form, shopHint: null });
    // The API fallback admits the order for its own price and currency: roubles, not USD.
    expect(outcome.ok).toBe(true);
    const payment = await db().payment.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(payment).toMatchObject({ verifiedBy: "api", currency: "RUB", amountKopecks: 120000n });
  });
});

describe("amounts for people show the payment's currency", () => {
  it("the journal's and the letters' formatter", () => {
    expect(formatRubles(10000n, "USD")).toBe("100,00\u00a0$");
    expect(formatRubles(25050n, "EUR")).toBe("250,50\u00a0€");
  });

  it("the invoice-created letter of a USD payment names dollars, not roubles", async () => {
    const shop = await addInstalledShop(world.insales.insales);
    await configureOrganization(shop.id, { eshopId: "480777", secretKey: "k-480777" });
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: [1, 2], notifyEmail: "shop@example.com" } });
    await connectGatewayDirectly(shop);
    world.im.registerShop("480777", "k-480777");
    const p = await newPayment(world, { amount: "100.00", shop: { ...shop, eshopId: "480777", secretKey: "k-480777" }, checkout: { currency: "USD", email: "buyer@example.com" } });
    const mails = await db().mail.findMany({ where: { paymentId: p.payment.id } });
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) {
      expect(m.text).toContain("100,00\u00a0$");
      expect(m.text).not.toContain("₽");
    }
  });
});
