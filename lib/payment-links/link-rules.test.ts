import { describe, expect, it } from "vitest";
import type { PaymentStatus } from "../generated/prisma/enums";
import { planLinkPayment, type OrderPayment } from "./link-rules";

const order = (o: Partial<{ financialStatus: string | null; totalKopecks: bigint; paymentGatewayId: string | null; clientTransactionId: string | null }> = {}) => ({
  id: "4020290",
  financialStatus: "pending",
  totalKopecks: 150000n,
  paymentGatewayId: null,
  clientTransactionId: null,
  ...o,
});
const pay = (status: PaymentStatus, paidKopecks = 0n, transactionId = "link-4020290"): OrderPayment => ({ status, paidKopecks, transactionId });

describe("what a payment link charges and how InSales hears of it", () => {
  it("charges the whole order with a transaction of its own when the order has no checkout transaction of ours", () => {
    expect(planLinkPayment(order(), [], "500001")).toEqual({ ok: true, unpaidKopecks: 150000n, transactionId: "link-4020290", channel: "order_api" });
    // Another payment method's transaction is not ours to notify.
    expect(planLinkPayment(order({ paymentGatewayId: "700", clientTransactionId: "2197421" }), [], "500001")).toMatchObject({ transactionId: "link-4020290", channel: "order_api" });
  });

  it("pays the order's checkout transaction of our payment method, notified like a checkout", () => {
    const o = order({ paymentGatewayId: "500001", clientTransactionId: "2197421" });
    expect(planLinkPayment(o, [pay("CANCELLED", 0n, "2197421")], "500001")).toEqual({ ok: true, unpaidKopecks: 150000n, transactionId: "2197421", channel: "server_url" });
    expect(planLinkPayment(o, [], null)).toMatchObject({ channel: "order_api" });
  });

  it("is «already paid» when InSales says so or a payment of ours settled the order", () => {
    expect(planLinkPayment(order({ financialStatus: "paid" }), [], null)).toEqual({ ok: false, reason: "already_paid" });
    for (const status of ["HELD", "PAID", "PARTIALLY_REFUNDED", "REFUNDED"] as const) {
      expect(planLinkPayment(order(), [pay(status, 150000n, "2197421")], null), status).toEqual({ ok: false, reason: "already_paid" });
    }
    for (const status of ["CREATED", "CANCELLED", "PARTIALLY_PAID"] as const) expect(planLinkPayment(order(), [pay(status)], null).ok, status).toBe(true);
  });

  it("leaves out what another open invoice has paid already, and then never uses the checkout transaction", () => {
    const o = order({ paymentGatewayId: "500001", clientTransactionId: "2197421" });
    expect(planLinkPayment(o, [pay("PARTIALLY_PAID", 50000n, "2197421")], "500001")).toEqual({ ok: true, unpaidKopecks: 100000n, transactionId: "link-4020290", channel: "order_api" });
    // The link's own partial payment is its open invoice: the link goes back to it, for the amount it has.
    expect(planLinkPayment(order(), [pay("PARTIALLY_PAID", 50000n)], null)).toMatchObject({ unpaidKopecks: 150000n });
    expect(planLinkPayment(order(), [pay("PARTIALLY_PAID", 149950n, "other")], null)).toEqual({ ok: false, reason: "nothing_to_pay" });
  });
});
