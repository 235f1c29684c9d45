// Capture, release and refund from the journal (issue 7; spec/intellectmoney-protocol.md §4) against the
// IntellectMoney stand-in's Merchant API, which checks Bearer, Sign and hash and then notifies our result
// route in process. The payment's state must only ever move through those notifications.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { useTestDatabase } from "../testing/use-test-database";
import { newPayment, paymentRow, useResultWorld, type NewPaymentOptions, type Paid } from "./apply-result-test-support";
import { addInstalledShop } from "./checkout-test-support";
import { availableOperations, capturePayment, checkGate, refundableKopecks, refundPayment, releaseHold, type GateOperation, type GatePayment } from "./payment-operations";

useTestDatabase();

const world = useResultWorld();

const API = { apiToken: "api-token-1", signSecretKey: "sign-secret-1" };

type Setup = NewPaymentOptions & { state?: "CREATED" | "HELD" | "PAID"; api?: { apiToken: string; signSecret: string } | null };

/** A payment in `state` (through the stand-in's notifications), the shop's Merchant API keys saved. */
async function payment(s: Setup = {}): Promise<Paid> {
  const p = await newPayment(world, { amount: "1500.00", ...s });
  world.im.registerShop(p.eshopId, p.secretKey, API);
  const api = s.api === undefined ? { apiToken: API.apiToken, signSecret: API.signSecretKey } : s.api;
  await db().shopSettings.update({
    where: { shopId: p.shop.id },
    data: { apiTokenEnc: api ? encryptSecret(api.apiToken) : null, signSecretEnc: api ? encryptSecret(api.signSecret) : null },
  });
  if (s.state === "HELD") await world.im.notify(p.invoice.paymentId, "6");
  if (s.state === "PAID") await world.im.notify(p.invoice.paymentId, "5");
  return p;
}

const callsFor = (p: Paid) => world.im.apiCalls.filter((c) => c.orderId === p.payment.imOrderId);
const opsOf = (p: Paid) => db().paymentOperation.findMany({ where: { paymentId: p.payment.id }, orderBy: { createdAt: "asc" } });

describe("capture and release", () => {
  it("captures a held payment: one signed API call, the operation ACCEPTED, PAID once IntellectMoney notifies 5", async () => {
    const p = await payment({ state: "HELD" });
    expect((await paymentRow(p.payment.id)).status).toBe("HELD");
    const outcome = await capturePayment(p.shop.id, p.payment.id);
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining("IntellectMoney принял списание") });
    expect(callsFor(p)).toEqual([expect.objectContaining({ method: "purchaseToPaid", authorized: true, signed: true, hashed: true, operationCode: 0, resultCode: 0 })]);
    const ops = await opsOf(p);
    expect(ops).toEqual([expect.objectContaining({ kind: "CAPTURE", state: "ACCEPTED", shopId: p.shop.id, amountKopecks: null })]);
    await world.im.settled();
    const row = await paymentRow(p.payment.id);
    expect(row).toMatchObject({ status: "PAID", paidKopecks: 150_000n });
    // The paid state came from the notification, which the timeline shows as applied.
    const applied = await db().paymentEvent.findMany({ where: { paymentId: p.payment.id, type: "result_applied" } });
    expect(applied.map((e) => (e.data as { paymentStatus: string }).paymentStatus)).toEqual(["6", "5"]);
    // A second capture is refused without an API call: the payment is no longer held.
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: false, reason: "not_allowed", message: expect.stringContaining("«Оплачен»") });
    expect(callsFor(p)).toHaveLength(1);
  });

  it("releases a hold: purchaseToRefund without an amount, CANCELLED after the notification 4", async () => {
    const p = await payment({ state: "HELD" });
    expect(await releaseHold(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    expect(callsFor(p)).toEqual([expect.objectContaining({ method: "purchaseToRefund", amount: null, resultCode: 0 })]);
    await world.im.settled();
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "CANCELLED", paidKopecks: 0n });
    expect(await db().insalesNotice.findMany({ where: { paymentId: p.payment.id }, select: { paid: true } })).toEqual([{ paid: 0 }]);
    expect((await opsOf(p)).map((o) => [o.kind, o.state])).toEqual([["RELEASE", "ACCEPTED"]]);
  });

  it("refuses capture and release of a payment that is not held, with no API call and no operation", async () => {
    const created = await payment();
    expect(await capturePayment(created.shop.id, created.payment.id)).toMatchObject({ ok: false, reason: "not_allowed", message: "Списать можно только у захолдированного платежа, а этот платёж — «Создан»." });
    expect(await releaseHold(created.shop.id, created.payment.id)).toMatchObject({ ok: false, reason: "not_allowed" });
    expect(callsFor(created)).toHaveLength(0);
    expect(await opsOf(created)).toHaveLength(0);
  });

  it("makes one API call when two captures are clicked at once", async () => {
    const p = await payment({ state: "HELD" });
    const outcomes = await Promise.all([capturePayment(p.shop.id, p.payment.id), capturePayment(p.shop.id, p.payment.id), capturePayment(p.shop.id, p.payment.id)]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? "" : o.reason))).toEqual(["busy", "busy"]);
    expect(callsFor(p)).toHaveLength(1);
    expect(await opsOf(p)).toHaveLength(1);
    await world.im.settled();
  });

  it("no longer lets a stale REQUESTED operation (a process that died mid-call) block the payment", async () => {
    const p = await payment({ state: "HELD" });
    const stale = await db().paymentOperation.create({ data: { shopId: p.shop.id, paymentId: p.payment.id, kind: "CAPTURE", state: "REQUESTED", createdAt: new Date(Date.now() - 10 * 60_000) } });
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    expect(await db().paymentOperation.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ state: "FAILED", message: expect.stringContaining("не получен") });
    await world.im.settled();
  });
});

describe("refunds", () => {
  it("refunds in part, then the rest: Amount sent each time, PARTIALLY_REFUNDED then REFUNDED with the totals right", async () => {
    const p = await payment({ state: "PAID" });
    expect(await refundPayment(p.shop.id, p.payment.id, 50_000n)).toMatchObject({ ok: true, message: expect.stringContaining("возврат 500,00") });
    await world.im.settled();
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "PARTIALLY_REFUNDED", paidKopecks: 150_000n, refundedKopecks: 50_000n });

    expect(await refundPayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    await world.im.settled();
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "REFUNDED", paidKopecks: 150_000n, refundedKopecks: 150_000n });
    expect(callsFor(p).map((c) => [c.method, c.amount, c.resultCode])).toEqual([
      ["purchaseToRefund", "500.00", 0],
      ["purchaseToRefund", "1000.00", 0],
    ]);
    expect((await opsOf(p)).map((o) => [o.kind, o.amountKopecks, o.state])).toEqual([
      ["REFUND", 50_000n, "ACCEPTED"],
      ["REFUND", 100_000n, "ACCEPTED"],
    ]);
    // Nothing is left to refund.
    expect(await refundPayment(p.shop.id, p.payment.id)).toMatchObject({ ok: false, reason: "not_allowed" });
  });

  it("refunds everything in one go without Amount", async () => {
    const p = await payment({ state: "PAID" });
    expect(await refundPayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    expect(callsFor(p)).toEqual([expect.objectContaining({ amount: null, resultCode: 0 })]);
    await world.im.settled();
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "REFUNDED", refundedKopecks: 150_000n });
  });

  it("refuses an over-refund, a zero amount and a refund of an unpaid payment with a Russian message and no API call", async () => {
    const p = await payment({ state: "PAID" });
    expect(await refundPayment(p.shop.id, p.payment.id, 150_001n)).toEqual({ ok: false, reason: "bad_amount", message: "Сумма возврата 1\u00a0500,01\u00a0₽ больше доступной к возврату 1\u00a0500,00\u00a0₽." });
    expect(await refundPayment(p.shop.id, p.payment.id, 0n)).toMatchObject({ ok: false, reason: "bad_amount", message: "Сумма возврата должна быть больше нуля." });
    const held = await payment({ state: "HELD" });
    expect(await refundPayment(held.shop.id, held.payment.id, 100n)).toMatchObject({ ok: false, reason: "not_allowed", message: expect.stringContaining("«Захолдирован»") });
    expect(callsFor(p)).toHaveLength(0);
    expect(callsFor(held)).toHaveLength(0);
    expect(await opsOf(p)).toHaveLength(0);
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("refuses the API's over-refund too, recording its message", async () => {
    const p = await payment({ state: "PAID" });
    // IntellectMoney knows of a refund made in its account that no notification told us about yet.
    world.im.invoices.get(p.invoice.paymentId)!.refundedKopecks = "100000";
    const outcome = await refundPayment(p.shop.id, p.payment.id, 60_000n);
    expect(outcome).toMatchObject({ ok: false, reason: "api_failed", message: "IntellectMoney отказал: Сумма возврата больше суммы, доступной к возврату" });
    expect((await opsOf(p)).map((o) => [o.state, o.message])).toEqual([["FAILED", "IntellectMoney отказал: Сумма возврата больше суммы, доступной к возврату"]]);
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });
});

describe("credentials", () => {
  it("a wrong API token: FAILED with the API's message, no notification, no state change", async () => {
    const p = await payment({ state: "HELD", api: { apiToken: "wrong-token", signSecret: API.signSecretKey } });
    const sent = p.invoice.notifications.length;
    const outcome = await capturePayment(p.shop.id, p.payment.id);
    expect(outcome).toMatchObject({ ok: false, reason: "api_failed", message: "IntellectMoney отказал: Неверный API-токен (Authorization)" });
    await world.im.settled();
    expect(callsFor(p)).toEqual([expect.objectContaining({ authorized: false, operationCode: 1 })]);
    expect(p.invoice.notifications).toHaveLength(sent);
    expect((await paymentRow(p.payment.id)).status).toBe("HELD");
    expect((await opsOf(p)).map((o) => [o.kind, o.state, o.message])).toEqual([["CAPTURE", "FAILED", "IntellectMoney отказал: Неверный API-токен (Authorization)"]]);
    // A failed operation does not block the next try.
    expect(await releaseHold(p.shop.id, p.payment.id)).toMatchObject({ ok: false, reason: "api_failed" });
  });

  it("a wrong sign key: FAILED with the API's message", async () => {
    const p = await payment({ state: "PAID", api: { apiToken: API.apiToken, signSecret: "wrong-sign" } });
    expect(await refundPayment(p.shop.id, p.payment.id, 100n)).toMatchObject({ ok: false, reason: "api_failed", message: "IntellectMoney отказал: Неверная подпись запроса (Sign)" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("without the token and sign key a real payment is refused before any API call", async () => {
    const p = await payment({ state: "HELD", api: null });
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: false, reason: "not_configured", message: expect.stringContaining("«API-токен»") });
    expect(callsFor(p)).toHaveLength(0);
    expect(await opsOf(p)).toHaveLength(0);
  });

  it("a TST payment works without the token and sign key, sending neither header", async () => {
    const p = await payment({ state: "HELD", testMode: true, api: null });
    expect(p.payment.currency).toBe("TST");
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    expect(callsFor(p)).toEqual([expect.objectContaining({ headers: false, hashed: true, resultCode: 0 })]);
    await world.im.settled();
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("another shop's payment is not found, and a wallet payment has no Merchant API", async () => {
    const p = await payment({ state: "HELD" });
    const other = await addInstalledShop(world.insales.insales);
    expect(await capturePayment(other.id, p.payment.id)).toMatchObject({ ok: false, reason: "not_found" });
    expect(await capturePayment(p.shop.id, randomUUID())).toMatchObject({ ok: false, reason: "not_found" });
    expect(await capturePayment(p.shop.id, "not-a-uuid")).toMatchObject({ ok: false, reason: "not_found" });
    const wallet = await newPayment(world, { wallet: true });
    expect(await refundPayment(wallet.shop.id, wallet.payment.id)).toMatchObject({ ok: false, reason: "not_allowed", message: expect.stringContaining("физическому лицу") });
    expect(callsFor(p)).toHaveLength(0);
  });
});

describe("the gate (pure)", () => {
  const paid: GatePayment = { status: "PAID", legalForm: "ORGANIZATION", currency: "RUB", paidKopecks: 100_000n, refundedKopecks: 0n };
  const refund = (amount: bigint, state: GateOperation["state"] = "ACCEPTED"): GateOperation => ({ kind: "REFUND", state, amountKopecks: amount });

  it("counts an accepted refund whose notification has not come yet", () => {
    expect(refundableKopecks(paid, [refund(30_000n)])).toBe(70_000n);
    expect(checkGate(paid, [refund(30_000n)], "REFUND", 70_001n)).toMatchObject({ ok: false, reason: "bad_amount" });
    // Once the notification says 30 000 were refunded, the same refund is not counted twice.
    expect(refundableKopecks({ ...paid, status: "PARTIALLY_REFUNDED", refundedKopecks: 30_000n }, [refund(30_000n)])).toBe(70_000n);
    // Failed refunds moved no money.
    expect(refundableKopecks(paid, [refund(30_000n, "FAILED")])).toBe(100_000n);
  });

  it("refuses anything while an operation is REQUESTED", () => {
    expect(checkGate(paid, [refund(1n, "REQUESTED")], "REFUND", 1n)).toMatchObject({ ok: false, reason: "busy" });
  });

  it("offers the buttons the state allows", () => {
    expect(availableOperations(paid, [])).toEqual({ capture: false, release: false, refundKopecks: 100_000n });
    expect(availableOperations({ ...paid, status: "HELD", paidKopecks: 0n }, [])).toEqual({ capture: true, release: true, refundKopecks: null });
    expect(availableOperations({ ...paid, status: "HELD" }, [{ kind: "CAPTURE", state: "ACCEPTED", amountKopecks: null }])).toMatchObject({ capture: false, release: false });
    expect(availableOperations({ ...paid, status: "REFUNDED", refundedKopecks: 100_000n }, [])).toMatchObject({ refundKopecks: null });
    expect(availableOperations({ ...paid, legalForm: "INDIVIDUAL" }, [])).toEqual({ capture: false, release: false, refundKopecks: null });
  });
});
