// A checkout of a transaction we already have an invoice for (issue 13 item 3; docs/protocols/intellectmoney.md
// §1 «Уникальный номер покупки» and §9). With «Принимать только уникальный номер покупки» on — IntellectMoney's
// default, and needed for hold — a known `orderId` posted again with the same parameters lets the buyer go on
// paying the existing invoice, while different parameters get the buyer an error and the shop a letter. A form
// rebuilt on every repeat (a fresh `expireDate`, a changed setting, a new receipt) is «different», so:
//   - once IntellectMoney has told us the invoice's id (Payment.imPaymentId, from a verified notification of
//     status 3 or later), the buyer is sent to it with only `invoiceId`, as IntellectMoney's own library does
//     (IM-LIB `Payment::replaceParamsToInvoiceIdIfThisIsset`);
//   - before that (the «created» event may be off in the account, §8), the first form's fields are posted
//     again exactly as stored (Payment.invoiceFields);
//   - a payment made before those fields were kept (invoiceFields null) gets its form rebuilt, as before:
//     the best we can do, and the only case that may still meet IntellectMoney's refusal.
// What happens to a payment that is finished, or to a CANCELLED one, is the checkout's (checkout.ts).
import type { Payment } from "../generated/prisma/client";
import type { InvoiceForm } from "../intellectmoney/invoice-form";

export type RepeatForm = {
  form: InvoiceForm;
  /** How the buyer is sent back: to the invoice by its id, with the stored form, or a rebuilt one. */
  how: "invoice_id" | "stored_form" | "rebuilt_form";
};

export type RepeatWay = Exclude<RepeatForm["how"], "rebuilt_form">;

/** An invoice id as IntellectMoney gives it (10 digits starting with 3, §1; any run of digits accepted). */
const INVOICE_ID = /^\d{1,20}$/;

/** Stored [name, value] pairs, or null when the column is empty or not that shape. */
function storedFields(value: unknown): Array<[string, string]> | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const fields: Array<[string, string]> = [];
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") return null;
    fields.push([pair[0], pair[1]]);
  }
  return fields;
}

/**
 * The form that brings the buyer back to this payment's invoice, or null when the payment predates stored
 * forms and has no invoice id: then the checkout rebuilds it (with its receipt). `merchantUrl` is where
 * IntellectMoney takes forms now (INTELLECTMONEY_MERCHANT_URL).
 *
 * The invoice id counts only when a verified notification brought it: imPaymentId set by a notification that
 * nobody could verify (wallet payments before claims existed, `unverifiedResults`) could name another invoice.
 */
export function repeatForm(payment: Payment, merchantUrl: string): (RepeatForm & { how: RepeatWay }) | null {
  if (payment.imPaymentId && INVOICE_ID.test(payment.imPaymentId) && !payment.unverifiedResults) {
    return { form: { action: merchantUrl, fields: [["invoiceId", payment.imPaymentId]] }, how: "invoice_id" };
  }
  const stored = storedFields(payment.invoiceFields);
  if (stored) return { form: { action: merchantUrl, fields: stored }, how: "stored_form" };
  return null;
}

/** The timeline's words for each way (Russian, for the merchant). */
export const REPEAT_EVENT_TEXT: Record<RepeatForm["how"], (p: Pick<Payment, "imPaymentId">) => string> = {
  invoice_id: (p) => `Повторный переход к оплате: покупатель направлен к уже созданному счёту IntellectMoney ${p.imPaymentId}`,
  stored_form: () => "Повторный переход к оплате: тот же счёт с теми же параметрами",
  rebuilt_form: () => "Повторный переход к оплате: счёт создан до обновления приложения, форма собрана заново",
};
