"use server";
// «Отправить ссылку на оплату» / «Создать ссылку» on the payment-link screen (lib/payment-links/create-payment-link.ts).
// A server action is a public endpoint: it re-checks the session and takes the shop from it only, never from
// the form (docs/ARCHITECTURE.md convention 11); the order id is parsed before it is used.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getShopSession } from "@/lib/auth/session";
import { formDataArg, parseActionArgs } from "@/lib/http/action-args";
import { createPaymentLink } from "@/lib/payment-links/create-payment-link";

export type PaymentLinkActionState = { ok: true; url: string; sentTo: string | null; at: number } | { ok: false; message: string; at: number } | null;

const fields = z.object({
  order: z.string().regex(/^\d{1,20}$/),
  lifetime: z.coerce.number().int(),
  send: z.enum(["email", "copy"]),
});

/** `prev` (useActionState's previous answer) is never used; `formData` is whatever the caller sent. */
export async function createPaymentLinkAction(_prev: unknown, formData: unknown): Promise<PaymentLinkActionState> {
  const session = await getShopSession();
  if (!session) redirect("/login-required");
  const form = parseActionArgs("createPaymentLink", formDataArg, formData);
  const parsed = form.ok ? fields.safeParse(Object.fromEntries(["order", "lifetime", "send"].map((k) => [k, form.value.get(k)]))) : null;
  if (!parsed?.success) return { ok: false, message: "Неверный запрос. Обновите страницу и попробуйте ещё раз.", at: Date.now() };
  const who = [session.userName, session.userEmail].filter(Boolean).join(", ") || null;
  const outcome = await createPaymentLink({
    shopId: session.shopId,
    insalesOrderId: parsed.data.order,
    lifetimeDays: parsed.data.lifetime,
    send: parsed.data.send === "email",
    createdBy: who,
  });
  revalidatePath("/payment-links");
  if (!outcome.ok) return { ok: false, message: outcome.message, at: Date.now() };
  return { ok: true, url: outcome.url, sentTo: outcome.sentTo, at: Date.now() };
}
