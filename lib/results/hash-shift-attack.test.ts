// Issue 12 item 2, as it was demonstrated: a checkout with a bad signature passed the API fallback, its
// unsigned description `x::acc::1500.00::RUB::5::un` went into serviceName, and the invoice hash the buyer
// saw, MD5(eshopId::orderId::x::acc::1500.00::RUB::5::un::1500.00::RUB::key), was also the hash of an
// 11-field «paid» notification — which we answered OK, made the payment PAID and told InSales paid=1.
import { describe, expect, it } from "vitest";
import { POST as resultRoute } from "../../app/api/intellectmoney/result/route";
import { insalesCheckoutSignature } from "../../e2e/stand-ins/insales-payments-api";
import { db } from "../db";
import { resultNotificationHash, type ResultHashFields } from "../intellectmoney/signatures";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { eventsOf, newPayment, paymentRow, resultRequest, useResultWorld } from "../../tests/support/result-test-support";
import { startCheckout } from "../checkout/checkout";
import { addInstalledShop, configureOrganization, connectGatewayDirectly } from "../../tests/support/checkout-test-support";

useTestDatabase();

const world = useResultWorld();

const CRAFTED_DESCRIPTION = "x::acc::1500.00::RUB::5::un";

async function noticesOf(paymentId: string) {
  return db().insalesNotice.count({ where: { paymentId } });
}

describe("the demonstrated hash-shift attack (issue 12 item 2)", () => {
  for (const signature of ["bad", "valid"] as const) {
    it(`refuses the notification built from the invoice hash of a crafted description (checkout signature ${signature}): the payment stays CREATED, InSales hears nothing`, async () => {
      const shop = await addInstalledShop(world.insales.insales);
      await configureOrganization(shop.id, { eshopId: signature === "bad" ? "31337" : "31338", secretKey: "shop-secret" });
      await connectGatewayDirectly(shop, "gw-password");
      const order = world.insales.api.createOrder(shop.host, { amount: "1500.00" });
      const fields: Record<string, string> = {
        shop_id: shop.insalesId, amount: "1500.00", transaction_id: order.client_transaction_id!, key: order.key,
        description: CRAFTED_DESCRIPTION, order_id: String(order.id), phone: "", email: "",
      };
      // «bad»: a signature nobody computed, so the API fallback admits it (the order is genuine and paid in
      // full). «valid»: InSales itself signed such a description — it is still not ours to hash as it is.
      fields.signature = signature === "bad" ? "0".repeat(32) : insalesCheckoutSignature(fields, "gw-password");

      const checkout = await startCheckout({ form: new URLSearchParams(fields), shopHint: null });
      expect(checkout.ok).toBe(true);
      if (!checkout.ok) return;
      const invoice = Object.fromEntries(checkout.fields);

      // The buyer's forgery: the invoice's eshopId, orderId and hash, the other fields cut from the description.
      const forged = {
        eshopId: invoice.eshopId, paymentId: "3000000001", orderId: invoice.orderId, eshopAccount: "acc", serviceName: "x",
        recipientAmount: "1500.00", recipientOriginalAmount: "1500.00", recipientCurrency: "RUB", paymentStatus: "5",
        userName: "un", userEmail: "1500.00", paymentData: "RUB", secretKey: "", hash: invoice.hash,
      };
      const answer = await resultRoute(resultRequest(shop.insalesId, forged));
      expect(await answer.text()).not.toBe("OK");
      expect(answer.status).toBeGreaterThanOrEqual(400);

      const payment = await paymentRow(checkout.paymentId);
      expect(payment.status).toBe("CREATED");
      expect(payment.paidKopecks).toBe(0n);
      expect(payment.noticeState).toBe("NONE");
      // No notice row means no notice job either (one job per notice row) and nothing for InSales.
      expect(await noticesOf(payment.id)).toBe(0);
      expect(world.ext.noticesFor(shop.host, order.client_transaction_id!)).toEqual([]);
      const events = await eventsOf(payment.id);
      expect(events.map((e) => e.type)).toContain("result_rejected");
      expect(events.map((e) => e.type)).not.toContain("result_applied");
    });
  }
});

describe("a notification whose hashed fields could shift is refused before anything changes", () => {
  it("refuses a correctly hashed «paid» notification with `::` in userName: 422, no change, no notice, on the timeline, one problem with a count", async () => {
    const p = await newPayment(world);
    const invoice = world.im.findInvoice(p.payment.imOrderId)!;
    // IntellectMoney echoes the buyer's name into the hashed userName: here one that blurs the fields.
    invoice.userName = "Иван::Петров";
    for (let i = 0; i < 3; i += 1) {
      const sent = await world.im.notify(p.invoice.paymentId, "5");
      expect(sent).toMatchObject({ httpStatus: 422, body: "ambiguous_fields" });
    }
    const row = await paymentRow(p.payment.id);
    expect(row.status).toBe("CREATED");
    expect(row.paidKopecks).toBe(0n);
    expect(await noticesOf(p.payment.id)).toBe(0);
    const rejected = (await eventsOf(p.payment.id)).filter((e) => e.type === "result_rejected");
    expect(rejected).toHaveLength(3);
    expect(rejected[0].data).toMatchObject({ reason: "ambiguous_fields", userName: "Иван::Петров" });
    const problems = await db().problem.findMany({ where: { shopId: p.shop.id, kind: "result_rejected" } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ paymentId: p.payment.id, count: 3, resolvedAt: null });
    expect(problems[0].message).toContain("userName");
    expect(problems[0].message).toContain("личном кабинете IntellectMoney");
  });

  it.each([
    ["serviceName", { serviceName: "Заказ:" }],
    ["userEmail", { userEmail: ":buyer@example.com" }],
    ["paymentData", { paymentData: "2026-12-01 12:00::00" }],
    ["eshopAccount", { eshopAccount: "acc::" }],
    ["userName", { userName: "a:::b" }],
  ])("refuses %s with `::` or a `:` at its edge even under a valid hash", async (field, change) => {
    const p = await newPayment(world);
    // What IntellectMoney would send for this invoice, with one value changed and hashed with the shop's key.
    const fields: Record<string, string> = {
      eshopId: p.eshopId, paymentId: p.invoice.paymentId, orderId: p.payment.imOrderId, eshopAccount: "acc", serviceName: p.invoice.serviceName,
      recipientAmount: p.invoice.recipientAmount, recipientOriginalAmount: p.invoice.recipientAmount, recipientCurrency: p.invoice.recipientCurrency,
      paymentStatus: "5", userName: "", userEmail: "buyer@example.com", paymentData: "2026-12-01 12:00:00", secretKey: "",
      ...change,
    };
    fields.hash = resultNotificationHash(fields as unknown as ResultHashFields, p.secretKey);
    const answer = await resultRoute(resultRequest(p.shop.insalesId, fields));
    expect(answer.status).toBe(422);
    expect(await answer.text()).toBe("ambiguous_fields");
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
    const [problem] = await db().problem.findMany({ where: { shopId: p.shop.id, kind: "result_rejected" } });
    expect(problem.message).toContain(field);
  });

  it("still applies a genuine notification whose values have single colons inside (times, «Заказ: 5»)", async () => {
    const p = await newPayment(world);
    world.im.findInvoice(p.payment.imOrderId)!.userName = "ООО «Ромашка»: бухгалтерия";
    const sent = await world.im.notify(p.invoice.paymentId, "5"); // paymentData is «2026-12-01 12:00:00»
    expect(sent).toMatchObject({ httpStatus: 200, body: "OK" });
    expect((await paymentRow(p.payment.id)).status).toBe("PAID");
  });
});
