import { describe, expect, it } from "vitest";
import type { PaymentStatus } from "@/lib/generated/prisma/enums";
import { insalesNoticeFor, planResult, planTransition, statusForCode, type TransitionPlan } from "./state";

const ALL: PaymentStatus[] = ["CREATED", "HELD", "PARTIALLY_PAID", "PAID", "PARTIALLY_REFUNDED", "REFUNDED", "CANCELLED"];

const Y: TransitionPlan = { apply: true };
const S: TransitionPlan = { apply: false, reason: "same" };
const B: TransitionPlan = { apply: false, reason: "backward" };
const T: TransitionPlan = { apply: false, reason: "terminal" };

// Rows: current state; columns: next state, in the order of ALL.
const TABLE: Record<PaymentStatus, TransitionPlan[]> = {
  //                  CREATED HELD PART_PAID PAID PART_REF REFUNDED CANCELLED
  CREATED:            [S,      Y,   Y,        Y,   Y,       Y,       Y],
  HELD:               [B,      S,   Y,        Y,   Y,       Y,       Y],
  PARTIALLY_PAID:     [B,      B,   S,        Y,   Y,       Y,       Y],
  PAID:               [B,      B,   B,        S,   Y,       Y,       B],
  PARTIALLY_REFUNDED: [B,      B,   B,        B,   S,       Y,       B],
  REFUNDED:           [T,      T,   T,        T,   T,       S,       T],
  CANCELLED:          [T,      T,   T,        T,   T,       T,       S],
};

describe("planTransition", () => {
  for (const current of ALL) {
    ALL.forEach((next, i) => {
      const expected = TABLE[current][i];
      it(`${current} → ${next}: ${expected.apply ? "apply" : expected.reason}`, () => {
        expect(planTransition(current, next)).toEqual(expected);
        // The same answer with snapshots that carry no amounts.
        expect(planTransition({ status: current }, { status: next })).toEqual(expected);
      });
    });
  }

  it("applies a further partial refund when the refunded total grows", () => {
    expect(planTransition({ status: "PARTIALLY_REFUNDED", refundedKopecks: 1000n }, { status: "PARTIALLY_REFUNDED", refundedKopecks: 2500n })).toEqual(Y);
    expect(planTransition({ status: "PARTIALLY_REFUNDED", refundedKopecks: 2500n }, { status: "PARTIALLY_REFUNDED", refundedKopecks: 2500n })).toEqual(S);
    expect(planTransition({ status: "PARTIALLY_REFUNDED", refundedKopecks: 2500n }, { status: "PARTIALLY_REFUNDED", refundedKopecks: 1000n })).toEqual(B);
  });

  it("applies a further partial payment when the paid total grows", () => {
    expect(planTransition({ status: "PARTIALLY_PAID", paidKopecks: 1000n }, { status: "PARTIALLY_PAID", paidKopecks: 3000n })).toEqual(Y);
    expect(planTransition({ status: "PARTIALLY_PAID", paidKopecks: 3000n }, { status: "PARTIALLY_PAID", paidKopecks: 3000n })).toEqual(S);
    expect(planTransition({ status: "PARTIALLY_PAID", paidKopecks: 3000n }, { status: "PARTIALLY_PAID", paidKopecks: 1000n })).toEqual(B);
  });

  it("treats growing amounts in other repeated states as the same state", () => {
    expect(planTransition({ status: "PAID", paidKopecks: 1000n }, { status: "PAID", paidKopecks: 2000n })).toEqual(S);
    expect(planTransition({ status: "REFUNDED", refundedKopecks: 1000n }, { status: "REFUNDED", refundedKopecks: 2000n })).toEqual(S);
  });
});

describe("statusForCode", () => {
  const amounts = { paidKopecks: 10000n, invoiceKopecks: 10000n };

  it("maps the §3 codes", () => {
    expect(statusForCode("3", amounts)).toBe("CREATED");
    expect(statusForCode("4", amounts)).toBe("CANCELLED");
    expect(statusForCode("5", amounts)).toBe("PAID");
    expect(statusForCode("6", amounts)).toBe("HELD");
    expect(statusForCode("7", { paidKopecks: 4000n, invoiceKopecks: 10000n })).toBe("PARTIALLY_PAID");
    expect(statusForCode("8", amounts)).toBe("REFUNDED");
  });

  it("never calls a hold paid", () => {
    expect(statusForCode("6", amounts)).not.toBe("PAID");
  });

  it("treats a 'paid' below the invoice amount as a partial payment, and overpayment as paid", () => {
    expect(statusForCode("5", { paidKopecks: 9999n, invoiceKopecks: 10000n })).toBe("PARTIALLY_PAID");
    expect(statusForCode("5", { paidKopecks: 10001n, invoiceKopecks: 10000n })).toBe("PAID");
  });

  it("maps 8 with a partial refundAmount to PARTIALLY_REFUNDED", () => {
    expect(statusForCode("8", { ...amounts, refundKopecks: 4000n })).toBe("PARTIALLY_REFUNDED");
    expect(statusForCode("8", { ...amounts, refundKopecks: 10000n })).toBe("REFUNDED");
    expect(statusForCode("8", { ...amounts, refundKopecks: 0n })).toBe("REFUNDED");
    expect(statusForCode("8", { ...amounts, refundKopecks: null })).toBe("REFUNDED");
    // Compared with what was paid when that is known, else with the invoice.
    expect(statusForCode("8", { paidKopecks: 6000n, invoiceKopecks: 10000n, refundKopecks: 6000n })).toBe("REFUNDED");
    expect(statusForCode("8", { paidKopecks: 0n, invoiceKopecks: 10000n, refundKopecks: 6000n })).toBe("PARTIALLY_REFUNDED");
  });

  it("returns null for unknown codes", () => {
    for (const code of ["", "1", "2", "9", "05"]) expect(statusForCode(code, amounts)).toBeNull();
  });
});

describe("insalesNoticeFor", () => {
  const expected: Record<PaymentStatus, [off: 1 | 0 | null, on: 1 | 0 | null]> = {
    CREATED: [null, null],
    HELD: [null, 1],
    PARTIALLY_PAID: [null, null],
    PAID: [1, 1],
    PARTIALLY_REFUNDED: [null, null],
    REFUNDED: [null, null],
    CANCELLED: [0, 0],
  };
  for (const status of ALL) {
    it(`${status}: ${expected[status][0]} by default, ${expected[status][1]} with «Отмечать заказ оплаченным при холдировании»`, () => {
      expect(insalesNoticeFor(status, { markPaidOnHold: false })).toBe(expected[status][0]);
      expect(insalesNoticeFor(status, { markPaidOnHold: true })).toBe(expected[status][1]);
    });
  }
});

describe("planResult: only proof moves money", () => {
  for (const current of ALL) {
    ALL.forEach((next, i) => {
      const move = TABLE[current][i];
      const expected = move.apply ? "record_claim" : "ignore";
      it(`${current} → ${next} without proof: ${expected}; with a hash or the merchant's confirmation: ${move.apply ? "apply" : move.reason}`, () => {
        expect(planResult(current, next, "none")).toEqual(move.apply ? { kind: "record_claim" } : { kind: "ignore", reason: move.reason });
        const proven = move.apply ? { kind: "apply" } : { kind: "ignore", reason: move.reason };
        expect(planResult(current, next, "hash")).toEqual(proven);
        expect(planResult(current, next, "merchant")).toEqual(proven);
      });
    });
  }

  it("a forged «cancelled» after the genuine «paid» was confirmed is only an old message", () => {
    expect(planResult("PAID", "CANCELLED", "merchant")).toEqual({ kind: "ignore", reason: "backward" });
  });

  it("a growing partial refund is a new claim without proof and applies once proven", () => {
    const current = { status: "PARTIALLY_REFUNDED" as const, refundedKopecks: 100n };
    const next = { status: "PARTIALLY_REFUNDED" as const, refundedKopecks: 200n };
    expect(planResult(current, next, "none")).toEqual({ kind: "record_claim" });
    expect(planResult(current, next, "merchant")).toEqual({ kind: "apply" });
  });
});
