// The buyer's way back (docs/protocols/insales.md §2 «Result notice», channel «Buyer's browser»). IntellectMoney sends the buyer to our per-invoice success/fail URL; we answer with
// what the payment's state allows:
// - PAID (or HELD with «Отмечать заказ оплаченным при холдировании») → the signed fields with paid=1,
//   auto-POSTed to the gateway's success_url; InSales redirects the buyer to the order page.
// - CANCELLED → paid=0 to fail_url.
// - Result not here yet → wait briefly; still unknown → an honest «Платёж обрабатывается…» page with a
//   link to the order. Which URL the buyer came back on proves nothing: never a signed paid=1 for a
//   payment we do not know to be paid.
import { decryptSecret } from "../crypto";
import { insalesApi } from "../insales/api-client";
import { log } from "../log";
import { recordEvent } from "../payments/event-store";
import { insalesNoticeFor, settlesOrder } from "../payments/state";
import { hasNewerAttempt, loadReturningPayment, type ReturningPayment } from "./notice-store";
import { isUuid } from "../uuid";
import { buyerReturnTarget, noticePassword, orderPageUrl, signedNoticeFields } from "./notify-insales-fields";

export type ReturnOutcomeParam = "success" | "fail";

export type BuyerReturnOutcome =
  | { ok: true; kind: "post"; paid: 0 | 1; action: string; fields: Array<[string, string]> }
  | { ok: true; kind: "pending"; orderUrl: string | null; outcome: ReturnOutcomeParam }
  /** A cancelled invoice whose transaction has a newer attempt: its «не оплачен» would speak for the wrong invoice. */
  | { ok: true; kind: "superseded"; orderUrl: string | null }
  /**
   * A payment link's payment whose order InSales hears about through the API (Payment.insalesNoticeChannel
   * «order_api»): there is no checkout transaction to post back to, so the buyer gets our own page.
   */
  | { ok: true; kind: "paid_by_link"; orderUrl: string | null; orderNumber: string | null }
  | { ok: false; reason: "unknown_payment" };

/** 1 / 0 when the state says what to tell InSales (the state table's notice), null while undecided. */
function decided(p: ReturningPayment): 1 | 0 | null {
  return insalesNoticeFor(p.status, { markPaidOnHold: p.shop.settings?.markPaidOnHold ?? false, channel: p.insalesNoticeChannel });
}

/**
 * The gateway id when we did not create the method (manual setup): the order's payment_gateway_id
 * through the API (§2 «Buyer's browser»). Null when that is not possible.
 */
async function targetUrl(p: ReturningPayment, outcome: ReturnOutcomeParam): Promise<string | null> {
  const known = buyerReturnTarget(p.shop.host, p.shop.gateway, outcome);
  if (known) return known;
  if (!p.shop.apiPasswordEnc) return null;
  const order = await insalesApi({ host: p.shop.host, apiPassword: decryptSecret(p.shop.apiPasswordEnc) }, { maxAttempts: 1, timeoutMs: 5_000 }).get<{ payment_gateway_id?: unknown }>(
    `/admin/orders/${encodeURIComponent(p.insalesOrderId)}.json`,
  );
  const id = order.ok ? order.data?.payment_gateway_id : null;
  if (typeof id !== "number" && !(typeof id === "string" && /^\d+$/.test(id))) return null;
  return buyerReturnTarget(p.shop.host, { gatewayId: String(id), successUrl: null, failUrl: null }, outcome);
}

export type BuyerReturnOptions = { waitMs?: number; pollMs?: number };

export async function buyerReturn(paymentId: string, outcome: ReturnOutcomeParam, options: BuyerReturnOptions = {}): Promise<BuyerReturnOutcome> {
  if (!isUuid(paymentId)) return { ok: false, reason: "unknown_payment" };
  let payment = await loadReturningPayment(paymentId);
  if (!payment) return { ok: false, reason: "unknown_payment" };

  // The notification usually arrives a moment before or after the buyer: wait for it a little. A payment
  // link's payment told through the order API waits for any result (it has no «not paid» to decide).
  const viaApi = payment.insalesNoticeChannel === "order_api";
  const undecided = (p: ReturningPayment) => (viaApi ? p.status === "CREATED" : decided(p) === null);
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  const pollMs = options.pollMs ?? 500;
  while (undecided(payment) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    payment = (await loadReturningPayment(paymentId)) ?? payment;
  }

  const paid = decided(payment);
  let orderUrl: string | null = null;
  try {
    orderUrl = orderPageUrl(payment.shop.host, payment.orderKey);
  } catch {
    orderUrl = null;
  }
  const ctx = { shopId: payment.shopId, paymentId, transactionId: payment.transactionId };

  if (viaApi && settlesOrder(payment.status)) {
    await recordEvent({ shopId: payment.shopId, paymentId, type: "buyer_returned", message: "Покупатель вернулся после оплаты по ссылке", data: { outcome, status: payment.status } });
    return { ok: true, kind: "paid_by_link", orderUrl, orderNumber: payment.orderNumber };
  }

  // A cancelled attempt followed by a newer one of the same transaction (lib/checkout/checkout.ts): InSales must hear about
  // the order from the newer attempt only, never a late «не оплачен» from an old link (notify-insales.ts).
  if (paid === 0 && (await hasNewerAttempt(payment))) {
    await recordEvent({ shopId: payment.shopId, paymentId, type: "buyer_returned", message: "Покупатель вернулся по ссылке отменённого счёта; по заказу уже выставлен новый", data: { outcome, superseded: true } });
    return { ok: true, kind: "superseded", orderUrl };
  }

  if (paid !== null && !viaApi) {
    const password = noticePassword(payment, payment.shop.gateway, payment.shop.settings);
    const action = password ? await targetUrl(payment, paid === 1 ? "success" : "fail").catch(() => null) : null;
    if (password && action) {
      await recordEvent({ shopId: payment.shopId, paymentId, type: "buyer_returned", message: `Покупатель вернулся в магазин (${paid === 1 ? "оплачен" : "не оплачен"})`, data: { outcome, paid } });
      log.info({ ...ctx, paid, outcome }, "buyer-return: sending the buyer back to the shop");
      return { ok: true, kind: "post", paid, action, fields: signedNoticeFields(payment, paid, password) };
    }
    log.warn({ ...ctx, paid }, "buyer-return: no gateway URL or password; showing the order link");
  }

  await recordEvent({ shopId: payment.shopId, paymentId, type: "buyer_returned", message: `Покупатель вернулся (${outcome === "success" ? "успех" : "отказ"}), результат оплаты ещё не известен`, data: { outcome, status: payment.status } });
  return { ok: true, kind: "pending", orderUrl, outcome };
}
