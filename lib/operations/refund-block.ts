// Stopping refunds of one payment, and the merchant letting them go on (docs/OPERATIONS.md «Reading
// every refund back»). A refund IntellectMoney reports as more than asked, or one that cannot be read
// back, stops every further refund of the payment: a persisted flag on the payment (the gate refuses
// while it is set), a critical problem on the card and in «Требует внимания», an event on the timeline.
// Only the merchant clears it, on the payment card, after checking the IntellectMoney account.
import { inTransaction, type Tx } from "../db";
import { log } from "../log";
import { isUuid } from "../uuid";
import { recordEvent } from "../payments/event-store";
import { openProblem } from "../payments/problem-store";
import { hasRequestedOperation, lockShopPayment, refundsBlockedAt, resolvePaymentProblems, setRefundsBlocked, type BlockTarget } from "./operation-store";

/** The problem kind of a stop: critical, and resolved only by clearing the stop on the card. */
export const REFUNDS_BLOCKED_PROBLEM = "refunds_blocked";

/** Problem kinds that «Отметить решённой» must not resolve: they are cleared on the payment card. */
export const CARD_ONLY_PROBLEM_KINDS: readonly string[] = [REFUNDS_BLOCKED_PROBLEM];

export function isCriticalProblem(kind: string): boolean {
  return kind === REFUNDS_BLOCKED_PROBLEM;
}

/**
 * Stops refunds of `payment` (inside the caller's transaction, under its row lock). A payment already
 * stopped keeps its first reason; the new one still becomes a problem, so nothing is lost.
 */
export async function blockRefunds(tx: Tx, payment: BlockTarget, reason: string, now = new Date()): Promise<void> {
  if (payment.refundsBlockedAt === null) await setRefundsBlocked(tx, payment.id, now, reason);
  const order = payment.orderNumber ?? payment.insalesOrderId;
  await openProblem(
    {
      shopId: payment.shopId,
      paymentId: payment.id,
      kind: REFUNDS_BLOCKED_PROBLEM,
      message: `Возвраты по заказу №${order} остановлены: ${reason} Проверьте возвраты в личном кабинете IntellectMoney и снимите остановку на карточке платежа.`,
    },
    tx,
  );
  await recordEvent({ shopId: payment.shopId, paymentId: payment.id, type: "refunds_blocked", message: `Возвраты остановлены: ${reason}` }, tx);
  log.warn({ shopId: payment.shopId, paymentId: payment.id }, "operation: refunds of the payment stopped");
}

export type ClearOutcome = { ok: true; message: string } | { ok: false; reason: "not_found" | "busy"; message: string };

/**
 * «Снять остановку возвратов»: the merchant has checked the IntellectMoney account. Scoped by the
 * session's shop; clearing a payment that is not stopped changes nothing and says so.
 */
export async function clearRefundBlock(shopId: string, paymentId: string, now = new Date()): Promise<ClearOutcome> {
  if (!isUuid(shopId) || !isUuid(paymentId)) return { ok: false, reason: "not_found", message: "Платёж не найден." };
  return inTransaction(async (tx) => {
    if (!(await lockShopPayment(tx, shopId, paymentId))) return { ok: false as const, reason: "not_found" as const, message: "Платёж не найден." };
    if ((await refundsBlockedAt(tx, paymentId)) === null) return { ok: true as const, message: "Возвраты по этому платежу не остановлены." };
    if (await hasRequestedOperation(tx, shopId, paymentId)) {
      return { ok: false as const, reason: "busy" as const, message: "По этому платежу выполняется операция. Дождитесь её результата." };
    }
    await setRefundsBlocked(tx, paymentId, null, null);
    await resolvePaymentProblems(tx, shopId, paymentId, REFUNDS_BLOCKED_PROBLEM, now);
    await recordEvent({ shopId, paymentId, type: "refunds_unblocked", message: "Продавец снял остановку возвратов, проверив возвраты в личном кабинете IntellectMoney." }, tx);
    log.info({ shopId, paymentId }, "operation: refunds of the payment allowed again by the merchant");
    return { ok: true as const, message: "Возвраты снова доступны. Сумма к возврату считается по уведомлениям IntellectMoney и принятым возвратам." };
  });
}
