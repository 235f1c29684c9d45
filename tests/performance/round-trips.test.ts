// SQL round trips on the two hot paths (docs/PERFORMANCE.md): the checkout of a new payment and a result
// notification must each cost at most 3 (round trips are what a burst of buyers waits on; wall-clock
// time is measured by `npm run bench`, never asserted in tests).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as resultRoute } from "../../app/api/intellectmoney/result/route";
import { POST as paymentPhp } from "../../app/payment.php/route";
import { checkoutSignature, type CheckoutFields } from "../../lib/insales/signatures";
import { db } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import { resultNotificationHash } from "../../lib/intellectmoney/signatures";
import { getBoss, stopBoss } from "../../lib/jobs/queue";
import { recordRoundTrips } from "../support/count-round-trips";
import { useTestDatabase } from "../support/use-test-database";
import { resultRequest } from "../support/result-test-support";
import { addInstalledShop, addStandInOrder, configureOrganization, connectGatewayDirectly, formRequest, startTestStandIn, type TestShop } from "../support/checkout-test-support";

useTestDatabase();

let shop: TestShop;

beforeAll(async () => {
  const stand = await startTestStandIn();
  shop = await addInstalledShop(stand.insales);
  // The order the fixed checkouts below name, for the app's read of its currency (checkout-currency.ts).
  addStandInOrder(shop.standIn, { id: 4020290, key: "201c02c69db32b95ecf878b3172121c4" });
  await configureOrganization(shop.id, { eshopId: "17354", secretKey: "test" });
  await connectGatewayDirectly(shop, "secretpass");
  // Letters on: the heavier path, with the invoice-created letters queued in the same statement.
  await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: [1, 2, 3], notifyEmail: "shop@example.com" } });
  await getBoss(); // started once per process, not per request: not part of a request's round trips
  return () => stand.close();
});

afterAll(async () => {
  await stopBoss();
});

function checkoutForm(transactionId: string): Record<string, string> {
  const fields: CheckoutFields = {
    shop_id: shop.insalesId, amount: "1200.00", transaction_id: transactionId, key: "201c02c69db32b95ecf878b3172121c4",
    description: "Заказ №9999 на сайте test.myinsales.ru", order_id: "4020290", phone: "79991234567", email: "buyer@example.com",
    original_currency: "", convert_currency: "", original_amount: "", conversion_rate: "", order_json: "",
  };
  return { ...fields, signature: checkoutSignature(fields, "secretpass") };
}

describe("round trips", () => {
  it("creates a new payment with its events and letters in at most 3 SQL round trips", async () => {
    await paymentPhp(formRequest("https://app.test.local/payment.php", checkoutForm("warm-1"))); // connect the pool first
    const { result, sql } = await recordRoundTrips(() => paymentPhp(formRequest(`https://app.test.local/payment.php?shop=${shop.insalesId}`, checkoutForm("rt-1"))));
    expect(result.status).toBe(200);
    expect(sql.length, `checkout statements:\n${sql.join("\n---\n")}`).toBeLessThanOrEqual(3);
    const payment = await db().payment.findUniqueOrThrow({ where: { shopId_transactionId_attempt: { shopId: shop.id, transactionId: "rt-1", attempt: 1 } }, include: { events: true, mails: true } });
    const timeline = [...payment.events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    expect(timeline.map((e) => e.type)).toEqual(["checkout_received", "checkout_verified"]);
    expect(timeline[1].createdAt.getTime()).toBeGreaterThan(timeline[0].createdAt.getTime());
    expect(payment.amountKopecks).toBe(120000n);
    expect(payment.mails.map((m) => m.kind).sort()).toEqual([1, 2]);
  });

  it("answers a repeat of the checkout (the same invoice again) in at most 3 SQL round trips", async () => {
    const { result, sql } = await recordRoundTrips(() => paymentPhp(formRequest(`https://app.test.local/payment.php?shop=${shop.insalesId}`, checkoutForm("rt-1"))));
    expect(result.status).toBe(200);
    expect(sql.length, `repeat statements:\n${sql.join("\n---\n")}`).toBeLessThanOrEqual(3);
    expect(await db().payment.count({ where: { shopId: shop.id, transactionId: "rt-1" } })).toBe(1);
    expect(await db().mail.count({ where: { shopId: shop.id, payment: { transactionId: "rt-1" } } })).toBe(2);
  });
});

/** IntellectMoney's «оплачен» (status 5) for the payment of `transactionId`, signed with the shop's key. */
async function paidNotification(transactionId: string, imPaymentId: string): Promise<Record<string, string>> {
  const payment = await db().payment.findUniqueOrThrow({ where: { shopId_transactionId_attempt: { shopId: shop.id, transactionId, attempt: 1 } } });
  const f = {
    eshopId: "17354", paymentId: imPaymentId, orderId: payment.imOrderId, eshopAccount: "ACC", serviceName: payment.description, recipientAmount: "1200.00",
    recipientOriginalAmount: "1200.00", recipientCurrency: "RUB", paymentStatus: "5", userName: "Покупатель", userEmail: "buyer@example.com",
    paymentData: "2026-11-28 12:00:05", secretKey: "",
  };
  return { ...f, hash: resultNotificationHash(f, "test") };
}

async function noticeJobs(paymentId: string): Promise<string[]> {
  const rows = await db().$queryRaw<Array<{ name: string }>>`
    SELECT j.name FROM pgboss.job j WHERE (j.name = 'notify-insales' AND j.singleton_key IN (SELECT n.id::text FROM "InsalesNotice" n WHERE n."paymentId" = ${paymentId}::uuid))
       OR (j.name = 'send-mail' AND j.singleton_key IN (SELECT m.id::text FROM "Mail" m WHERE m."paymentId" = ${paymentId}::uuid AND m.kind = 3))`;
  return rows.map((r) => r.name).sort();
}

describe("round trips of a result notification", () => {
  // SMTP on (nothing is sent: no worker runs here), so the letter's send-mail job is queued too.
  beforeAll(() => {
    process.env.SMTP_URL = "smtp://127.0.0.1:9";
    resetEnvCache();
    return () => {
      delete process.env.SMTP_URL;
      resetEnvCache();
    };
  });

  it("applies a new «оплачен» (CREATED → PAID, its notice, events, letter and jobs) in at most 3 SQL round trips", async () => {
    await paymentPhp(formRequest(`https://app.test.local/payment.php?shop=${shop.insalesId}`, checkoutForm("rt-result")));
    const fields = await paidNotification("rt-result", "3200000101");
    const { result, sql } = await recordRoundTrips(() => resultRoute(resultRequest(shop.insalesId, fields)));
    expect(result.status).toBe(200);
    expect(await result.text()).toBe("OK");
    expect(sql.length, `result statements:\n${sql.join("\n---\n")}`).toBeLessThanOrEqual(3);

    const payment = await db().payment.findUniqueOrThrow({ where: { shopId_transactionId_attempt: { shopId: shop.id, transactionId: "rt-result", attempt: 1 } }, include: { events: true, notices: true, mails: true } });
    expect(payment).toMatchObject({ status: "PAID", paidKopecks: 120000n, imPaymentId: "3200000101", noticeState: "PENDING" });
    expect(payment.notices.map((n) => [n.paid, n.state])).toEqual([[1, "PENDING"]]);
    const timeline = [...payment.events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((e) => e.type);
    expect(timeline.slice(-2)).toEqual(["result_applied", "notice_queued"]);
    expect(payment.events.find((e) => e.type === "notice_queued")!.data).toMatchObject({ noticeId: payment.notices[0].id, paid: 1 });
    expect(payment.mails.filter((m) => m.kind === 3).map((m) => m.state)).toEqual(["PENDING"]);
    expect(await noticeJobs(payment.id)).toEqual(["notify-insales", "send-mail"]);
  });

  it("acknowledges its repeat in at most 3 SQL round trips, recording it and changing nothing", async () => {
    const fields = await paidNotification("rt-result", "3200000101");
    const before = await db().payment.findUniqueOrThrow({ where: { shopId_transactionId_attempt: { shopId: shop.id, transactionId: "rt-result", attempt: 1 } } });
    const { result, sql } = await recordRoundTrips(() => resultRoute(resultRequest(shop.insalesId, fields)));
    expect(result.status).toBe(200);
    expect(await result.text()).toBe("OK");
    expect(sql.length, `repeat statements:\n${sql.join("\n---\n")}`).toBeLessThanOrEqual(3);

    const payment = await db().payment.findUniqueOrThrow({ where: { id: before.id }, include: { events: true, notices: true, mails: true } });
    expect(payment.updatedAt).toEqual(before.updatedAt);
    expect(payment.notices).toHaveLength(1);
    expect(payment.events.filter((e) => e.type === "result_applied")).toHaveLength(1);
    expect(payment.events.filter((e) => e.type === "result_ignored").map((e) => (e.data as { ignored?: string }).ignored)).toEqual(["same"]);
    expect(payment.mails.filter((m) => m.kind === 3)).toHaveLength(1);
    expect(await noticeJobs(payment.id)).toEqual(["notify-insales", "send-mail"]);
  });
});
