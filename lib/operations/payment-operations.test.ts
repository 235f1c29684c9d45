// Capture, release and refund from the journal (issue 7; docs/protocols/intellectmoney.md §4) against the
// IntellectMoney stand-in's Merchant API, which checks Bearer, Sign and Hash and then notifies our result
// route in process. The payment's state must only ever move through those notifications.
//
// Issue 13 item 12 changed some expectations here (each said where): a TST payment needs the API token
// and Sign like any other; a wrong token is OperationState.Code 2 (the documented error code); a stale
// REQUESTED operation becomes UNCERTAIN, not FAILED; every refund is followed by a getPurchaseInfo
// read-back, so the refund calls are counted apart from it.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { resetEnvCache } from "../env";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { newPayment, paymentRow, useResultWorld, type NewPaymentOptions, type Paid } from "../../tests/support/result-test-support";
import { addInstalledShop } from "../../tests/support/checkout-test-support";
import { getPaymentWithTimeline } from "../journal/journal-query";
import { resolveProblem } from "../journal/journal-problems";
import { availableOperations, capturePayment, checkGate, getOperationsPanel, refundableKopecks, refundPayment, releaseHold, type GateOperation, type GatePayment } from "./payment-operations";
import { clearRefundBlock } from "./refund-block";

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

/** The operations' own calls (capture, release, refund); the refund read-backs are counted by readBacksFor. */
const callsFor = (p: Paid) => world.im.apiCalls.filter((c) => c.orderId === p.payment.imOrderId && c.method !== "getPurchaseInfo");
const readBacksFor = (p: Paid) => world.im.apiCalls.filter((c) => c.orderId === p.payment.imOrderId && c.method === "getPurchaseInfo");
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
    // Issue 13 item 12: UNCERTAIN (IntellectMoney may have executed it), where it used to be FAILED.
    expect(await db().paymentOperation.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ state: "UNCERTAIN", message: expect.stringContaining("не получен") });
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
    // OperationState.Code 2 = error (IntellectMoney's wiki); the stand-in answered 1 before issue 13.
    expect(callsFor(p)).toEqual([expect.objectContaining({ authorized: false, operationCode: 2 })]);
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

  // Issue 13 item 12: the test access level covers only CreateInvoice, BankCardPayment and
  // GetBankCardPaymentState (developer.intellectmoney.ru/info/access). Before, a TST payment went without
  // the token and Sign; now it needs both like any other.
  it("a TST payment is refused without the token and sign key, and signed like any other with them", async () => {
    const bare = await payment({ state: "HELD", testMode: true, api: null });
    expect(bare.payment.currency).toBe("TST");
    expect(await capturePayment(bare.shop.id, bare.payment.id)).toMatchObject({ ok: false, reason: "not_configured", message: expect.stringContaining("в тестовом режиме тоже") });
    expect(callsFor(bare)).toHaveLength(0);
    expect((await getOperationsPanel(bare.shop.id, await paymentRow(bare.payment.id))).configured).toBe(false);

    const p = await payment({ state: "HELD", testMode: true });
    expect(p.payment.currency).toBe("TST");
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true });
    expect(callsFor(p)).toEqual([expect.objectContaining({ headers: true, authorized: true, signed: true, hashed: true, resultCode: 0 })]);
    await world.im.settled();
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("the stand-in refuses a TST call without the token and Sign, as the access levels say", async () => {
    const p = await payment({ state: "HELD", testMode: true });
    const answer = await fetch(`${world.im.url}/api/merchant/purchaseToPaid`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ EshopId: Number(p.eshopId), OrderId: p.payment.imOrderId, Hash: "0" }),
    });
    expect(await answer.json()).toMatchObject({ OperationState: { Code: 2 } });
    expect(callsFor(p)).toEqual([expect.objectContaining({ headers: false, authorized: false })]);
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

/** The stand-in's refunded total for the invoice: what really left the merchant's account. */
const refundedAtIntellectMoney = (p: Paid) => BigInt(world.im.invoices.get(p.invoice.paymentId)!.refundedKopecks);
const problemsOf = (p: Paid) => db().problem.findMany({ where: { paymentId: p.payment.id }, orderBy: { createdAt: "asc" } });

/** A short client timeout for the «executed, answer lost» cases (INTELLECTMONEY_API_TIMEOUT_MS). */
function shortApiTimeout() {
  process.env.INTELLECTMONEY_API_TIMEOUT_MS = "300";
  resetEnvCache();
}

afterEach(() => {
  delete process.env.INTELLECTMONEY_API_TIMEOUT_MS;
  resetEnvCache();
});

describe("result code 1 («успешно с предупреждениями», issue 13 item 12)", () => {
  const WARNING = "Возврат выполнен, чек возврата не сформирован";

  it("a refund answered with code 1 is accepted, with the warning on the card and the timeline", async () => {
    const p = await payment({ state: "PAID" });
    world.im.setBehaviour(p.payment.imOrderId, { warning: WARNING });
    const outcome = await refundPayment(p.shop.id, p.payment.id, 50_000n);
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining(`IntellectMoney принял возврат 500,00\u00a0₽. Предупреждение IntellectMoney: ${WARNING}.`) });
    const [op] = await opsOf(p);
    expect(op).toMatchObject({ kind: "REFUND", state: "ACCEPTED", resultCode: 1, operationCode: 0, message: `IntellectMoney выполнил операцию с предупреждением: ${WARNING}` });
    expect(op.note).toBe("Проверено: по данным IntellectMoney возвращено всего 500,00\u00a0₽.");
    await world.im.settled();
    const card = await getPaymentWithTimeline(p.shop.id, p.payment.id);
    const item = card!.timeline.find((t) => t.source === "operation")!;
    expect(item).toMatchObject({ tone: "ok", message: expect.stringContaining(`принято IntellectMoney — IntellectMoney выполнил операцию с предупреждением: ${WARNING}`) });
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedKopecks: 50_000n, refundsBlockedAt: null });
  });

  it("a capture answered with code 1 is accepted too", async () => {
    const p = await payment({ state: "HELD" });
    world.im.setBehaviour(p.payment.imOrderId, { warning: "Списание выполнено с предупреждением" });
    expect(await capturePayment(p.shop.id, p.payment.id)).toMatchObject({ ok: true, message: expect.stringContaining("Предупреждение IntellectMoney: Списание выполнено с предупреждением") });
    expect((await opsOf(p)).map((o) => [o.kind, o.state, o.resultCode])).toEqual([["CAPTURE", "ACCEPTED", 1]]);
    await world.im.settled();
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("a merchant who retries a partial refund answered with code 1 does not refund twice", async () => {
    const p = await payment({ state: "PAID" });
    world.im.setBehaviour(p.payment.imOrderId, { warning: WARNING });
    const key = randomUUID();
    expect(await refundPayment(p.shop.id, p.payment.id, 100_000n, key)).toMatchObject({ ok: true });
    // The same form sent again (a double submit, a lost response): its first operation answers.
    expect(await refundPayment(p.shop.id, p.payment.id, 100_000n, key)).toMatchObject({ ok: true, message: expect.stringContaining("повторно он не отправлен") });
    // A fresh retry of the same amount: the accepted refund already counts, 500 are left.
    expect(await refundPayment(p.shop.id, p.payment.id, 100_000n, randomUUID())).toEqual({ ok: false, reason: "bad_amount", message: "Сумма возврата 1\u00a0000,00\u00a0₽ больше доступной к возврату 500,00\u00a0₽." });
    expect(callsFor(p).map((c) => [c.method, c.amount, c.resultCode])).toEqual([["purchaseToRefund", "1000.00", 1]]);
    expect(refundedAtIntellectMoney(p)).toBe(100_000n);
    expect(await opsOf(p)).toHaveLength(1);
    await world.im.settled();
  });
});

describe("reading every refund back (issue 13 item 12)", () => {
  it("reads each refund back with getPurchaseInfo and records what IntellectMoney reports", async () => {
    const p = await payment({ state: "PAID" });
    expect(await refundPayment(p.shop.id, p.payment.id, 30_000n)).toMatchObject({ ok: true });
    await world.im.settled();
    expect(await refundPayment(p.shop.id, p.payment.id, 20_000n)).toMatchObject({ ok: true });
    expect(readBacksFor(p).map((c) => [c.authorized, c.signed, c.hashed, c.refundAmount])).toEqual([
      [true, true, true, "300.00"],
      [true, true, true, "500.00"],
    ]);
    expect((await opsOf(p)).map((o) => [o.state, o.readBackKopecks])).toEqual([
      ["ACCEPTED", 30_000n],
      ["ACCEPTED", 50_000n],
    ]);
    await world.im.settled();
  });

  it("more refunded than asked: refunds stop with a critical problem; the merchant clears it on the card", async () => {
    const p = await payment({ state: "PAID" });
    // IntellectMoney ignoring the partial amount (our field name is unconfirmed) would refund everything.
    world.im.setBehaviour(p.payment.imOrderId, { refundWholeRemainder: true });
    const outcome = await refundPayment(p.shop.id, p.payment.id, 50_000n);
    expect(outcome).toMatchObject({ ok: false, reason: "refunds_blocked" });
    expect(outcome.message).toContain("IntellectMoney принял возврат 500,00\u00a0₽.");
    expect(outcome.message).toContain("возвращено 1\u00a0500,00\u00a0₽ — больше, чем запрошено");
    expect(refundedAtIntellectMoney(p)).toBe(150_000n);
    const [op] = await opsOf(p);
    expect(op).toMatchObject({ state: "ACCEPTED", readBackKopecks: 150_000n, note: expect.stringContaining("возвращено всего 1\u00a0500,00\u00a0₽, а ожидалось 500,00\u00a0₽") });
    const blocked = await paymentRow(p.payment.id);
    expect(blocked.refundsBlockedAt).toBeInstanceOf(Date);
    expect(blocked.refundsBlockedReason).toContain("больше, чем запрошено");
    const [problem] = await problemsOf(p);
    expect(problem).toMatchObject({ kind: "refunds_blocked", resolvedAt: null, message: expect.stringMatching(/^Возвраты по заказу №\S+ остановлены: по данным IntellectMoney возвращено 1\u00a0500,00\u00a0₽/) });
    // «Отметить решённой» does not lift it: only the card's clear button does.
    expect(await resolveProblem(p.shop.id, problem.id)).toEqual({ ok: false, reason: "card_only" });

    // Everything refunded arrives as notification 8. Pretend our records still show money left, to show
    // that even a refundable payment refuses refunds while stopped, without any API call.
    await world.im.settled();
    await db().payment.update({ where: { id: p.payment.id }, data: { status: "PARTIALLY_REFUNDED", refundedKopecks: 50_000n } });
    await db().paymentOperation.update({ where: { id: op.id }, data: { readBackKopecks: 50_000n } });
    const calls = callsFor(p).length;
    expect(await refundPayment(p.shop.id, p.payment.id, 100n)).toMatchObject({ ok: false, reason: "blocked", message: expect.stringContaining("Возвраты по этому платежу остановлены") });
    expect(callsFor(p)).toHaveLength(calls);
    const panel = await getOperationsPanel(p.shop.id, await paymentRow(p.payment.id));
    expect(panel.available.refundBlocked).toContain("Возвраты по этому платежу остановлены");
    expect(panel.available.refundKopecks).toBe(100_000n);

    // Another shop cannot clear it; the merchant of the shop can, once.
    const other = await addInstalledShop(world.insales.insales);
    expect(await clearRefundBlock(other.id, p.payment.id)).toMatchObject({ ok: false, reason: "not_found" });
    expect(await clearRefundBlock(p.shop.id, p.payment.id)).toMatchObject({ ok: true, message: expect.stringContaining("Возвраты снова доступны") });
    expect(await clearRefundBlock(p.shop.id, p.payment.id)).toMatchObject({ ok: true, message: "Возвраты по этому платежу не остановлены." });
    expect(await paymentRow(p.payment.id)).toMatchObject({ refundsBlockedAt: null, refundsBlockedReason: null });
    expect((await problemsOf(p))[0].resolvedAt).toBeInstanceOf(Date);
    const timeline = (await getPaymentWithTimeline(p.shop.id, p.payment.id))!.timeline.map((t) => t.type);
    expect(timeline).toEqual(expect.arrayContaining(["refunds_blocked", "refunds_unblocked"]));
    expect((await getOperationsPanel(p.shop.id, await paymentRow(p.payment.id))).available.refundBlocked).toBeNull();
  });

  it("a refund that cannot be read back stops refunds (IntellectMoney unavailable, or no refunded total)", async () => {
    for (const purchaseInfo of ["unavailable", "no_refund_field"] as const) {
      const p = await payment({ state: "PAID" });
      world.im.setBehaviour(p.payment.imOrderId, { purchaseInfo });
      const outcome = await refundPayment(p.shop.id, p.payment.id, 50_000n);
      expect(outcome).toMatchObject({ ok: false, reason: "refunds_blocked", message: expect.stringContaining("проверить, сколько по платежу возвращено, не удалось") });
      expect(await opsOf(p)).toEqual([expect.objectContaining({ state: "ACCEPTED", readBackKopecks: null, note: expect.stringContaining("Проверить, сколько возвращено, не удалось") })]);
      expect((await paymentRow(p.payment.id)).refundsBlockedAt).toBeInstanceOf(Date);
      expect(await problemsOf(p)).toEqual([expect.objectContaining({ kind: "refunds_blocked" })]);
      await world.im.settled();
      expect(await refundPayment(p.shop.id, p.payment.id, 100n)).toMatchObject({ ok: false, reason: "blocked" });
      expect(callsFor(p)).toHaveLength(1);
    }
  });

  it("a refund IntellectMoney executed but never answered is read back as done: accepted, and not sent again", async () => {
    shortApiTimeout();
    const p = await payment({ state: "PAID" });
    world.im.setBehaviour(p.payment.imOrderId, { hangAfterExecuting: true });
    const outcome = await refundPayment(p.shop.id, p.payment.id, 50_000n);
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining("ответа не было, но по данным IntellectMoney возврат выполнен") });
    expect(await opsOf(p)).toEqual([expect.objectContaining({ state: "ACCEPTED", readBackKopecks: 50_000n, message: expect.stringContaining("не ответил вовремя") })]);
    // The same amount again is a new refund the merchant may want; but 1 500 would be more than is left.
    expect(await refundPayment(p.shop.id, p.payment.id, 150_000n)).toMatchObject({ ok: false, reason: "bad_amount" });
    expect(callsFor(p)).toHaveLength(1);
    expect(refundedAtIntellectMoney(p)).toBe(50_000n);
    await world.im.settled();
  });

  it("a refund without an answer that cannot be confirmed stays UNCERTAIN and stops refunds", async () => {
    shortApiTimeout();
    const p = await payment({ state: "PAID" });
    world.im.setBehaviour(p.payment.imOrderId, { hangAfterExecuting: true, purchaseInfo: "unavailable" });
    const outcome = await refundPayment(p.shop.id, p.payment.id, 50_000n);
    expect(outcome).toMatchObject({ ok: false, reason: "refunds_blocked", message: expect.stringContaining("IntellectMoney не ответил вовремя") });
    expect(await opsOf(p)).toEqual([expect.objectContaining({ state: "UNCERTAIN" })]);
    expect((await paymentRow(p.payment.id)).refundsBlockedReason).toContain("не дал ясного ответа на возврат 500,00");
    // The merchant's retry makes no second call: the money may already have gone.
    world.im.setBehaviour(p.payment.imOrderId, {});
    expect(await refundPayment(p.shop.id, p.payment.id, 50_000n)).toMatchObject({ ok: false, reason: "blocked" });
    expect(callsFor(p)).toHaveLength(1);
    await world.im.settled();
  });

  it("a refund whose process died mid-call becomes UNCERTAIN and stops refunds", async () => {
    const p = await payment({ state: "PAID" });
    const stale = await db().paymentOperation.create({
      data: { shopId: p.shop.id, paymentId: p.payment.id, kind: "REFUND", amountKopecks: 40_000n, state: "REQUESTED", createdAt: new Date(Date.now() - 10 * 60_000) },
    });
    expect(await refundPayment(p.shop.id, p.payment.id, 40_000n)).toMatchObject({ ok: false, reason: "blocked", message: expect.stringContaining("запрос возврата 400,00\u00a0₽ остался без ответа") });
    expect(await db().paymentOperation.findUniqueOrThrow({ where: { id: stale.id } })).toMatchObject({ state: "UNCERTAIN" });
    expect(callsFor(p)).toHaveLength(0);
    expect(await problemsOf(p)).toEqual([expect.objectContaining({ kind: "refunds_blocked" })]);
  });

  it("without the invoice number (no notification yet) a refund cannot be read back and stops refunds", async () => {
    const p = await payment({ state: "PAID" });
    await db().payment.update({ where: { id: p.payment.id }, data: { imPaymentId: null } });
    expect(await refundPayment(p.shop.id, p.payment.id, 10_000n)).toMatchObject({ ok: false, reason: "refunds_blocked" });
    expect(readBacksFor(p)).toHaveLength(0);
    expect((await opsOf(p))[0].note).toContain("номер счёта IntellectMoney (СКО) ещё неизвестен");
    await world.im.settled();
  });
});

describe("the gate (pure)", () => {
  const paid: GatePayment = { status: "PAID", legalForm: "ORGANIZATION", currency: "RUB", paidKopecks: 100_000n, refundedKopecks: 0n, refundsBlockedAt: null, refundsBlockedReason: null };
  const refund = (amount: bigint, state: GateOperation["state"] = "ACCEPTED"): GateOperation => ({ kind: "REFUND", state, amountKopecks: amount });

  it("counts an accepted refund whose notification has not come yet", () => {
    expect(refundableKopecks(paid, [refund(30_000n)])).toBe(70_000n);
    expect(checkGate(paid, [refund(30_000n)], "REFUND", 70_001n)).toMatchObject({ ok: false, reason: "bad_amount" });
    // Once the notification says 30 000 were refunded, the same refund is not counted twice.
    expect(refundableKopecks({ ...paid, status: "PARTIALLY_REFUNDED", refundedKopecks: 30_000n }, [refund(30_000n)])).toBe(70_000n);
    // Failed refunds moved no money.
    expect(refundableKopecks(paid, [refund(30_000n, "FAILED")])).toBe(100_000n);
  });

  it("counts the largest refunded total IntellectMoney reported on read-back, and no UNCERTAIN refund", () => {
    expect(refundableKopecks(paid, [{ kind: "REFUND", state: "ACCEPTED", amountKopecks: 10_000n, readBackKopecks: 40_000n }])).toBe(60_000n);
    expect(refundableKopecks(paid, [refund(30_000n, "UNCERTAIN")])).toBe(100_000n);
  });

  it("refuses refunds while they are stopped, but not capture or release", () => {
    const stopped = { ...paid, refundsBlockedAt: new Date(), refundsBlockedReason: "проверка не удалась." };
    expect(checkGate(stopped, [], "REFUND", 1n)).toEqual({ ok: false, reason: "blocked", message: "Возвраты по этому платежу остановлены: проверка не удалась. Проверьте возвраты в личном кабинете IntellectMoney и снимите остановку на карточке платежа." });
    expect(checkGate({ ...stopped, status: "HELD" }, [], "CAPTURE")).toMatchObject({ ok: true });
    expect(availableOperations(stopped, [])).toEqual({ capture: false, release: false, refundKopecks: 100_000n, refundBlocked: expect.stringContaining("проверка не удалась.") });
  });

  it("refuses anything while an operation is REQUESTED", () => {
    expect(checkGate(paid, [refund(1n, "REQUESTED")], "REFUND", 1n)).toMatchObject({ ok: false, reason: "busy" });
  });

  it("offers the buttons the state allows", () => {
    expect(availableOperations(paid, [])).toEqual({ capture: false, release: false, refundKopecks: 100_000n, refundBlocked: null });
    expect(availableOperations({ ...paid, status: "HELD", paidKopecks: 0n }, [])).toEqual({ capture: true, release: true, refundKopecks: null, refundBlocked: null });
    expect(availableOperations({ ...paid, status: "HELD" }, [{ kind: "CAPTURE", state: "ACCEPTED", amountKopecks: null }])).toMatchObject({ capture: false, release: false });
    expect(availableOperations({ ...paid, status: "REFUNDED", refundedKopecks: 100_000n }, [])).toMatchObject({ refundKopecks: null });
    expect(availableOperations({ ...paid, legalForm: "INDIVIDUAL" }, [])).toEqual({ capture: false, release: false, refundKopecks: null, refundBlocked: null });
  });
});
