// Personal-wallet («Физическое лицо») results (docs/protocols/intellectmoney.md §2): every field of a
// notification but the hash is visible to the buyer in the invoice form, so without the wallet form's
// «Секретный ключ» a notification proves nothing. It never moves the payment nor reaches InSales; it is a
// claim the merchant confirms or rejects (lib/results/claims.ts). With the key, wallet notifications are
// verified exactly like an organization's.
import { describe, expect, it } from "vitest";
import { POST } from "../../app/api/intellectmoney/result/route";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { resultNotificationHash } from "../intellectmoney/signatures";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { eventsOf, newPayment, noticeJobs, paymentRow, resultRequest, useResultWorld, type Paid } from "../../tests/support/result-test-support";
import { buyerReturn } from "../notices/buyer-return";
import { decideClaim } from "./claims";

useTestDatabase();

const world = useResultWorld();

const SHOP_MAIL = "shop@example.com";

async function noticesOf(paymentId: string) {
  return db().insalesNotice.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
}

async function claimsOf(paymentId: string) {
  return db().paymentClaim.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
}

/** A wallet payment whose shop wants letter 7 (the claim letter goes to the shop). */
async function walletPayment(o: { walletSecretKey?: string } = {}): Promise<Paid> {
  const p = await newPayment(world, { wallet: true, amount: "700.00", ...o });
  await db().shopSettings.update({ where: { shopId: p.shop.id }, data: { mailKinds: [3, 7], notifyEmail: SHOP_MAIL } });
  return p;
}

/**
 * What a buyer can write from the invoice form alone: eshopId 450157, our orderId, the amount, the
 * currency, the resultUrl's `?shop=`. No hash (there is none to copy), or whatever they like in it.
 */
function forged(p: Paid, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    eshopId: "450157", paymentId: "3999999999", orderId: p.payment.imOrderId, eshopAccount: "", serviceName: p.payment.description,
    recipientAmount: "700.00", recipientOriginalAmount: "700.00", recipientCurrency: "RUB", paymentStatus: status, userName: "", userEmail: "",
    paymentData: "2026-12-01 12:00:00", secretKey: "", UserField_0: "wallet@example.com", UserField_9: p.invoice.form.UserField_9, ...extra,
  };
}

async function post(p: Paid, fields: Record<string, string>) {
  const res = await POST(resultRequest(p.shop.insalesId, fields));
  return { status: res.status, body: await res.text() };
}

describe("a wallet payment without «Секретный ключ»: notifications are claims", () => {
  it("a forged «paid» (5) without a hash changes nothing and reaches no InSales: a claim, a problem and letter 7", async () => {
    const p = await walletPayment();
    const answer = await post(p, forged(p, "5"));
    // Stored as a claim: acknowledged, so a resend only merges into it.
    expect(answer).toEqual({ status: 200, body: "OK" });

    const row = await paymentRow(p.payment.id);
    expect(row).toMatchObject({ status: "CREATED", paidKopecks: 0n, noticeState: "NONE", unverifiedResults: false });
    expect(await noticesOf(p.payment.id)).toHaveLength(0);

    const claims = await claimsOf(p.payment.id);
    expect(claims).toHaveLength(1);
    expect(claims[0]).toMatchObject({ state: "PENDING", paymentStatus: "5", targetStatus: "PAID", paidKopecks: 70000n, imPaymentId: "3999999999", shopId: p.shop.id });
    expect((await eventsOf(p.payment.id)).some((e) => e.type === "claim_recorded")).toBe(true);

    const problems = await db().problem.findMany({ where: { paymentId: p.payment.id, resolvedAt: null } });
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain("требует подтверждения");

    const letters = await db().mail.findMany({ where: { paymentId: p.payment.id, kind: 7 } });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ to: SHOP_MAIL });
    expect(letters[0].subject).toContain("требует подтверждения");
    expect(letters[0].text).toContain("оплачен, 700,00");

    // The buyer comes back on the success URL: no signed paid=1 on the strength of a claim.
    const back = await buyerReturn(p.payment.id, "success", { waitMs: 0 });
    expect(back).toMatchObject({ ok: true, kind: "pending" });
  });

  it("a forged «cancelled» (4) cannot block the genuine «paid» (5): the merchant rejects one, confirms the other → PAID once, one notice paid=1", async () => {
    const p = await walletPayment();
    expect(await post(p, forged(p, "4"))).toEqual({ status: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");

    // IntellectMoney's own «paid», signed with the shared shop's key the app never knows.
    const genuine = await world.im.notify(p.invoice.paymentId, "5");
    expect(genuine).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");

    const claims = await claimsOf(p.payment.id);
    expect(claims.map((c) => [c.paymentStatus, c.targetStatus, c.state])).toEqual([
      ["4", "CANCELLED", "PENDING"],
      ["5", "PAID", "PENDING"],
    ]);
    // One problem for the payment, one letter per claim.
    expect(await db().problem.count({ where: { paymentId: p.payment.id, resolvedAt: null } })).toBe(1);
    expect(await db().mail.count({ where: { paymentId: p.payment.id, kind: 7 } })).toBe(2);

    const [cancel, paid] = claims;
    expect(await decideClaim(p.shop.id, cancel.id, "reject", "owner@shop")).toMatchObject({ ok: true, result: "rejected", state: "REJECTED", status: "CREATED" });
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
    expect(await noticesOf(p.payment.id)).toHaveLength(0);

    expect(await decideClaim(p.shop.id, paid.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "confirmed", state: "CONFIRMED", status: "PAID" });
    const row = await paymentRow(p.payment.id);
    expect(row).toMatchObject({ status: "PAID", paidKopecks: 70000n, noticeState: "PENDING", imPaymentId: p.invoice.paymentId });
    const notices = await noticesOf(p.payment.id);
    expect(notices.map((n) => n.paid)).toEqual([1]);
    expect(await noticeJobs(notices[0].id)).toBe(1);
    // The normal letters of a paid payment follow (kind 3), the problem is resolved.
    expect(await db().mail.count({ where: { paymentId: p.payment.id, kind: 3 } })).toBe(1);
    expect(await db().problem.count({ where: { paymentId: p.payment.id, resolvedAt: null } })).toBe(0);

    const types = (await eventsOf(p.payment.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["claim_recorded", "claim_rejected", "claim_confirmed", "result_applied", "notice_queued"]));
    expect(types.indexOf("claim_confirmed")).toBeLessThan(types.indexOf("result_applied"));
    const applied = (await eventsOf(p.payment.id)).find((e) => e.type === "result_applied")!;
    expect(applied.data).toMatchObject({ verification: "merchant", to: "PAID" });

    // Deciding again is a no-op.
    expect(await decideClaim(p.shop.id, paid.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "already_decided", state: "CONFIRMED" });
    expect(await decideClaim(p.shop.id, cancel.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "already_decided", state: "REJECTED" });
    expect(await noticesOf(p.payment.id)).toHaveLength(1);
  });

  it("confirming the «paid» closes a pending «cancelled» as outdated", async () => {
    const p = await walletPayment();
    await post(p, forged(p, "4"));
    await world.im.notify(p.invoice.paymentId, "5");
    const [cancel, paid] = await claimsOf(p.payment.id);
    await decideClaim(p.shop.id, paid.id, "confirm", "owner@shop");
    expect((await db().paymentClaim.findUniqueOrThrow({ where: { id: cancel.id } })).state).toBe("OUTDATED");
    expect(await db().problem.count({ where: { paymentId: p.payment.id, resolvedAt: null } })).toBe(0);
    // Confirming the outdated one later changes nothing.
    expect(await decideClaim(p.shop.id, cancel.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "already_decided", state: "OUTDATED" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
  });

  it("a copy of a pending claim is merged into it; a rejected one never swallows a later genuine copy", async () => {
    const p = await walletPayment();
    await post(p, forged(p, "5"));
    await post(p, forged(p, "5"));
    let claims = await claimsOf(p.payment.id);
    expect(claims).toHaveLength(1);
    expect(claims[0].copies).toBe(2);
    expect(await db().mail.count({ where: { paymentId: p.payment.id, kind: 7 } })).toBe(1);

    await decideClaim(p.shop.id, claims[0].id, "reject", "owner@shop");
    await post(p, forged(p, "5"));
    claims = await claimsOf(p.payment.id);
    expect(claims.map((c) => c.state)).toEqual(["REJECTED", "PENDING"]);
  });

  it("a status 3 or a claim that would change nothing is only recorded on the timeline", async () => {
    const p = await walletPayment();
    // The stand-in's own «счёт создан» (3) at invoice creation: no claim, no problem, no stored invoice id.
    expect(await claimsOf(p.payment.id)).toHaveLength(0);
    expect((await paymentRow(p.payment.id)).imPaymentId).toBeNull();
    expect((await eventsOf(p.payment.id)).some((e) => e.type === "result_unverified")).toBe(true);
    expect(await db().problem.count({ where: { paymentId: p.payment.id } })).toBe(0);
  });

  it("refuses an unsigned claim whose amount is not the invoice's", async () => {
    const p = await walletPayment();
    expect(await post(p, forged(p, "5", { recipientAmount: "1.00", recipientOriginalAmount: "" }))).toEqual({ status: 422, body: "amount_mismatch" });
    expect(await claimsOf(p.payment.id)).toHaveLength(0);
  });

  it("confirming twice at once (two clicks, two tabs) makes one transition and one notice", async () => {
    const p = await walletPayment();
    await world.im.notify(p.invoice.paymentId, "5");
    const [claim] = await claimsOf(p.payment.id);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => decideClaim(p.shop.id, claim.id, "confirm", "owner@shop")));
    expect(outcomes.filter((o) => o.ok && o.result === "confirmed")).toHaveLength(1);
    expect(outcomes.filter((o) => o.ok && o.result === "already_decided")).toHaveLength(4);
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "result_applied")).toHaveLength(1);
    const notices = await noticesOf(p.payment.id);
    expect(notices.map((n) => n.paid)).toEqual([1]);
    expect(await noticeJobs(notices[0].id)).toBe(1);
  });

  it("a verified notification applies as usual once the key is set, and a confirmation after it changes nothing", async () => {
    const p = await walletPayment();
    await world.im.notify(p.invoice.paymentId, "5");
    const [claim] = await claimsOf(p.payment.id);

    // The merchant adds the wallet form's key; IntellectMoney resends, now verifiable.
    const formId = p.invoice.form.UserField_9;
    await db().shopSettings.update({ where: { shopId: p.shop.id }, data: { walletSecretKeyEnc: encryptSecret("wallet-form-key") } });
    world.im.registerWalletForm(formId, "wallet-form-key");
    expect(await world.im.notify(p.invoice.paymentId, "5")).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
    // The claim it made moot is closed for the merchant.
    expect((await db().paymentClaim.findUniqueOrThrow({ where: { id: claim.id } })).state).toBe("OUTDATED");

    expect(await decideClaim(p.shop.id, claim.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "already_decided", status: "PAID" });
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "result_applied")).toHaveLength(1);
    expect(await noticesOf(p.payment.id)).toHaveLength(1);
  });

  it("a confirmation that the payment has moved past is closed as outdated and changes nothing", async () => {
    const p = await walletPayment();
    await world.im.notify(p.invoice.paymentId, "5");
    const [claim] = await claimsOf(p.payment.id);
    // Applied meanwhile by a verified notification (a claim left pending, e.g. the page was open).
    await db().payment.update({ where: { id: p.payment.id }, data: { status: "PAID", paidKopecks: 70000n } });
    expect(await decideClaim(p.shop.id, claim.id, "confirm", "owner@shop")).toMatchObject({ ok: true, result: "outdated", state: "OUTDATED", status: "PAID" });
    expect(await noticesOf(p.payment.id)).toHaveLength(0);
    expect((await eventsOf(p.payment.id)).some((e) => e.type === "claim_outdated")).toBe(true);
  });

  it("another shop's session cannot decide this shop's claim", async () => {
    const p = await walletPayment();
    const other = await walletPayment();
    await world.im.notify(p.invoice.paymentId, "5");
    const [claim] = await claimsOf(p.payment.id);
    expect(await decideClaim(other.shop.id, claim.id, "confirm", "intruder")).toEqual({ ok: false, reason: "not_found" });
    expect(await decideClaim(other.shop.id, claim.id, "reject", "intruder")).toEqual({ ok: false, reason: "not_found" });
    expect(await decideClaim(p.shop.id, "not-a-uuid", "confirm", "owner")).toEqual({ ok: false, reason: "not_found" });
    expect((await db().paymentClaim.findUniqueOrThrow({ where: { id: claim.id } })).state).toBe("PENDING");
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });
});

describe("a wallet payment with «Секретный ключ»: verified like an organization's", () => {
  it("refuses a notification without a hash, or with a bad one, as bad_hash and records no claim", async () => {
    const p = await walletPayment({ walletSecretKey: "wallet-form-key" });
    expect(await post(p, forged(p, "5"))).toEqual({ status: 403, body: "bad_hash" });
    expect(await post(p, forged(p, "5", { hash: "0".repeat(32) }))).toEqual({ status: 403, body: "bad_hash" });
    // Signed with another key (the shared shop's, which the app never knows).
    expect(await world.im.notify(p.invoice.paymentId, "5", { signWith: "some-other-key" })).toMatchObject({ httpStatus: 403, body: "bad_hash" });
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "CREATED" });
    expect(await claimsOf(p.payment.id)).toHaveLength(0);
    expect(await noticesOf(p.payment.id)).toHaveLength(0);
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "result_rejected").every((e) => (e.data as { reason?: string }).reason === "bad_hash")).toBe(true);
  });

  it("applies a correctly signed notification (eshopId 450157, the same 11-field hash) like an organization's", async () => {
    const p = await walletPayment({ walletSecretKey: "wallet-form-key" });
    // The stand-in's status 3 was verified too: it names the invoice.
    expect((await paymentRow(p.payment.id)).imPaymentId).toBe(p.invoice.paymentId);
    const fields = forged(p, "5", { paymentId: p.invoice.paymentId });
    const hash = resultNotificationHash(fields as never, "wallet-form-key");
    expect(await post(p, { ...fields, hash })).toEqual({ status: 200, body: "OK" });
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "PAID", paidKopecks: 70000n, unverifiedResults: false });
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
    expect(await claimsOf(p.payment.id)).toHaveLength(0);
    const applied = (await eventsOf(p.payment.id)).find((e) => e.type === "result_applied")!;
    expect(applied.data).toMatchObject({ verification: "hash", eshopId: "450157" });
  });
});
