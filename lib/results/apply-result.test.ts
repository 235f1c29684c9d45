import { describe, expect, it } from "vitest";
import { POST } from "../../app/api/intellectmoney/result/route";
import { db } from "../db";
import { encryptSecret } from "../crypto";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { eventsOf, newPayment, noticeJobs, paymentRow, resultRequest, useResultWorld } from "../../tests/support/result-test-support";
import { addInstalledShop } from "../../tests/support/checkout-test-support";

useTestDatabase();

const world = useResultWorld();

async function noticesOf(paymentId: string) {
  return db().insalesNotice.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
}

describe("the result notification vector (docs/protocols/test-vectors.md)", () => {
  it("accepts the published result notification, answering exactly OK as text/plain", async () => {
    // The payment the vector describes: eshopId 12345, orderId ORDER-HASH, 100.00 RUB, key testsecretkey.
    const shop = await addInstalledShop(world.insales.insales);
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { eshopId: "12345", secretKeyEnc: encryptSecret("testsecretkey") } });
    const payment = await db().payment.create({
      data: {
        shopId: shop.id, transactionId: "2197421", insalesShopIdRaw: shop.insalesId, amountRaw: "100.00", orderKey: "201c02c69db32b95ecf878b3172121c4",
        insalesOrderId: "4020290", description: "Test", verifiedBy: "signature", legalForm: "ORGANIZATION", imOrderId: "ORDER-HASH", eshopId: "12345", currency: "RUB", amountKopecks: 10000n,
      },
    });
    const vector = {
      eshopId: "12345", paymentId: "3000000042", orderId: "ORDER-HASH", eshopAccount: "ACC", serviceName: "Test", recipientAmount: "100.00", recipientOriginalAmount: "100.00",
      recipientCurrency: "RUB", paymentStatus: "5", userName: "User", userEmail: "test@example.com", paymentData: "2025-01-01 12:00:00", secretKey: "",
      hash: "8f958db097c615a097e0548a3b57a9f6",
    };
    const res = await POST(resultRequest(shop.insalesId, vector));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("OK");
    const row = await paymentRow(payment.id);
    expect(row.status).toBe("PAID");
    expect(row.paidKopecks).toBe(10000n);
    expect(row.imPaymentId).toBe("3000000042");
    expect(row.noticeState).toBe("PENDING");
    const notices = await noticesOf(payment.id);
    expect(notices.map((n) => n.paid)).toEqual([1]);
    // The raw strings are kept on the timeline, never the hash or the secretKey field.
    const applied = (await eventsOf(payment.id)).find((e) => e.type === "result_applied")!;
    expect(applied.data).toMatchObject({ paymentData: "2025-01-01 12:00:00", recipientAmount: "100.00", eshopAccount: "ACC" });
    expect(JSON.stringify(applied.data)).not.toContain("8f958db097c615a097e0548a3b57a9f6");
    expect(applied.data).not.toHaveProperty("secretKey");
  });
});

describe("applying results", () => {
  it("status 3 from the stand-in names the invoice; «Оплатить» makes it PAID with one notice and one job", async () => {
    const p = await newPayment(world);
    let row = await paymentRow(p.payment.id);
    expect(row.status).toBe("CREATED");
    expect(row.imPaymentId).toBe(p.invoice.paymentId);
    expect(p.invoice.notifications[0]).toMatchObject({ httpStatus: 200, body: "OK", contentType: "text/plain" });

    const sent = await world.im.notify(p.invoice.paymentId, "5");
    expect(sent).toMatchObject({ httpStatus: 200, body: "OK" });
    row = await paymentRow(p.payment.id);
    expect(row.status).toBe("PAID");
    const notices = await noticesOf(p.payment.id);
    expect(notices).toHaveLength(1);
    expect(notices[0].paid).toBe(1);
    expect(await noticeJobs(notices[0].id)).toBe(1);
  });

  it("applies the same notification posted 10 times concurrently exactly once", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const original = p.invoice.notifications.at(-1)!;
    // Reset to CREATED and replay the very same body ten times at once.
    await db().insalesNotice.deleteMany({ where: { paymentId: p.payment.id } });
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales'`;
    await db().payment.update({ where: { id: p.payment.id }, data: { status: "CREATED", paidKopecks: 0n, noticeState: "NONE" } });
    const before = (await eventsOf(p.payment.id)).filter((e) => e.type === "result_applied").length;

    const answers = await Promise.all(Array.from({ length: 10 }, () => POST(resultRequest(p.shop.insalesId, original.fields))));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(await Promise.all(answers.map((a) => a.text()))).toEqual(Array(10).fill("OK"));

    const applied = (await eventsOf(p.payment.id)).filter((e) => e.type === "result_applied").length - before;
    expect(applied).toBe(1);
    const notices = await noticesOf(p.payment.id);
    expect(notices).toHaveLength(1);
    expect(await noticeJobs(notices[0].id)).toBe(1);
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("acknowledges an older status after a newer one with OK and changes nothing", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const held = await world.im.notify(p.invoice.paymentId, "6");
    expect(held).toMatchObject({ httpStatus: 200, body: "OK" });
    const created = await world.im.notify(p.invoice.paymentId, "3");
    expect(created).toMatchObject({ httpStatus: 200, body: "OK" });
    const again = await world.im.resend(p.invoice.paymentId);
    expect(again).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
    expect(await noticesOf(p.payment.id)).toHaveLength(1);
    expect((await eventsOf(p.payment.id)).filter((e) => e.type === "result_ignored")).toHaveLength(3);
  });

  it("does not tell InSales «paid» for a hold unless markPaidOnHold; capture then notifies paid=1", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "6");
    expect((await paymentRow(p.payment.id)).status).toBe("HELD");
    expect(await noticesOf(p.payment.id)).toHaveLength(0);
    await world.im.notify(p.invoice.paymentId, "5");
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
  });

  it("tells InSales «paid» at hold time with markPaidOnHold, and only once after the capture", async () => {
    const p = await newPayment(world, { markPaidOnHold: true });
    await world.im.notify(p.invoice.paymentId, "6");
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
    await world.im.notify(p.invoice.paymentId, "5");
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
    expect(await noticesOf(p.payment.id)).toHaveLength(1);
  });

  it("turns a cancellation into a paid=0 notice", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    expect((await paymentRow(p.payment.id)).status).toBe("CANCELLED");
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([0]);
  });

  it("records a partial payment and an overpayment without telling InSales «paid» for the partial one", async () => {
    const partial = await newPayment(world, { amount: "1000.00" });
    await world.im.notify(partial.invoice.paymentId, "7", { recipientAmount: "400.00" });
    let row = await paymentRow(partial.payment.id);
    expect(row).toMatchObject({ status: "PARTIALLY_PAID", paidKopecks: 40000n });
    // A «paid» (5) for less than the invoice is still only partial (§3: less = partial).
    await world.im.notify(partial.invoice.paymentId, "5", { recipientAmount: "900.00" });
    row = await paymentRow(partial.payment.id);
    expect(row).toMatchObject({ status: "PARTIALLY_PAID", paidKopecks: 90000n });
    expect(await noticesOf(partial.payment.id)).toHaveLength(0);

    const over = await newPayment(world, { amount: "1000.00" });
    await world.im.notify(over.invoice.paymentId, "5", { recipientAmount: "1000.50" });
    row = await paymentRow(over.payment.id);
    expect(row).toMatchObject({ status: "PAID", paidKopecks: 100050n });
    expect((await eventsOf(over.payment.id)).some((e) => e.type === "overpaid")).toBe(true);
  });

  it("records refunds with their amounts", async () => {
    const p = await newPayment(world, { amount: "1000.00" });
    await world.im.notify(p.invoice.paymentId, "5");
    await world.im.notify(p.invoice.paymentId, "8", { refundAmount: "300.00" });
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "PARTIALLY_REFUNDED", refundedKopecks: 30000n, paidKopecks: 100000n });
    await world.im.notify(p.invoice.paymentId, "8");
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "REFUNDED", refundedKopecks: 100000n });
    expect((await noticesOf(p.payment.id)).map((n) => n.paid)).toEqual([1]);
  });

  it("accepts test-mode (TST) notifications signed with the shop key", async () => {
    const p = await newPayment(world, { testMode: true });
    expect(p.payment.currency).toBe("TST");
    expect(await world.im.notify(p.invoice.paymentId, "5")).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });

  it("records an unverifiable wallet result as a claim only when order, amount and currency match (lib/results/wallet-claims.test.ts has the rest)", async () => {
    const p = await newPayment(world, { wallet: true });
    expect(p.invoice.eshopId).toBe("450157");
    const wrongAmount = await world.im.notify(p.invoice.paymentId, "5", { recipientAmount: "1.00", omitOriginalAmount: true });
    expect(wrongAmount.httpStatus).toBe(422);
    expect(wrongAmount.body).toBe("amount_mismatch");
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");

    // Without the wallet form's «Секретный ключ» nothing proves it (§2): a claim, the payment unchanged.
    expect(await world.im.notify(p.invoice.paymentId, "5")).toMatchObject({ httpStatus: 200, body: "OK" });
    const row = await paymentRow(p.payment.id);
    expect(row).toMatchObject({ status: "CREATED", unverifiedResults: false });
    expect(await db().paymentClaim.count({ where: { paymentId: p.payment.id, state: "PENDING" } })).toBe(1);
    expect(await noticesOf(p.payment.id)).toHaveLength(0);
  });

  it("never applies a wallet result that carries no hash at all (§2: a claim for the merchant, not a payment)", async () => {
    const p = await newPayment(world, { wallet: true });
    expect(await world.im.notify(p.invoice.paymentId, "5", { tamper: { hash: "" } })).toMatchObject({ httpStatus: 200, body: "OK" });
    expect(await paymentRow(p.payment.id)).toMatchObject({ status: "CREATED", unverifiedResults: false });
    expect(await noticesOf(p.payment.id)).toHaveLength(0);
  });
});

describe("refusing results (no state change, a 4xx, a short reason, an event)", () => {
  async function expectRefused(sent: { httpStatus: number | null; body: string }, reason: string, paymentId: string, status = "CREATED") {
    expect(sent.httpStatus).toBeGreaterThanOrEqual(400);
    expect(sent.httpStatus).toBeLessThan(500);
    expect(sent.body).toBe(reason);
    const row = await paymentRow(paymentId);
    expect(row.status).toBe(status);
    expect(await db().insalesNotice.count({ where: { paymentId } })).toBe(0);
    const rejected = (await eventsOf(paymentId)).filter((e) => e.type === "result_rejected");
    expect(rejected.at(-1)?.data).toMatchObject({ reason });
  }

  it("refuses a bad hash without echoing the hash input or the key", async () => {
    const p = await newPayment(world);
    const sent = await world.im.notify(p.invoice.paymentId, "5", { signWith: "not-the-key" });
    await expectRefused(sent, "bad_hash", p.payment.id);
    expect(sent.body).not.toContain(p.secretKey);
    const tampered = await world.im.notify(p.invoice.paymentId, "5", { tamper: { userName: "Mallory" } });
    await expectRefused(tampered, "bad_hash", p.payment.id);
  });

  it("refuses an organization's result without a hash", async () => {
    const p = await newPayment(world);
    await expectRefused(await world.im.notify(p.invoice.paymentId, "5", { tamper: { hash: "" } }), "bad_hash", p.payment.id);
  });

  it("refuses a result whose hash was computed with another shop's key", async () => {
    const a = await newPayment(world);
    const b = await newPayment(world);
    const sent = await world.im.notify(a.invoice.paymentId, "5", { signWith: b.secretKey });
    await expectRefused(sent, "bad_hash", a.payment.id);
  });

  it("refuses a result routed to another shop (another shop's ?shop=)", async () => {
    const a = await newPayment(world);
    const b = await newPayment(world);
    await world.im.notify(a.invoice.paymentId, "5");
    const fields = a.invoice.notifications.at(-1)!.fields;
    await db().payment.update({ where: { id: a.payment.id }, data: { status: "CREATED" } });
    await db().insalesNotice.deleteMany({ where: { paymentId: a.payment.id } });
    const res = await POST(resultRequest(b.shop.insalesId, fields));
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("unknown_order");
    expect((await paymentRow(a.payment.id)).status).toBe("CREATED");
    const shopEvents = await db().paymentEvent.findMany({ where: { shopId: b.shop.id, paymentId: null, type: "result_rejected" } });
    expect(shopEvents).toHaveLength(1);
  });

  it("refuses a wrong eshopId", async () => {
    const p = await newPayment(world);
    world.im.registerShop("99999", p.secretKey);
    const sent = await world.im.notify(p.invoice.paymentId, "5", { tamper: { eshopId: "99999" } });
    await expectRefused(sent, "wrong_eshop", p.payment.id);
  });

  it("refuses a wrong currency even when correctly signed", async () => {
    const p = await newPayment(world);
    // Signed over TST by someone holding the key: the invoice is RUB.
    const inv = world.im.invoices.get(p.invoice.paymentId)!;
    inv.recipientCurrency = "TST";
    const sent = await world.im.notify(p.invoice.paymentId, "5");
    inv.recipientCurrency = "RUB";
    await expectRefused(sent, "wrong_currency", p.payment.id);
  });

  it("refuses an invoice amount that is not the payment's", async () => {
    const p = await newPayment(world, { amount: "1000.00" });
    const inv = world.im.invoices.get(p.invoice.paymentId)!;
    inv.recipientAmount = "10.00";
    const sent = await world.im.notify(p.invoice.paymentId, "5");
    inv.recipientAmount = "1000.00";
    await expectRefused(sent, "amount_mismatch", p.payment.id);
    const garbled = await world.im.notify(p.invoice.paymentId, "5", { recipientAmount: "1e3" });
    await expectRefused(garbled, "bad_amount", p.payment.id);
  });

  it("refuses an unknown order with a shop-level event", async () => {
    const p = await newPayment(world);
    const sent = await world.im.notify(p.invoice.paymentId, "5", { tamper: { orderId: "no-such-order" } });
    expect(sent.httpStatus).toBe(404);
    expect(sent.body).toBe("unknown_order");
    const events = await db().paymentEvent.findMany({ where: { shopId: p.shop.id, paymentId: null, type: "result_rejected" } });
    expect(events.at(-1)?.data).toMatchObject({ reason: "unknown_order", orderId: "no-such-order" });
  });

  it("refuses an unknown shop and a missing ?shop=, recording an unrouted event", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5", { signWith: "x" });
    const fields = p.invoice.notifications.at(-1)!.fields;
    for (const shopParam of ["999999999", null, "1; DROP TABLE"]) {
      const before = await db().paymentEvent.count({ where: { shopId: null, type: "result_rejected" } });
      const res = await POST(resultRequest(shopParam, fields));
      expect(res.status).toBe(404);
      expect(await res.text()).toBe("unknown_shop");
      expect(await db().paymentEvent.count({ where: { shopId: null, type: "result_rejected" } })).toBe(before + 1);
    }
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
  });

  it("refuses a malformed body (duplicate fields) with 400", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const fields = Object.entries(p.invoice.notifications.at(-1)!.fields);
    await db().payment.update({ where: { id: p.payment.id }, data: { status: "CREATED" } });
    const body = new URLSearchParams([...fields, ["recipientAmount", "1.00"]]);
    const res = await POST(new Request(`https://app.test.local/api/intellectmoney/result?shop=${p.shop.insalesId}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() }));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe("bad_request");
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
    expect((await eventsOf(p.payment.id)).at(-1)).toMatchObject({ type: "result_rejected" });
  });
});
