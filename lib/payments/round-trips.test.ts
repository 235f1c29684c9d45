// SQL round trips on the two hot paths (docs/PERFORMANCE.md): the checkout of a new payment and a result
// notification must each cost at most 3 (round trips are what a burst of buyers waits on; wall-clock
// time is measured by `npm run bench`, never asserted in tests).
import { beforeAll, describe, expect, it } from "vitest";
import { POST as paymentPhp } from "../../app/payment.php/route";
import { checkoutSignature, type CheckoutFields } from "../insales/signatures";
import { db } from "../db";
import { recordRoundTrips } from "../testing/count-round-trips";
import { useTestDatabase } from "../testing/use-test-database";
import { addInstalledShop, configureOrganization, connectGatewayDirectly, formRequest, startTestStandIn, type TestShop } from "./checkout-test-support";

useTestDatabase();

let shop: TestShop;

beforeAll(async () => {
  const stand = await startTestStandIn();
  shop = await addInstalledShop(stand.insales);
  await configureOrganization(shop.id, { eshopId: "17354", secretKey: "test" });
  await connectGatewayDirectly(shop, "secretpass");
  // Letters on: the heavier path, with the invoice-created letters queued in the same statement.
  await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: [1, 2, 3], notifyEmail: "shop@example.com" } });
  return () => stand.close();
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
    const payment = await db().payment.findUniqueOrThrow({ where: { shopId_transactionId: { shopId: shop.id, transactionId: "rt-1" } }, include: { events: true, mails: true } });
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
