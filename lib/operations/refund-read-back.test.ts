// The read-back table of docs/OPERATIONS.md «Reading every refund back», row by row.
import { describe, expect, it } from "vitest";
import { concludeRefund, type RefundAnswer } from "./refund-read-back";

const conclude = (answer: RefundAnswer, total: bigint | null) =>
  concludeRefund({
    answer,
    askedKopecks: 50_000n,
    refundedBeforeKopecks: 20_000n,
    readBack: total === null ? { ok: false, message: "IntellectMoney ответил ошибкой HTTP 503" } : { ok: true, refundedKopecks: total },
    currency: "RUB",
  });

describe("concludeRefund (expected = 200 before + 500 asked = 700)", () => {
  it("accepted and exactly as expected: accepted, refunds go on", () => {
    expect(conclude("accepted", 70_000n)).toEqual({ state: "ACCEPTED", readBackKopecks: 70_000n, block: null, note: "Проверено: по данным IntellectMoney возвращено всего 700,00\u00a0₽." });
  });

  it("accepted and not yet visible: accepted (it already counts), refunds go on", () => {
    expect(conclude("accepted", 20_000n)).toMatchObject({ state: "ACCEPTED", block: null, note: expect.stringContaining("пока возвращено 200,00") });
  });

  it("more than expected, whatever the answer: stop", () => {
    for (const answer of ["accepted", "unknown"] as const) {
      expect(conclude(answer, 70_001n)).toMatchObject({ state: "ACCEPTED", readBackKopecks: 70_001n, block: expect.stringContaining("больше, чем запрошено") });
    }
  });

  it("unreadable: stop; the state follows the answer", () => {
    expect(conclude("accepted", null)).toMatchObject({ state: "ACCEPTED", readBackKopecks: null, block: expect.stringContaining("IntellectMoney принял возврат 500,00") });
    expect(conclude("unknown", null)).toMatchObject({ state: "UNCERTAIN", readBackKopecks: null, block: expect.stringContaining("не дал ясного ответа") });
  });

  it("no answer, but the total shows it done: accepted, refunds go on", () => {
    expect(conclude("unknown", 70_000n)).toMatchObject({ state: "ACCEPTED", block: null, note: expect.stringContaining("Ответа IntellectMoney не было, но по его данным возврат выполнен") });
  });

  it("no answer and not (yet) done: uncertain, stop", () => {
    for (const total of [20_000n, 40_000n]) {
      expect(conclude("unknown", total)).toMatchObject({ state: "UNCERTAIN", block: expect.stringContaining("не выполнен или ещё выполняется") });
    }
  });
});
