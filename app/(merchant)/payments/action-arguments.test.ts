// Server actions are public endpoints: anyone can call one with any arguments React can encode (issue 12
// item 7: a server action called with JSON arguments answered 500). Each action parses its arguments with
// zod and answers a misfit with its refusal value; nothing throws, nothing is touched.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@/lib/auth/session", () => ({
  getShopSession: vi.fn(async () => ({ shopId: "not-a-real-shop", insalesId: "1", host: "a.myinsales.ru" })),
}));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
vi.mock("@/lib/operations/payment-operations", async (original) => ({
  ...(await original<typeof import("@/lib/operations/payment-operations")>()),
  capturePayment: vi.fn(),
  releaseHold: vi.fn(),
  refundPayment: vi.fn(),
}));
vi.mock("@/lib/journal/journal-problems", () => ({ resolveProblem: vi.fn(async () => ({ ok: false, reason: "not_found" })) }));
vi.mock("@/lib/operations/refund-block", () => ({ clearRefundBlock: vi.fn() }));
vi.mock("@/lib/results/claims", () => ({ decideClaim: vi.fn(async () => ({ ok: false, reason: "not_found" })) }));

const { resolveProblemAction } = await import("./actions");
const { captureAction, clearRefundBlockAction, refundAction, releaseAction } = await import("./operation-actions");
const { confirmClaimAction, rejectClaimAction } = await import("./claim-actions");
const operations = await import("@/lib/operations/payment-operations");
const problems = await import("@/lib/journal/journal-problems");
const refundBlock = await import("@/lib/operations/refund-block");
const claims = await import("@/lib/results/claims");

/** What a stranger can send instead of the form: everything React's reply decoder can produce. */
const NOT_A_FORM: unknown[] = [
  undefined,
  null,
  "problemId=x",
  42,
  BigInt(7),
  Number.NaN,
  true,
  new Date(0),
  ["paymentId", "x"],
  { paymentId: "00000000-0000-4000-8000-000000000000" },
  { get: () => "00000000-0000-4000-8000-000000000000" }, // looks like a form, is not one
];

beforeEach(() => vi.clearAllMocks());
afterEach(() => vi.clearAllMocks());

describe("server actions refuse arguments of the wrong type instead of throwing", () => {
  it.each(NOT_A_FORM.map((v) => [String(v), v]))("«Отметить решённой» with %s", async (_name, value) => {
    await expect(resolveProblemAction(value)).resolves.toBeUndefined();
    expect(problems.resolveProblem).not.toHaveBeenCalled();
  });

  it.each(NOT_A_FORM.map((v) => [String(v), v]))("«Списать», «Отменить холдирование», «Вернуть», «Снять остановку возвратов» with %s", async (_name, value) => {
    for (const action of [captureAction, releaseAction, refundAction, clearRefundBlockAction]) {
      const answer = await action(null, value);
      expect(answer).toMatchObject({ ok: false, message: expect.stringContaining("Неверный запрос") });
    }
    expect(operations.capturePayment).not.toHaveBeenCalled();
    expect(operations.releaseHold).not.toHaveBeenCalled();
    expect(operations.refundPayment).not.toHaveBeenCalled();
    expect(refundBlock.clearRefundBlock).not.toHaveBeenCalled();
  });

  it.each(NOT_A_FORM.map((v) => [String(v), v]))("«Подтвердить» / «Отклонить» a wallet claim with %s", async (_name, value) => {
    await expect(confirmClaimAction(value)).resolves.toBeUndefined();
    await expect(rejectClaimAction(value)).resolves.toBeUndefined();
    expect(claims.decideClaim).not.toHaveBeenCalled();
  });

  it("a real form still goes through", async () => {
    vi.mocked(operations.capturePayment).mockResolvedValue({ ok: false, reason: "not_found", message: "Платёж не найден." });
    const form = new FormData();
    form.set("paymentId", "00000000-0000-4000-8000-000000000000");
    expect(await captureAction(null, form)).toMatchObject({ ok: false, message: "Платёж не найден." });
    expect(operations.capturePayment).toHaveBeenCalledWith("not-a-real-shop", "00000000-0000-4000-8000-000000000000", undefined);
    form.set("problemId", "00000000-0000-4000-8000-000000000001");
    await resolveProblemAction(form);
    expect(problems.resolveProblem).toHaveBeenCalledWith("not-a-real-shop", "00000000-0000-4000-8000-000000000001");
    form.set("claimId", "00000000-0000-4000-8000-000000000002");
    await confirmClaimAction(form);
    expect(claims.decideClaim).toHaveBeenCalledWith("not-a-real-shop", "00000000-0000-4000-8000-000000000002", "confirm", expect.any(String));
  });
});
