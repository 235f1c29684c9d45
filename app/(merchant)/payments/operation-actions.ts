"use server";
// «Списать», «Отменить холдирование», «Вернуть» and «Снять остановку возвратов» on the payment card
// (issue 7, issue 13 item 12). Server actions are public endpoints: each re-checks the session and takes
// the shop from it only, never from the form (docs/ARCHITECTURE.md convention 11);
// lib/operations/payment-operations.ts and lib/operations/refund-block.ts scope the payment by that shop.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getShopSession } from "@/lib/auth/session";
import { formField } from "@/lib/http/action-args";
import { capturePayment, parseRefundInput, parseRequestKey, refundPayment, releaseHold, type OperationOutcome } from "@/lib/operations/payment-operations";
import { clearRefundBlock } from "@/lib/operations/refund-block";

export type OperationActionState = { ok: boolean; message: string; at: number } | null;

type Operate = (shopId: string, paymentId: string, requestKey: string | undefined, form: FormData) => Promise<OperationOutcome | { ok: boolean; message: string }>;

const BAD_REQUEST = "Неверный запрос. Обновите страницу и попробуйте ещё раз.";

/**
 * `prev` (useActionState's previous answer) is never used; `formData` is whatever the caller sent: the
 * button's FormData from our page, anything at all from anyone else (issue 12 item 7).
 */
async function run(formData: unknown, operate: Operate): Promise<OperationActionState> {
  const session = await getShopSession();
  if (!session) redirect("/login-required");
  const field = formField("paymentOperation", formData, "paymentId");
  if (!field.ok) return { ok: false, message: field.reason === "not_a_form" ? BAD_REQUEST : "Платёж не найден.", at: Date.now() };
  const { value: paymentId, form } = field;
  const outcome = await operate(session.shopId, paymentId, parseRequestKey(form.get("requestKey")), form);
  // The operations list and the buttons change whatever the outcome (a FAILED row is news too), and the
  // re-rendered forms carry a fresh request key.
  revalidatePath(`/payments/${paymentId}`);
  revalidatePath("/payments");
  return { ok: outcome.ok, message: outcome.message, at: Date.now() };
}

export async function captureAction(_prev: unknown, formData: unknown): Promise<OperationActionState> {
  return run(formData, (shopId, paymentId, requestKey) => capturePayment(shopId, paymentId, requestKey));
}

export async function releaseAction(_prev: unknown, formData: unknown): Promise<OperationActionState> {
  return run(formData, (shopId, paymentId, requestKey) => releaseHold(shopId, paymentId, requestKey));
}

export async function refundAction(_prev: unknown, formData: unknown): Promise<OperationActionState> {
  return run(formData, (shopId, paymentId, requestKey, form) => {
    const raw = form.get("amount");
    const amount = typeof raw === "string" ? parseRefundInput(raw) : null;
    return amount === null
      ? Promise.resolve({ ok: false, reason: "bad_amount", message: "Введите сумму возврата в рублях, например 500,00." })
      : refundPayment(shopId, paymentId, amount, requestKey);
  });
}

/** The merchant has checked the IntellectMoney account: refunds of this payment may go on. */
export async function clearRefundBlockAction(_prev: unknown, formData: unknown): Promise<OperationActionState> {
  return run(formData, (shopId, paymentId, _requestKey, form) =>
    form.get("checked") === "on"
      ? clearRefundBlock(shopId, paymentId)
      : Promise.resolve({ ok: false, message: "Отметьте, что вы проверили возвраты по этому платежу в личном кабинете IntellectMoney." }),
  );
}
