// What a payment link may charge, and how InSales will hear that it was paid (docs/PRODUCT.md flow 12). Pure.
//
// The amount is the order's unpaid amount at the moment the link is opened: the InSales order's `total_price`
// (read through the API then, never taken from the link) less what our payments of the order still open have
// paid (a partial payment of another invoice). An order InSales calls paid, or with a payment of ours that
// settled it (held, paid, refunded — lib/payments/state.ts settlesOrder), is «уже оплачен».
//
// The payment's InSales transaction: when the order was placed with our payment method at checkout (its
// `payment_gateway_id` is the method we connected and it has a `client_transaction_id`) and the whole order is
// to be paid, the link pays that transaction — a new attempt after a failed payment, or the buyer's open
// invoice again — and InSales hears through the method's signed notice as for any checkout. Otherwise (phone
// and back-office orders, another payment method, a partly paid order) the payment has its own transaction
// `link-<order id>`, and the order is marked paid through the API (insales.md §3 «Orders»). Either way every
// link of one order leads to one payment: the same transaction, the same invoice while it can be paid.
import type { PaymentStatus } from "../generated/prisma/enums";
import type { InsalesOrder } from "../insales/orders";
import { MIN_AMOUNT_KOPECKS } from "../insales/checkout-request";
import { invoiceStillOpen, settlesOrder, type InsalesNoticeChannel } from "../payments/state";

export type OrderPayment = { status: PaymentStatus; paidKopecks: bigint; transactionId: string };

export type Payability = { ok: true; unpaidKopecks: bigint } | { ok: false; reason: "already_paid" | "nothing_to_pay" };

/** The transaction id of a payment link's own payments for an order (a safe token: docs/protocols/insales.md §2). */
export function linkTransactionId(orderId: string): string {
  return `link-${orderId}`;
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Which InSales transaction a payment link's payment belongs to, and so how InSales hears of it (above).
 * `ourGatewayId`: the payment method the app connected (ShopGateway.gatewayId), null when none.
 */
export function linkTransaction(
  order: Pick<InsalesOrder, "id" | "paymentGatewayId" | "clientTransactionId" | "totalKopecks">,
  ourGatewayId: string | null,
  unpaidKopecks: bigint,
): { transactionId: string; channel: InsalesNoticeChannel } {
  const checkout = order.clientTransactionId;
  const ours = ourGatewayId !== null && order.paymentGatewayId === ourGatewayId;
  if (ours && checkout && SAFE_TOKEN.test(checkout) && unpaidKopecks === order.totalKopecks) return { transactionId: checkout, channel: "server_url" };
  return { transactionId: linkTransactionId(order.id), channel: "order_api" };
}

/** What is left to pay on the order, or why nothing is; `transactionId`'s own payments are that link's (not «elsewhere»). */
export function payability(order: Pick<InsalesOrder, "financialStatus" | "totalKopecks">, payments: readonly OrderPayment[], transactionId: string): Payability {
  if (order.financialStatus === "paid" || payments.some((p) => settlesOrder(p.status))) return { ok: false, reason: "already_paid" };
  const paidElsewhere = payments.filter((p) => p.transactionId !== transactionId && invoiceStillOpen(p.status)).reduce((sum, p) => sum + p.paidKopecks, 0n);
  const unpaid = order.totalKopecks - paidElsewhere;
  return unpaid < MIN_AMOUNT_KOPECKS ? { ok: false, reason: "nothing_to_pay" } : { ok: true, unpaidKopecks: unpaid };
}

export type LinkPaymentPlan = { ok: true; unpaidKopecks: bigint; transactionId: string; channel: InsalesNoticeChannel } | { ok: false; reason: "already_paid" | "nothing_to_pay" };

/** payability and linkTransaction together: the amount is counted without the chosen transaction's own payments. */
export function planLinkPayment(
  order: Pick<InsalesOrder, "id" | "paymentGatewayId" | "clientTransactionId" | "totalKopecks" | "financialStatus">,
  payments: readonly OrderPayment[],
  ourGatewayId: string | null,
): LinkPaymentPlan {
  const own = payability(order, payments, linkTransactionId(order.id));
  if (!own.ok) return own;
  const tx = linkTransaction(order, ourGatewayId, own.unpaidKopecks);
  if (tx.channel === "order_api") return { ok: true, unpaidKopecks: own.unpaidKopecks, ...tx };
  // Paying the checkout transaction: the link's own earlier payments (if any) count as paid elsewhere now.
  const viaCheckout = payability(order, payments, tx.transactionId);
  if (viaCheckout.ok && viaCheckout.unpaidKopecks === order.totalKopecks) return { ok: true, unpaidKopecks: viaCheckout.unpaidKopecks, ...tx };
  return { ok: true, unpaidKopecks: own.unpaidKopecks, transactionId: linkTransactionId(order.id), channel: "order_api" };
}
