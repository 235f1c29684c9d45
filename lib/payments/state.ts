// The one state table of a payment (docs/protocols/intellectmoney.md §3, docs/protocols/insales.md §2
// «Hold», guide/architecture.md convention 5). Pure: no database, no HTTP.
//
// States only move forward: CREATED < HELD < PARTIALLY_PAID < PAID < PARTIALLY_REFUNDED < REFUNDED.
// CANCELLED ends an unpaid or held invoice; nothing leaves it. REFUNDED is terminal.
// A repeat or an older status is not an error (the sender would retry forever): it is a no-op with a reason.
// Money moves only on proof (planResult): an unverifiable notification is recorded as a claim instead.
import type { PaymentStatus } from "@/lib/generated/prisma/enums";

const RANK: Record<Exclude<PaymentStatus, "CANCELLED">, number> = {
  CREATED: 0,
  HELD: 1,
  PARTIALLY_PAID: 2,
  PAID: 3,
  PARTIALLY_REFUNDED: 4,
  REFUNDED: 5,
};

const CANCELLABLE: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>(["CREATED", "HELD", "PARTIALLY_PAID"]);
const TERMINAL: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>(["REFUNDED", "CANCELLED"]);

export type StatusAmounts = {
  /** What the notification says was paid (`recipientAmount`), in kopecks. */
  paidKopecks: bigint;
  /** The invoice amount we created, in kopecks. */
  invoiceKopecks: bigint;
  /** `refundAmount` of a status-8 notification when present (partial refund), in kopecks. */
  refundKopecks?: bigint | null;
};

/**
 * The payment state an IntellectMoney `paymentStatus` code stands for (§3 table); null for unknown codes.
 * Conservative with money: a "paid" (5) whose amount is below the invoice is only PARTIALLY_PAID
 * (§3 checks: «less = partial»), and a refund smaller than what was paid is PARTIALLY_REFUNDED.
 */
export function statusForCode(code: string, amounts: StatusAmounts): PaymentStatus | null {
  switch (code) {
    case "3":
      return "CREATED";
    case "6":
      return "HELD";
    case "7":
      return "PARTIALLY_PAID";
    case "5":
      return amounts.paidKopecks < amounts.invoiceKopecks ? "PARTIALLY_PAID" : "PAID";
    case "4":
      return "CANCELLED";
    case "8": {
      const refund = amounts.refundKopecks;
      const paid = amounts.paidKopecks > 0n ? amounts.paidKopecks : amounts.invoiceKopecks;
      return refund != null && refund > 0n && refund < paid ? "PARTIALLY_REFUNDED" : "REFUNDED";
    }
    default:
      return null;
  }
}

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

  if (current.status === next.status) {
    // Several partial refunds (or partial payments) arrive as the same status with a growing total.
    if (current.status === "PARTIALLY_REFUNDED") return byTotal(current.refundedKopecks, next.refundedKopecks);
    if (current.status === "PARTIALLY_PAID") return byTotal(current.paidKopecks, next.paidKopecks);
    return { apply: false, reason: "same" };
  }
  if (TERMINAL.has(current.status)) return { apply: false, reason: "terminal" };
  if (next.status === "CANCELLED") {
    // Money captured is not "cancelled": it can only be refunded (a late 4 is an old message).
    return CANCELLABLE.has(current.status) ? { apply: true } : { apply: false, reason: "backward" };
  }
  const from = RANK[current.status as keyof typeof RANK];
  const to = RANK[next.status as keyof typeof RANK];
  return to > from ? { apply: true } : { apply: false, reason: "backward" };
}

/**
 * What proves that a result notification comes from IntellectMoney (docs/protocols/intellectmoney.md §2–§3):
 * - `hash`: its hash checked out against the key we store (an organization's, or a wallet form's);
 * - `merchant`: nobody could check it, but the merchant confirmed it after checking the IntellectMoney account;
 * - `none`: nothing. Every field of a notification except the hash is visible to the buyer in the invoice
 *   form, so an unverifiable one may be forged (a wallet payment whose settings have no «Секретный ключ»).
 */
export type ResultProof = "hash" | "merchant" | "none";

/**
 * What a result notification does to a payment:
 * - `apply`: move the payment to `next` (and tell InSales what insalesNoticeFor says);
 * - `record_claim`: it would move the payment but nothing proves it: keep it as a claim for the merchant to
 *   confirm or reject; the payment's money state stays as it is and InSales hears nothing;
 * - `ignore`: a repeat or an older status (planTransition's reason), with or without proof.
 */
export type ResultPlan = { kind: "apply" } | { kind: "record_claim" } | { kind: "ignore"; reason: "same" | "backward" | "terminal" };

export function planResult(current: PaymentStatus | StateSnapshot, next: PaymentStatus | StateSnapshot, proof: ResultProof): ResultPlan {
  const move = planTransition(current, next);
  if (!move.apply) return { kind: "ignore", reason: move.reason };
  // Only proof moves money: a claim waits for the merchant, whose confirmation then plans it again with
  // proof "merchant" against the payment as it stands by then (the same table as a verified result).
  return proof === "none" ? { kind: "record_claim" } : { kind: "apply" };
}

/**
 * What to tell InSales when a payment reaches `next` (docs/protocols/insales.md §2 «Hold»): `1` paid,
 * `0` not paid, null nothing. A hold is not captured money, so HELD says paid only when the merchant
 * switched on «Отмечать заказ оплаченным при холдировании». Refunds have no InSales notice.
 */
export function insalesNoticeFor(next: PaymentStatus, options: { markPaidOnHold: boolean }): 1 | 0 | null {
  switch (next) {
    case "PAID":
      return 1;
    case "HELD":
      return options.markPaidOnHold ? 1 : null;
    case "CANCELLED":
      return 0;
    default:
      return null;
  }
}
