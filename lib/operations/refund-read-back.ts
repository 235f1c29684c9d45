// What a refund's answer and its read-back mean together (docs/OPERATIONS.md «Reading every refund
// back»). Pure. The partial-refund field is confirmed by no vendor source, so after every refund that
// IntellectMoney accepted, or may have executed without a clear answer, the app asks IntellectMoney how
// much of the invoice has been refunded (getPurchaseInfo) and compares it with what it expected:
//   expected = refunded so far before this refund + the amount asked.
// More than expected, or nothing readable, stops refunds for the payment (refund-block.ts).
import type { OperationState } from "../generated/prisma/enums";
import type { PurchaseInfoOutcome } from "../intellectmoney/merchant-api";
import { formatRubles } from "../money";

export type RefundAnswer = "accepted" | "unknown";

export type RefundConclusion = {
  state: Extract<OperationState, "ACCEPTED" | "UNCERTAIN">;
  /** For the card and the timeline. */
  note: string;
  readBackKopecks: bigint | null;
  /** Set when refunds must stop: the reason, in one sentence. */
  block: string | null;
};

export function concludeRefund(input: {
  answer: RefundAnswer;
  askedKopecks: bigint;
  refundedBeforeKopecks: bigint;
  readBack: PurchaseInfoOutcome;
  currency: string;
}): RefundConclusion {
  const { answer, askedKopecks, refundedBeforeKopecks, readBack, currency } = input;
  const money = (k: bigint) => formatRubles(k, currency);
  const asked = money(askedKopecks);
  if (!readBack.ok) {
    return {
      state: answer === "accepted" ? "ACCEPTED" : "UNCERTAIN",
      readBackKopecks: null,
      note: `Проверить, сколько возвращено, не удалось: ${readBack.message}`,
      block:
        answer === "accepted"
          ? `IntellectMoney принял возврат ${asked}, но проверить, сколько по платежу возвращено, не удалось.`
          : `IntellectMoney не дал ясного ответа на возврат ${asked}, и проверить, выполнен ли он, не удалось.`,
    };
  }
  const total = readBack.refundedKopecks;
  const expected = refundedBeforeKopecks + askedKopecks;
  if (total > expected) {
    return {
      state: "ACCEPTED",
      readBackKopecks: total,
      note: `По данным IntellectMoney возвращено всего ${money(total)}, а ожидалось ${money(expected)}.`,
      block: `по данным IntellectMoney возвращено ${money(total)} — больше, чем запрошено (возврат ${asked}, всего ожидалось ${money(expected)}).`,
    };
  }
  if (total === expected) {
    return {
      state: "ACCEPTED",
      readBackKopecks: total,
      note:
        answer === "accepted"
          ? `Проверено: по данным IntellectMoney возвращено всего ${money(total)}.`
          : `Ответа IntellectMoney не было, но по его данным возврат выполнен: возвращено всего ${money(total)}.`,
      block: null,
    };
  }
  if (answer === "accepted") {
    // Accepted and not yet visible: IntellectMoney may still be carrying it out. It already counts as
    // refunded (ACCEPTED), so nothing can be refunded twice meanwhile.
    return { state: "ACCEPTED", readBackKopecks: total, note: `По данным IntellectMoney пока возвращено ${money(total)} из ожидаемых ${money(expected)}.`, block: null };
  }
  return {
    state: "UNCERTAIN",
    readBackKopecks: total,
    note: `По данным IntellectMoney возвращено ${money(total)}: возврат ${asked} не выполнен или ещё выполняется.`,
    block: `IntellectMoney не дал ясного ответа на возврат ${asked}: по его данным возврат не выполнен или ещё выполняется.`,
  };
}
