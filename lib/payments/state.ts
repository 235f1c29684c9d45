// The payment's rules, in one place (docs/ARCHITECTURE.md convention 5; docs/protocols/intellectmoney.md §3,
// docs/protocols/insales.md §2 «Hold»). Read it top to bottom:
//   1. STATES — every state of a payment, one row each: its rank, the running total it carries, whether it
//      can still be cancelled, whether anything leaves it, what InSales is told on reaching it, the merchant's
//      letter, what a repeated checkout does, and which Merchant API operations it allows; WORDS — what the
//      journal, the timeline and the letters call it;
//   2. RESULT_CODES — the state each IntellectMoney `paymentStatus` moves a payment to;
//   3. the moves — states only move forward along STATES' order (CANCELLED ends an unpaid or held invoice);
//      a repeat or an older status is not an error (the sender would retry forever) but a no-op with a reason;
//   4. the claim rule — only proof moves money: an unverifiable notification becomes a claim instead;
//   5. the amounts a result leaves on the payment.
// Everything else asks this file: the result use case (lib/results), claims, the InSales notice and the buyer's
// return (lib/notices), the checkout's repeat rule (lib/checkout), the operation gate (lib/operations), the
// journal's and the letters' words. Pure: no database, no HTTP.
import type { OperationKind, PaymentStatus } from "@/lib/generated/prisma/enums";

/** What InSales is told when a payment reaches a state (docs/protocols/insales.md §2 «Hold»). */
type InsalesNotice =
  | "paid" // paid=1
  | "not_paid" // paid=0
  | "paid_if_marked_on_hold" // paid=1 only with «Отмечать заказ оплаченным при холдировании»: a hold is no captured money
  | null; // nothing (refunds have no InSales notice)

type StateRow = {
  /** The order money moves in; null: off the line (CANCELLED is reached from cancellable states only). */
  rank: number | null;
  /**
   * The running total a result into this state sets: `paid` (paidKopecks) or `refunded` (refundedKopecks).
   * `grows`: a repeat of this state with a larger total is news (several partial payments or refunds arrive
   * as the same status); in any other state a repeat is the same message again.
   */
  total: { of: "paid" | "refunded"; grows: boolean } | null;
  /** A late «cancelled» (4) still cancels it; captured money can only be refunded. */
  cancellable: boolean;
  /** Nothing leaves it. */
  terminal: boolean;
  insales: InsalesNotice;
  /** The merchant's letter of this move (lib/mail/queue-mail.ts TRIGGER_LETTERS), if any. */
  letter: "paid" | "held" | "refunded" | null;
  /**
   * The same InSales transaction checked out again (lib/checkout/checkout.ts): back to `same_invoice` (the
   * buyer may still pay it), `already_processed` (refused: it is finished), or a `new_attempt` with a new
   * invoice (a cancelled one cannot be paid; docs/protocols/intellectmoney.md §1 «Уникальный номер покупки»).
   */
  repeatedCheckout: "same_invoice" | "already_processed" | "new_attempt";
  /** Merchant API operations the state allows (lib/operations/operation-gate.ts adds the other conditions). */
  operations: readonly OperationKind[];
};

/** The rules of each state (StateRow says what each column means). */
export const STATES = {
  CREATED:            { rank: 0,    total: null,                             cancellable: true,  terminal: false, insales: null,                     letter: null,       repeatedCheckout: "same_invoice",      operations: [] },
  HELD:               { rank: 1,    total: null,                             cancellable: true,  terminal: false, insales: "paid_if_marked_on_hold", letter: "held",     repeatedCheckout: "already_processed", operations: ["CAPTURE", "RELEASE"] },
  PARTIALLY_PAID:     { rank: 2,    total: { of: "paid", grows: true },      cancellable: true,  terminal: false, insales: null,                     letter: null,       repeatedCheckout: "same_invoice",      operations: [] },
  PAID:               { rank: 3,    total: { of: "paid", grows: false },     cancellable: false, terminal: false, insales: "paid",                   letter: "paid",     repeatedCheckout: "already_processed", operations: ["REFUND"] },
  PARTIALLY_REFUNDED: { rank: 4,    total: { of: "refunded", grows: true },  cancellable: false, terminal: false, insales: null,                     letter: "refunded", repeatedCheckout: "already_processed", operations: ["REFUND"] },
  REFUNDED:           { rank: 5,    total: { of: "refunded", grows: false }, cancellable: false, terminal: true,  insales: null,                     letter: "refunded", repeatedCheckout: "already_processed", operations: [] },
  CANCELLED:          { rank: null, total: null,                             cancellable: false, terminal: true,  insales: "not_paid",               letter: null,       repeatedCheckout: "new_attempt",       operations: [] },
} as const satisfies Record<PaymentStatus, StateRow>;

/** What the app calls each state: the journal's word (lists, CSV, badges), inside a timeline sentence, in a letter. */
const WORDS: Record<PaymentStatus, readonly [label: string, inSentence: string, inLetter: string]> = {
  CREATED:            ["Создан",             "счёт создан",          "Счёт создан, ожидает оплаты"],
  HELD:               ["Захолдирован",       "деньги захолдированы", "Средства заблокированы (холд), ожидают списания"],
  PARTIALLY_PAID:     ["Частично оплачен",   "оплачен частично",     "Оплачен частично"],
  PAID:               ["Оплачен",            "оплачен",              "Оплачен"],
  PARTIALLY_REFUNDED: ["Частично возвращён", "частичный возврат",    "Частичный возврат"],
  REFUNDED:           ["Возвращён",          "возврат",              "Возврат"],
  CANCELLED:          ["Отменён",            "отменён",              "Отменён"],
};

/** Every state, in the table's order (the journal's filter lists them so). */
export const PAYMENT_STATUSES = Object.keys(STATES) as PaymentStatus[];

function wordsAt(i: 0 | 1 | 2): Record<PaymentStatus, string> {
  return Object.fromEntries(PAYMENT_STATUSES.map((s) => [s, WORDS[s][i]])) as Record<PaymentStatus, string>;
}

/** The journal's words for the states (lists, CSV, badges, operation refusals). */
export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = wordsAt(0);
/** A state inside a sentence of the timeline («Статус платежа: оплачен»). */
export const STATUS_TEXT: Record<PaymentStatus, string> = wordsAt(1);
/** The letters' «Статус» line (lib/mail/templates.ts). */
export const STATUS_LETTER_TEXT: Record<PaymentStatus, string> = wordsAt(2);

/** The running total a state carries, if any. */
export function totalOf(status: PaymentStatus): "paid" | "refunded" | null {
  const total: StateRow["total"] = STATES[status].total;
  return total?.of ?? null;
}

// 2. IntellectMoney's `paymentStatus` codes (docs/protocols/intellectmoney.md §3 table).

export type StatusAmounts = {
  /** What the notification says was paid (`recipientAmount`), in kopecks. */
  paidKopecks: bigint;
  /** The invoice amount we created, in kopecks. */
  invoiceKopecks: bigint;
  /** `refundAmount` of a status-8 notification when present (partial refund), in kopecks. */
  refundKopecks?: bigint | null;
};

/**
 * Conservative with money: a «paid» (5) whose amount is below the invoice is only PARTIALLY_PAID (§3 checks:
 * «less = partial»), and a refund smaller than what was paid (else the invoice) is PARTIALLY_REFUNDED.
 */
const RESULT_CODES: ReadonlyMap<string, (a: StatusAmounts) => PaymentStatus> = new Map<string, (a: StatusAmounts) => PaymentStatus>([
  ["3", () => "CREATED"],
  ["6", () => "HELD"],
  ["7", () => "PARTIALLY_PAID"],
  ["5", (a) => (a.paidKopecks < a.invoiceKopecks ? "PARTIALLY_PAID" : "PAID")],
  ["4", () => "CANCELLED"],
  [
    "8",
    (a) => {
      const refund = a.refundKopecks;
      const paid = a.paidKopecks > 0n ? a.paidKopecks : a.invoiceKopecks;
      return refund != null && refund > 0n && refund < paid ? "PARTIALLY_REFUNDED" : "REFUNDED";
    },
  ],
]);

/** The payment state an IntellectMoney `paymentStatus` code stands for; null for unknown codes. */
export function statusForCode(code: string, amounts: StatusAmounts): PaymentStatus | null {
  return RESULT_CODES.get(code)?.(amounts) ?? null;
}

// 3. The moves.

/** A state with the running totals that decide whether a repeat of the same state still moves money. */
export type StateSnapshot = {
  status: PaymentStatus;
  paidKopecks?: bigint;
  refundedKopecks?: bigint;
};

export type TransitionPlan = { apply: true } | { apply: false; reason: "same" | "backward" | "terminal" };

function snapshot(s: PaymentStatus | StateSnapshot): StateSnapshot {
  return typeof s === "string" ? { status: s } : s;
}

/** Compare a running total: a bigger one is news, an equal one a repeat, a smaller one an old message. */
function byTotal(current: bigint | undefined, next: bigint | undefined): TransitionPlan {
  if (current === undefined || next === undefined || next === current) return { apply: false, reason: "same" };
  return next > current ? { apply: true } : { apply: false, reason: "backward" };
}

export function planTransition(currentIn: PaymentStatus | StateSnapshot, nextIn: PaymentStatus | StateSnapshot): TransitionPlan {
  const current = snapshot(currentIn);
  const next = snapshot(nextIn);
  const from: StateRow = STATES[current.status];

  if (current.status === next.status) {
    if (!from.total?.grows) return { apply: false, reason: "same" };
    return from.total.of === "refunded" ? byTotal(current.refundedKopecks, next.refundedKopecks) : byTotal(current.paidKopecks, next.paidKopecks);
  }
  if (from.terminal) return { apply: false, reason: "terminal" };
  const to: StateRow = STATES[next.status];
  // Money captured is not "cancelled": it can only be refunded (a late 4 is an old message).
  if (to.rank === null) return from.cancellable ? { apply: true } : { apply: false, reason: "backward" };
  return from.rank !== null && to.rank > from.rank ? { apply: true } : { apply: false, reason: "backward" };
}

// 4. The claim rule.

/**
 * What proves that a result notification comes from IntellectMoney (docs/protocols/intellectmoney.md §2–§3):
 * - `hash`: its hash checked out against the key we store (an organization's, or a wallet form's);
 * - `merchant`: nobody could check it, but the merchant confirmed it after checking the IntellectMoney account;
 * - `none`: nothing. Every field of a notification except the hash is visible to the buyer in the invoice
 *   form, so an unverifiable one may be forged (a wallet payment whose settings have no «Секретный ключ»).
 */
export type ResultProof = "hash" | "merchant" | "none";

/** Only proof moves money: without it a move is recorded as a claim for the merchant (lib/results/claims.ts). */
const MOVE_WITH: Record<ResultProof, "apply" | "record_claim"> = { hash: "apply", merchant: "apply", none: "record_claim" };

/**
 * What a result notification does to a payment:
 * - `apply`: move the payment to `next` (and tell InSales what insalesNoticeFor says);
 * - `record_claim`: it would move the payment but nothing proves it: keep it as a claim for the merchant to
 *   confirm or reject; the payment's money state stays as it is and InSales hears nothing;
 * - `ignore`: a repeat or an older status (planTransition's reason), with or without proof.
 * A confirmed claim is planned again with proof "merchant" against the payment as it stands by then.
 */
export type ResultPlan = { kind: "apply" } | { kind: "record_claim" } | { kind: "ignore"; reason: "same" | "backward" | "terminal" };

export function planResult(current: PaymentStatus | StateSnapshot, next: PaymentStatus | StateSnapshot, proof: ResultProof): ResultPlan {
  const move = planTransition(current, next);
  if (!move.apply) return { kind: "ignore", reason: move.reason };
  return { kind: MOVE_WITH[proof] };
}

/**
 * An unproven claim must name exactly the invoice amount and refund no more than it (the rule wallet
 * notifications had before claims existed): a forger cannot make up amounts for the merchant to weigh.
 */
export function claimAmountsAdmissible(a: { paidKopecks: bigint; refundKopecks: bigint | undefined; invoiceKopecks: bigint }): boolean {
  return a.paidKopecks === a.invoiceKopecks && (a.refundKopecks === undefined || a.refundKopecks <= a.invoiceKopecks);
}

/**
 * How InSales hears about a payment (Payment.insalesNoticeChannel): the signed notice of the payment method's
 * checkout transaction, or — a payment link for an order without one — the order's `financial_status` set
 * through the API (docs/protocols/insales.md §3 «Orders»), which can only say «paid».
 */
export type InsalesNoticeChannel = "server_url" | "order_api";

/**
 * What InSales is told when a payment reaches `next`: `1` paid, `0` not paid, null nothing. Through the order
 * API there is no «not paid» to send: an order nobody marked paid stays unpaid, so a cancelled payment link's
 * invoice tells InSales nothing.
 */
export function insalesNoticeFor(next: PaymentStatus, options: { markPaidOnHold: boolean; channel?: InsalesNoticeChannel | string }): 1 | 0 | null {
  const notice: InsalesNotice = STATES[next].insales;
  if (notice === "paid") return 1;
  if (notice === "not_paid") return options.channel === "order_api" ? null : 0;
  if (notice === "paid_if_marked_on_hold") return options.markPaidOnHold ? 1 : null;
  return null;
}

/**
 * Whether a payment in `status` settles its order, so the order takes no further payment (a payment link
 * answers «Заказ уже оплачен»): exactly the states a repeated checkout refuses as already processed.
 */
export function settlesOrder(status: PaymentStatus): boolean {
  return STATES[status].repeatedCheckout === "already_processed";
}

/** Whether a payment in `status` may still be paid (its invoice is open): what it has paid so far counts toward the order. */
export function invoiceStillOpen(status: PaymentStatus): boolean {
  return STATES[status].repeatedCheckout === "same_invoice";
}

/** The merchant's letter of a move into `next`, if any. */
export function letterFor(next: PaymentStatus): "paid" | "held" | "refunded" | null {
  return STATES[next].letter;
}

/** What a repeated checkout of a transaction whose latest payment is in `status` does. */
export function repeatedCheckout(status: PaymentStatus): StateRow["repeatedCheckout"] {
  return STATES[status].repeatedCheckout;
}

/** Whether the state allows a Merchant API operation at all. */
export function stateAllows(status: PaymentStatus, kind: OperationKind): boolean {
  const allowed: readonly OperationKind[] = STATES[status].operations;
  return allowed.includes(kind);
}

// 5. The amounts a result leaves.

/** A result's facts: what it says was paid (`recipientAmount`) and refunded (`refundAmount`, when given). */
export type ResultAmounts = { paid: bigint; refund: bigint | undefined };

type PaymentTotals = { status: PaymentStatus; amountKopecks: bigint; paidKopecks: bigint; refundedKopecks: bigint };

/** The refunded total a result into a refund state stands for: its refundAmount, else what was paid, else the invoice. */
function refundedTotal(current: Pick<PaymentTotals, "amountKopecks">, r: ResultAmounts): bigint {
  return r.refund && r.refund > 0n ? r.refund : r.paid > 0n ? r.paid : current.amountKopecks;
}

/**
 * The totals a result moving `current` to `next` writes (only those it changes): the paid total for a
 * payment state; the refunded total for a refund state, and the paid total too when none was known yet.
 */
export function totalsAfter(current: PaymentTotals, next: PaymentStatus, r: ResultAmounts): { paidKopecks?: bigint; refundedKopecks?: bigint } {
  const total = totalOf(next);
  if (total === "paid") return { paidKopecks: r.paid };
  if (total === "refunded") {
    return { refundedKopecks: refundedTotal(current, r), ...(current.paidKopecks === 0n ? { paidKopecks: r.paid > 0n ? r.paid : current.amountKopecks } : {}) };
  }
  return {};
}

/** Paid more than the invoice: a payment state whose paid total exceeds the invoice amount. */
export function isOverpaid(current: Pick<PaymentTotals, "amountKopecks">, next: PaymentStatus, r: ResultAmounts): boolean {
  return totalOf(next) === "paid" && r.paid > current.amountKopecks;
}

/**
 * The state table's answer for a result with these facts on the payment as it stands, with `proof`: the
 * result use case (lib/results/result-transition.ts) and the claims (lib/results/claims.ts) both ask it.
 */
export function planResultFor(current: PaymentTotals, r: ResultAmounts & { next: PaymentStatus }, proof: ResultProof): ResultPlan {
  const total = totalOf(r.next);
  const target: StateSnapshot = {
    status: r.next,
    ...(total === "paid" ? { paidKopecks: r.paid } : {}),
    ...(total === "refunded" ? { refundedKopecks: refundedTotal(current, r) } : {}),
  };
  return planResult({ status: current.status, paidKopecks: current.paidKopecks, refundedKopecks: current.refundedKopecks }, target, proof);
}
