// Issue 13 item 3: a repeated checkout after the invoice exists, against the stand-ins. IntellectMoney (its
// stand-in) continues a known orderId only with the same parameters and refuses different ones, and opens an
// existing invoice by `invoiceId` alone (docs/protocols/intellectmoney.md §1 «Уникальный номер покупки»);
// InSales (its stand-in) sends the buyer to pay the same order again with the same transaction_id, also after
// a cancelled payment (insales.md §2). Before the fix every repeat rebuilt the form with a fresh expireDate —
// refused by IntellectMoney — and a cancelled transaction could never be paid again («уже обработан»).
import { describe, expect, it } from "vitest";
import { GET as returnRoute } from "../../app/api/intellectmoney/return/[paymentId]/[outcome]/route";
import type { CheckoutInput } from "../../e2e/stand-ins/insales-payments-api";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { eventsOf, newPayment, paymentRow, useResultWorld, type Paid } from "../../tests/support/result-test-support";
import { addInstalledShop, configureOrganization, connectGatewayDirectly, configureWallet } from "../../tests/support/checkout-test-support";
import { startCheckout, type CheckoutOutcome } from "./checkout";
import { deliverNotice } from "../notices/notify-insales";

useTestDatabase();

const world = useResultWorld();

/** InSales sends the buyer to pay `p`'s order again: the same order, the same transaction_id. */
async function checkoutAgain(p: Paid, o: CheckoutInput & { now?: Date } = {}): Promise<Extract<CheckoutOutcome, { ok: true }>> {
  const { now, ...input } = o;
  const signed = world.insales.api.signedCheckout(p.shop.host, { orderId: p.order.id, ...input });
  expect(signed.order.client_transaction_id).toBe(p.payment.transactionId);
  const outcome = await startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null, now });
  if (!outcome.ok) throw new Error(`checkout refused: ${outcome.reason}`);
  return outcome;
}

/** The buyer's browser posts the form to IntellectMoney (its stand-in): where it is sent next. */
async function postToIntellectMoney(outcome: { action: string; fields: Array<[string, string]> }): Promise<{ status: number; location: string | null; text: string }> {
  const r = await fetch(outcome.action, { method: "POST", body: new URLSearchParams(outcome.fields), redirect: "manual" });
  return { status: r.status, location: r.headers.get("location"), text: await r.text() };
}

function invoicesFor(orderIdPrefix: string) {
  return [...world.im.invoices.values()].filter((i) => i.orderId.startsWith(orderIdPrefix));
}

async function noticesOf(paymentId: string) {
  return db().insalesNotice.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
}

describe("a repeated checkout of an open invoice", () => {
  it("posts only `invoiceId` once IntellectMoney has named the invoice (status 3), and the buyer continues that invoice", async () => {
    const p = await newPayment(world);
    expect((await paymentRow(p.payment.id)).imPaymentId).toBe(p.invoice.paymentId);

    const again = await checkoutAgain(p, { now: new Date(Date.now() + 3_600_000) });
    expect(again).toMatchObject({ repeat: true, paymentId: p.payment.id, action: world.im.merchantUrl });
    expect(again.fields).toEqual([["invoiceId", p.invoice.paymentId]]);

    const answer = await postToIntellectMoney(again);
    expect([answer.status, answer.location]).toEqual([303, `${world.im.url}/merchant/invoice/${p.invoice.paymentId}`]);
    expect(invoicesFor(p.payment.imOrderId)).toHaveLength(1);
    expect(world.im.refusedRepeats).toEqual([]);
    expect(await db().payment.count({ where: { shopId: p.shop.id } })).toBe(1);
    const repeat = (await eventsOf(p.payment.id)).filter((e) => e.type === "checkout_received").at(-1)!;
    expect(repeat.data).toMatchObject({ repeat: true, via: "invoice_id" });
    expect(repeat.message).toContain(p.invoice.paymentId);
  });

  it("without a status-3 notification («created» off in the account) posts the first form again unchanged, and IntellectMoney continues the invoice", async () => {
    const shop = await addInstalledShop(world.insales.insales);
    const eshopId = "470001";
    await configureOrganization(shop.id, { eshopId, secretKey: "k-470001" });
    await connectGatewayDirectly(shop);
    world.im.registerShop(eshopId, "k-470001");
    world.im.disabledEvents.set(eshopId, new Set(["3"]));
    const p = await newPayment(world, { shop: { ...shop, eshopId, secretKey: "k-470001" } });
    const row = await paymentRow(p.payment.id);
    expect(row.imPaymentId).toBeNull();
    expect(row.invoiceFields).toEqual(Object.entries(p.invoice.form));

    // An hour later: a form rebuilt now would carry another expireDate.
    const again = await checkoutAgain(p, { now: new Date(Date.now() + 3_600_000) });
    expect(again.fields).toEqual(Object.entries(p.invoice.form));
    const answer = await postToIntellectMoney(again);
    expect([answer.status, answer.location]).toEqual([303, `${world.im.url}/merchant/invoice/${p.invoice.paymentId}`]);
    expect(world.im.refusedRepeats).toEqual([]);
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "checkout_received").at(-1)!.data).toMatchObject({ via: "stored_form" });

    // What a rebuilt form meets (the stand-in as the vendor describes it): refused, and the shop is told.
    const rebuilt = { action: again.action, fields: again.fields.map(([n, v]): [string, string] => [n, n === "expireDate" ? "2099-01-01 00:00:00" : v]) };
    const refused = await postToIntellectMoney(rebuilt);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("уже зарегистрирована с другими параметрами");
    expect(world.im.refusedRepeats.at(-1)).toMatchObject({ orderId: p.payment.imOrderId, differing: ["expireDate"] });
    world.im.refusedRepeats.length = 0;
  });

  it("never sends the buyer to an invoice id that no verified notification gave (a wallet payment applied unverified before claims)", async () => {
    const p = await newPayment(world);
    await db().payment.update({ where: { id: p.payment.id }, data: { unverifiedResults: true } });
    const again = await checkoutAgain(p);
    expect(again.fields.map(([n]) => n)).not.toContain("invoiceId");
    expect(again.fields).toEqual(Object.entries(p.invoice.form));
  });

  it("rebuilds the form of a payment made before forms were kept (invoiceFields null, no invoice id), as before", async () => {
    const p = await newPayment(world);
    await db().payment.update({ where: { id: p.payment.id }, data: { invoiceFields: null as never, imPaymentId: null } });
    const again = await checkoutAgain(p);
    const f = Object.fromEntries(again.fields);
    expect([f.orderId, f.recipientAmount, f.eshopId]).toEqual([p.payment.imOrderId, p.invoice.recipientAmount, p.eshopId]);
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "checkout_received").at(-1)!.data).toMatchObject({ via: "rebuilt_form" });
  });

  it("a wallet payment's repeat goes to its invoice by id too", async () => {
    const shop = await addInstalledShop(world.insales.insales);
    await configureWallet(shop.id, { formId: "470777", secretKey: "wallet-key-470777" });
    world.im.registerWalletForm("470777", "wallet-key-470777");
    await connectGatewayDirectly(shop);
    const p = await newPayment(world, { shop: { ...shop, eshopId: "450157", secretKey: "wallet-key-470777" } });
    expect((await paymentRow(p.payment.id)).imPaymentId).toBe(p.invoice.paymentId);
    expect((await checkoutAgain(p)).fields).toEqual([["invoiceId", p.invoice.paymentId]]);
  });

  it("a finished payment (paid, held) re-posted still says «уже обработан»", async () => {
    const paid = await newPayment(world);
    await world.im.notify(paid.invoice.paymentId, "5");
    const signed = world.insales.api.signedCheckout(paid.shop.host, { orderId: paid.order.id });
    const outcome = await startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null });
    expect(outcome).toMatchObject({ ok: false, reason: "already_processed", status: 422 });

    const held = await newPayment(world, { holdMode: "HOLD" });
    await world.im.notify(held.invoice.paymentId, "6");
    const again = world.insales.api.signedCheckout(held.shop.host, { orderId: held.order.id });
    expect(await startCheckout({ form: new URLSearchParams(again.fields), shopHint: null })).toMatchObject({ ok: false, reason: "already_processed" });
  });
});

describe("InSales reusing the transaction of a cancelled payment", () => {
  it("gets a new invoice with a new orderId; paying it tells InSales paid=1 after the earlier paid=0", async () => {
    const p = await newPayment(world);
    expect((await world.im.notify(p.invoice.paymentId, "4")).body).toBe("OK");
    const cancelledNotice = (await noticesOf(p.payment.id))[0];
    expect(await deliverNotice(cancelledNotice.id)).toEqual({ ok: true, result: "delivered" });

    const again = await checkoutAgain(p);
    expect(again.repeat).toBe(false);
    expect(again.paymentId).not.toBe(p.payment.id);
    const second = await paymentRow(again.paymentId);
    expect(second).toMatchObject({ transactionId: p.payment.transactionId, attempt: 2, imOrderId: `${p.payment.imOrderId}_2`, status: "CREATED", amountRaw: p.payment.amountRaw });
    expect(Object.fromEntries(again.fields).orderId).toBe(`${p.payment.imOrderId}_2`);

    const answer = await postToIntellectMoney(again);
    expect(answer.status).toBe(303);
    const invoice = world.im.findInvoice(second.imOrderId)!;
    expect(invoice.paymentId).not.toBe(p.invoice.paymentId);
    expect(world.im.refusedRepeats).toEqual([]);

    expect((await world.im.notify(invoice.paymentId, "5")).body).toBe("OK");
    expect((await paymentRow(second.id)).status).toBe("PAID");
    expect((await paymentRow(p.payment.id)).status).toBe("CANCELLED");
    const paidNotice = (await noticesOf(second.id)).find((n) => n.paid === 1)!;
    expect(await deliverNotice(paidNotice.id)).toEqual({ ok: true, result: "delivered" });

    const server = world.ext.noticesFor(p.shop.host, p.payment.transactionId).filter((n) => n.channel === "server");
    expect(server.map((n) => [n.fields.paid, n.valid])).toEqual([
      ["0", true],
      ["1", true],
    ]);
    expect(p.order.financial_status).toBe("paid");
    const received = (await eventsOf(second.id)).find((e) => e.type === "checkout_received")!;
    expect(received.data).toMatchObject({ attempt: 2, previousPaymentId: p.payment.id });
  });

  it("does not send the old attempt's paid=0 once a newer attempt exists (SUPERSEDED), so it can never follow a paid=1", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const [stale] = await noticesOf(p.payment.id);
    expect(stale.state).toBe("PENDING"); // InSales was unreachable, say: not delivered yet
    const again = await checkoutAgain(p);
    const invoice = await postToIntellectMoney(again);
    expect(invoice.status).toBe(303);

    expect(await deliverNotice(stale.id)).toEqual({ ok: true, result: "superseded" });
    expect(await db().insalesNotice.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ state: "SUPERSEDED", attempts: 0 });
    expect((await paymentRow(p.payment.id)).noticeState).toBe("SUPERSEDED");
    expect(world.ext.noticesFor(p.shop.host, p.payment.transactionId)).toEqual([]);
    expect(await db().problem.count({ where: { paymentId: p.payment.id } })).toBe(0);
    expect((await eventsOf(p.payment.id)).map((e) => e.type)).toContain("notice_superseded");
  });

  it("the buyer coming back on the cancelled invoice's link is not sent to InSales with paid=0 once a new invoice exists", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    await checkoutAgain(p);
    const res = await returnRoute(new Request(`https://app.test.local/api/intellectmoney/return/${p.payment.id}/fail`), {
      params: Promise.resolve({ paymentId: p.payment.id, outcome: "fail" }),
    });
    const html = await res.text();
    expect(html).toContain("Этот счёт отменён");
    expect(html).not.toContain("<form");
  });

  it("the same transaction for another order is a conflict, not a new attempt", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const other = world.insales.api.createOrder(p.shop.host);
    other.client_transaction_id = p.payment.transactionId; // a forged or broken pairing
    const signed = world.insales.api.signedCheckout(p.shop.host, { orderId: other.id });
    expect(await startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null })).toMatchObject({ ok: false, reason: "conflict" });
    expect(await db().payment.count({ where: { shopId: p.shop.id } })).toBe(1);
  });

  it("two copies of the new checkout at once make one new attempt", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const answers = await Promise.all([checkoutAgain(p), checkoutAgain(p), checkoutAgain(p)]);
    expect(new Set(answers.map((a) => a.paymentId)).size).toBe(1);
    expect(await db().payment.count({ where: { shopId: p.shop.id } })).toBe(2);
    expect(new Set(answers.map((a) => JSON.stringify(a.fields))).size).toBe(1);
  });

  it("a third attempt after the second is cancelled too gets `_3`", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const second = await checkoutAgain(p);
    await postToIntellectMoney(second);
    const secondRow = await paymentRow(second.paymentId);
    await world.im.notify(world.im.findInvoice(secondRow.imOrderId)!.paymentId, "4");
    const third = await checkoutAgain(p);
    expect(await paymentRow(third.paymentId)).toMatchObject({ attempt: 3, imOrderId: `${p.payment.imOrderId}_3` });
  });
});

describe("«Задано в личном кабинете» at IntellectMoney (issue 13 item 4)", () => {
  it("the invoice IntellectMoney receives has no holdMode, no holdTime and no expireDate of ours", async () => {
    const p = await newPayment(world, { holdMode: "CABINET" });
    expect(Object.keys(p.invoice.form)).not.toContain("expireDate");
    expect(Object.keys(p.invoice.form)).not.toContain("holdMode");
    expect(Object.keys(p.invoice.form)).not.toContain("holdTime");
    expect(p.invoice.holdMode).toBeNull();
  });
});
