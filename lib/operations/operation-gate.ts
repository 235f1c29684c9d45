// Whether a capture, a release or a refund may run on a payment now (docs/OPERATIONS.md «How one
// operation runs»). Pure: the payment and its operations in, an answer with a Russian reason out. Used
// under the payment's row lock by payment-operations.ts and, for the buttons, by the payment card.
import type { LegalForm, OperationKind, OperationState, PaymentStatus } from "../generated/prisma/enums";
import { formatKopecks, formatRubles, parseKopecks } from "../money";
import { PAYMENT_STATUS_LABELS, stateAllows } from "../payments/state";

/** What the gate needs of a payment. */
export type GatePayment = {
  status: PaymentStatus;
  legalForm: LegalForm;
  currency: string;
  paidKopecks: bigint;
  refundedKopecks: bigint;
  /** Set while refunds are stopped after a refund that could not be confirmed (refund-block.ts). */
  refundsBlockedAt: Date | null;
  refundsBlockedReason: string | null;
};

export type GateOperation = { kind: OperationKind; state: OperationState; amountKopecks: bigint | null; readBackKopecks?: bigint | null };

export type GateRefusal = { ok: false; reason: "not_allowed" | "bad_amount" | "busy" | "blocked"; message: string };

const refuse = (reason: GateRefusal["reason"], message: string): GateRefusal => ({ ok: false, reason, message });

export const KIND_NOUN: Record<OperationKind, string> = { CAPTURE: "списание", RELEASE: "отмену холдирования", REFUND: "возврат" };

/**
 * What has been refunded as far as we know: the largest of the notifications' running total, the
 * refunds IntellectMoney accepted (their notification may still be on its way) and the totals it
 * reported when refunds were read back. An UNCERTAIN refund does not count: it always stops refunds,
 * and only the merchant, having checked the account, lets them go on (then the notifications and the
 * next read-back are the truth). [assumed] refundedKopecks is a running total (docs/OPERATIONS.md).
 */
export function refundedSoFarKopecks(p: GatePayment, ops: readonly GateOperation[]): bigint {
  let spent = p.refundedKopecks;
  let accepted = 0n;
  for (const o of ops) {
    if (o.kind !== "REFUND") continue;
    if (o.state === "ACCEPTED") accepted += o.amountKopecks ?? 0n;
    if (o.readBackKopecks != null && o.readBackKopecks > spent) spent = o.readBackKopecks;
  }
  return accepted > spent ? accepted : spent;
}

/** What may still be refunded: paid − refunded so far. */
export function refundableKopecks(p: GatePayment, ops: readonly GateOperation[]): bigint {
  const left = p.paidKopecks - refundedSoFarKopecks(p, ops);
  return left > 0n ? left : 0n;
}

export function refundsBlocked(p: GatePayment): boolean {
  return p.refundsBlockedAt !== null;
}

export function blockedMessage(p: GatePayment): string {
  return `Возвраты по этому платежу остановлены: ${p.refundsBlockedReason ?? "возврат не удалось проверить."} Проверьте возвраты в личном кабинете IntellectMoney и снимите остановку на карточке платежа.`;
}

export type AvailableOperations = {
  capture: boolean;
  release: boolean;
  /** What «Вернуть» would refund by default; null = no refund possible in this state. */
  refundKopecks: bigint | null;
  /** Why refunds are stopped (then «Вернуть» is shown disabled and the clear button offered), or null. */
  refundBlocked: string | null;
};

/**
 * The buttons the payment page shows: the gate's own answers (checkGate), ignoring an operation still in
 * flight, which only makes the gate say "busy" for a moment. A stopped refund still shows its amount, so
 * the disabled form says what is at stake.
 */
export function availableOperations(p: GatePayment, ops: readonly GateOperation[]): AvailableOperations {
  const settled = ops.filter((o) => o.state !== "REQUESTED");
  const refund = checkGate({ ...p, refundsBlockedAt: null }, settled, "REFUND");
  return {
    capture: checkGate(p, settled, "CAPTURE").ok,
    release: checkGate(p, settled, "RELEASE").ok,
    refundKopecks: refund.ok ? refund.amountKopecks : null,
    refundBlocked: refundsBlocked(p) && p.legalForm === "ORGANIZATION" ? blockedMessage(p) : null,
  };
}

/**
 * The «Сумма возврата» field as a merchant types it: "500", "500,5", "1 500,00", "1500.00" → kopecks;
 * anything else (a sign, three decimals, letters) → null.
 */
export function parseRefundInput(raw: string): bigint | null {
  const compact = raw.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
  return compact === "" ? null : parseKopecks(compact);
}

/** The field's default: kopecks as the merchant would type them, "1000,00". */
export function refundInputValue(kopecks: bigint): string {
  return formatKopecks(kopecks).replace(".", ",");
}

/** Pure: may `kind` run on this payment now? For a refund also the amount to send. */
export function checkGate(p: GatePayment, ops: readonly GateOperation[], kind: OperationKind, requested?: bigint): { ok: true; amountKopecks: bigint | null } | GateRefusal {
  if (p.legalForm !== "ORGANIZATION") {
    return refuse("not_allowed", "Операции через Merchant API недоступны для переводов физическому лицу: управляйте платежом в кошельке IntellectMoney.");
  }
  if (ops.some((o) => o.state === "REQUESTED")) {
    return refuse("busy", "По этому платежу уже выполняется операция. Дождитесь её результата.");
  }
  const now = PAYMENT_STATUS_LABELS[p.status];
  if (kind === "CAPTURE" || kind === "RELEASE") {
    if (!stateAllows(p.status, kind)) {
      return refuse("not_allowed", `${kind === "CAPTURE" ? "Списать" : "Отменить холдирование"} можно только у захолдированного платежа, а этот платёж — «${now}».`);
    }
    const accepted = ops.find((o) => (o.kind === "CAPTURE" || o.kind === "RELEASE") && o.state === "ACCEPTED");
    if (accepted) {
      return refuse("busy", `IntellectMoney уже принял ${KIND_NOUN[accepted.kind]} этого платежа; итог придёт уведомлением.`);
    }
    return { ok: true, amountKopecks: null };
  }
  if (refundsBlocked(p)) return refuse("blocked", blockedMessage(p));
  if (!stateAllows(p.status, "REFUND")) {
    return refuse("not_allowed", `Вернуть можно только оплаченный платёж, а этот платёж — «${now}».`);
  }
  const available = refundableKopecks(p, ops);
  const amount = requested ?? available;
  if (amount <= 0n) {
    return available <= 0n ? refuse("bad_amount", "Возвращать нечего: вся оплаченная сумма уже возвращена.") : refuse("bad_amount", "Сумма возврата должна быть больше нуля.");
  }
  if (amount > available) {
    return refuse("bad_amount", `Сумма возврата ${formatRubles(amount, p.currency)} больше доступной к возврату ${formatRubles(available, p.currency)}.`);
  }
  return { ok: true, amountKopecks: amount };
}
