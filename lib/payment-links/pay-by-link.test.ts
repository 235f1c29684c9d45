// Payment links end to end in process (docs/PRODUCT.md flow 12): the merchant makes a link for an InSales order,
// the buyer opens it, pays on the IntellectMoney stand-in, and InSales (its stand-in) has the order marked paid —
// through the API for an order without a checkout transaction, through the payment method's notice for one that
// has it. Reused, tampered and expired links are refused in Russian; every link of an order reaches one payment.
import { describe, expect, it } from "vitest";
import type { StandInOrder } from "../../e2e/stand-ins/insales-stand-in";
import { db } from "../db";
import { buyerReturn } from "../notices/buyer-return";
import { deliverNotice } from "../notices/notify-insales";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { addInstalledShop, configureOrganization, connectGatewayDirectly, type TestShop } from "../../tests/support/checkout-test-support";
import { newPayment, useResultWorld } from "../../tests/support/result-test-support";
import { createPaymentLink } from "./create-payment-link";
import { payByLink, previewPaymentLink } from "./pay-by-link";

useTestDatabase();

const world = useResultWorld();

let eshop = 40_000;

type LinkShop = TestShop & { eshopId: string; secretKey: string };

async function linkShop(o: { mailKinds?: number[] } = {}): Promise<LinkShop> {
  const shop = await addInstalledShop(world.insales.insales);
  eshop += 1;
  const eshopId = String(eshop);
  const secretKey = `key-${eshopId}`;
  await configureOrganization(shop.id, { eshopId, secretKey });
  if (o.mailKinds) await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: o.mailKinds } });
  await connectGatewayDirectly(shop);
  world.im.registerShop(eshopId, secretKey);
  return { ...shop, eshopId, secretKey };
}

/** An order taken by phone / made in the back office: no payment method, no checkout transaction. */
function phoneOrder(shop: LinkShop, amount = "1500.00"): StandInOrder {
  return world.insales.api.createOrder(shop.host, { amount, backOffice: true });
}

async function link(shop: LinkShop, order: StandInOrder, o: { send?: boolean; now?: Date; days?: number } = {}) {
  const made = await createPaymentLink({ shopId: shop.id, insalesOrderId: String(order.id), lifetimeDays: o.days ?? 3, send: o.send ?? false, createdBy: "Игорь", now: o.now });
  if (!made.ok) throw new Error(`link refused: ${made.reason}`);
  return { ...made, token: made.url.slice(made.url.indexOf("/pay/") + "/pay/".length) };
}

/** The buyer presses «Оплатить»: our invoice form posted to the IntellectMoney stand-in. */
async function payInvoice(token: string) {
  const paid = await payByLink(token);
  if (!paid.ok) throw new Error(`payByLink refused: ${paid.reason}`);
  const answer = await fetch(paid.action, { method: "POST", body: new URLSearchParams(paid.fields), redirect: "manual" });
  expect(answer.status).toBe(303);
  const payment = await db().payment.findUniqueOrThrow({ where: { id: paid.paymentId } });
  return { paid, payment, invoice: world.im.findInvoice(payment.imOrderId)! };
}

async function deliverNoticeOf(paymentId: string) {
  const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId } });
  return { notice, outcome: await deliverNotice(notice.id) };
}

describe("a payment link for an order without a checkout transaction (phone, back office)", () => {
  it("invoices the order's unpaid amount read from InSales, and once paid marks the order paid through the API", async () => {
    const shop = await linkShop();
    const order = phoneOrder(shop, "1500.00");
    const { token, url } = await link(shop, order);
    expect(url).toMatch(/^https:\/\/app\.test\.local\/pay\/pl1\./);

    expect(await previewPaymentLink(token)).toMatchObject({ ok: true, orderNumber: String(order.number), amountKopecks: 150000n });
    const { paid, payment, invoice } = await payInvoice(token);
    expect(paid.repeat).toBe(false);
    expect(payment).toMatchObject({
      transactionId: `link-${order.id}`,
      insalesOrderId: String(order.id),
      amountKopecks: 150000n,
      amountRaw: "1500.00",
      verifiedBy: "payment_link",
      insalesNoticeChannel: "order_api",
      status: "CREATED",
      buyerEmail: "buyer@example.com",
    });
    expect(Object.fromEntries(paid.fields)).toMatchObject({ recipientAmount: "1500.00", recipientCurrency: "RUB", serviceName: `Заказ №${order.number} на сайте ${shop.host}` });

    expect((await world.im.notify(invoice.paymentId, "5")).body).toBe("OK");
    // The buyer comes back: there is no checkout transaction to post a signed notice to, so our own page.
    expect(await buyerReturn(payment.id, "success", { waitMs: 0 })).toEqual({
      ok: true,
      kind: "paid_by_link",
      orderNumber: String(order.number),
      orderUrl: `${world.insales.insales.shopBase(shop.host)}/orders/${order.key}`,
    });
    const { outcome } = await deliverNoticeOf(payment.id);
    expect(outcome).toEqual({ ok: true, result: "delivered" });
    expect(order.financial_status).toBe("paid");
    expect(world.insales.api.calls.filter((c) => c.host === shop.host && c.method === "PUT" && c.path === `/admin/orders/${order.id}.json`)).toEqual([
      expect.objectContaining({ status: 200 }),
    ]);
    const row = await db().payment.findUniqueOrThrow({ where: { id: payment.id } });
    expect(row).toMatchObject({ status: "PAID", noticeState: "DELIVERED" });
    // The journal shows it like any other payment: the timeline says how it came.
    const events = await db().paymentEvent.findMany({ where: { paymentId: payment.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["checkout_received", "checkout_verified", "result_applied", "notice_delivered"]));
    expect(events.find((e) => e.type === "checkout_received")?.message).toBe(`Переход по ссылке на оплату заказа ${order.number}`);
    expect(events.find((e) => e.type === "notice_delivered")?.message).toBe("InSales отметил заказ оплаченным (через API InSales)");
  });

  it("answers «Заказ уже оплачен» to a link opened again after the payment, even before InSales has heard", async () => {
    const shop = await linkShop();
    const order = phoneOrder(shop);
    const { token } = await link(shop, order);
    const { invoice } = await payInvoice(token);
    await world.im.notify(invoice.paymentId, "5");
    // The notice is not delivered yet: InSales still says «pending»; our payment already settles the order.
    expect(order.financial_status).toBe("pending");
    for (const refused of [await previewPaymentLink(token), await payByLink(token)]) {
      expect(refused).toMatchObject({ ok: false, reason: "already_paid", status: 409, title: "Заказ уже оплачен" });
    }
  });

  it("leads every link of one order, opened any number of times, to one payment and one invoice", async () => {
    const shop = await linkShop();
    const order = phoneOrder(shop);
    const first = await link(shop, order);
    const second = await link(shop, order, { days: 7 });
    const a = await payInvoice(first.token);
    const [b, c] = await Promise.all([payByLink(second.token), payByLink(first.token)]);
    for (const again of [b, c]) {
      expect(again).toMatchObject({ ok: true, paymentId: a.payment.id, repeat: true });
      // IntellectMoney's «created» has named the invoice by now: back to it by its id (lib/checkout/checkout-repeat.ts).
      if (again.ok) expect(again.fields).toEqual([["invoiceId", a.invoice.paymentId]]);
    }
    expect(await db().payment.count({ where: { shopId: shop.id, insalesOrderId: String(order.id) } })).toBe(1);
    expect(world.im.refusedRepeats.filter((r) => r.orderId === a.payment.imOrderId)).toEqual([]);
    // After the invoice was cancelled, a link makes a new attempt of the same transaction (a new orderId).
    await world.im.notify(a.invoice.paymentId, "4");
    const retried = await payByLink(second.token);
    expect(retried).toMatchObject({ ok: true, repeat: false });
    const next = await db().payment.findUniqueOrThrow({ where: { id: retried.ok ? retried.paymentId : "" } });
    expect(next).toMatchObject({ transactionId: `link-${order.id}`, attempt: 2, imOrderId: `${a.payment.imOrderId}_2` });
    // A cancelled payment link's invoice tells InSales nothing: there is no «not paid» through the order API.
    expect(await db().insalesNotice.count({ where: { paymentId: a.payment.id } })).toBe(0);
  });

  it("refuses a tampered link, a link re-pointed at another order and an expired one, in Russian", async () => {
    const shop = await linkShop();
    const order = phoneOrder(shop);
    const other = phoneOrder(shop);
    const { token } = await link(shop, order);
    const parts = token.split(".");
    const otherOrder = [...parts.slice(0, 4), String(other.id), ...parts.slice(5)].join(".");
    const longer = [...parts.slice(0, 5), String(Number(parts[5]) + 86_400), parts[6]].join(".");
    const badMac = `${token.slice(0, -2)}${token.endsWith("AA") ? "AB" : "AA"}`;
    for (const forged of [otherOrder, longer, badMac, "pl1.x", "", `${token}.x`]) {
      expect(await previewPaymentLink(forged), forged).toMatchObject({ ok: false, reason: "bad_link", status: 403, title: "Ссылка недействительна" });
      expect(await payByLink(forged)).toMatchObject({ ok: false, reason: "bad_link" });
    }
    const old = await link(shop, order, { days: 1, now: new Date(Date.now() - 2 * 86_400_000) });
    expect(await payByLink(old.token)).toMatchObject({ ok: false, reason: "expired", status: 410, message: expect.stringContaining("Срок действия этой ссылки на оплату закончился") });
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("makes the merchant a clear problem when InSales refuses the app the right to change orders", async () => {
    const shop = await linkShop({ mailKinds: [4] });
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { notifyEmail: "shop@example.com" } });
    shop.standIn.denied = { ordersWrite: true };
    const order = phoneOrder(shop);
    const { token } = await link(shop, order);
    const { payment, invoice } = await payInvoice(token);
    await world.im.notify(invoice.paymentId, "5");
    const { notice, outcome } = await deliverNoticeOf(payment.id);
    expect(outcome).toMatchObject({ ok: false, reason: "rejected" });
    expect(order.financial_status).toBe("pending");
    expect(await db().insalesNotice.findUniqueOrThrow({ where: { id: notice.id } })).toMatchObject({ state: "FAILED" });
    const problem = await db().problem.findFirstOrThrow({ where: { paymentId: payment.id, kind: "notice_rejected" } });
    expect(problem.message).toContain("у приложения нет права изменять заказы в InSales");
    expect(problem.message).toContain("Отметьте оплату заказа вручную");
    expect(await db().mail.count({ where: { paymentId: payment.id, kind: 4 } })).toBe(1);
  });
});

describe("a payment link for an order checked out with our payment method whose payment failed", () => {
  it("pays the order's own transaction as a new attempt, and InSales hears through the method's signed notice", async () => {
    const first = await newPayment(world, { amount: "990.00" });
    await world.im.notify(first.invoice.paymentId, "4");
    const shop = { ...first.shop, eshopId: first.eshopId, secretKey: first.secretKey };
    // The cancelled attempt's «не оплачен» went to InSales as usual.
    const cancelled = await deliverNoticeOf(first.payment.id);
    expect(cancelled.outcome).toEqual({ ok: true, result: "delivered" });

    const { token } = await link(shop, first.order);
    const { payment, invoice } = await payInvoice(token);
    expect(payment).toMatchObject({ transactionId: first.payment.transactionId, attempt: 2, insalesNoticeChannel: "server_url", amountRaw: "990.00", verifiedBy: "payment_link" });
    await world.im.notify(invoice.paymentId, "5");
    const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(await deliverNotice(notice.id)).toEqual({ ok: true, result: "delivered" });
    const server = world.ext.noticesFor(first.shop.host, first.payment.transactionId).filter((n) => n.channel === "server");
    expect(server.at(-1)).toMatchObject({ valid: true, fields: expect.objectContaining({ paid: "1", amount: "990.00" }) });
    expect(first.order.financial_status).toBe("paid");
    expect(await previewPaymentLink(token)).toMatchObject({ ok: false, reason: "already_paid" });
  });
});

describe("making a link (the merchant's side)", () => {
  it("sends letter 14 with the link to the order's buyer when it is switched on, and refuses e-mail when it is off", async () => {
    const shop = await linkShop({ mailKinds: [14] });
    const order = phoneOrder(shop, "2400.00");
    const made = await link(shop, order, { send: true });
    expect(made.sentTo).toBe("buyer@example.com");
    const mail = await db().mail.findFirstOrThrow({ where: { shopId: shop.id, kind: 14 } });
    expect(mail).toMatchObject({ to: "buyer@example.com", paymentId: null });
    expect(mail.subject).toBe(`Ссылка на оплату заказа №${order.number} — ${shop.host}`);
    expect(mail.text).toContain(made.url);
    expect(mail.text).toContain("2\u00a0400,00\u00a0₽");
    expect(await db().paymentLink.findUniqueOrThrow({ where: { id: made.linkId } })).toMatchObject({ sentTo: "buyer@example.com", createdBy: "Игорь", insalesOrderId: String(order.id) });

    const quiet = await linkShop();
    const other = phoneOrder(quiet);
    expect(await createPaymentLink({ shopId: quiet.id, insalesOrderId: String(other.id), lifetimeDays: 3, send: true, createdBy: null })).toMatchObject({ ok: false, reason: "letter_off" });
    expect(await db().paymentLink.count({ where: { shopId: quiet.id } })).toBe(0);
  });

  it("makes no link for a paid order, an unknown order, or another shop's order", async () => {
    const shop = await linkShop();
    const paidOrder = phoneOrder(shop);
    paidOrder.financial_status = "paid";
    expect(await createPaymentLink({ shopId: shop.id, insalesOrderId: String(paidOrder.id), lifetimeDays: 3, send: false, createdBy: null })).toMatchObject({
      ok: false,
      reason: "already_paid",
      message: "Заказ уже оплачен: ссылка не нужна.",
    });
    expect(await createPaymentLink({ shopId: shop.id, insalesOrderId: "999999999", lifetimeDays: 3, send: false, createdBy: null })).toMatchObject({ ok: false, reason: "order_not_found" });
    const stranger = await linkShop();
    const theirs = phoneOrder(stranger);
    // Our shop's API cannot see another shop's order: the stand-in answers 404 on our host.
    expect(await createPaymentLink({ shopId: shop.id, insalesOrderId: String(theirs.id), lifetimeDays: 3, send: false, createdBy: null })).toMatchObject({ ok: false, reason: "order_not_found" });
    expect(await createPaymentLink({ shopId: shop.id, insalesOrderId: String(phoneOrder(shop).id), lifetimeDays: 5, send: false, createdBy: null })).toMatchObject({ ok: false, reason: "bad_request" });
  });
});
