// The IntellectMoney invoice form of a payment (docs/protocols/intellectmoney.md §1–§2), built from the payment
// itself — orderId, eshopId, amount, currency — and the shop's settings, with our URLs (lib/app-urls.ts). Shared by
// the checkout (a new payment, or a repeat of one made before forms were kept) and payment links
// (lib/payment-links/pay-by-link.ts), so both invoice exactly alike.
import { decryptSecret } from "../crypto";
import type { Payment, Shop, ShopSettings } from "../generated/prisma/client";
import { env } from "../env";
import { buildInvoiceForm, type InvoiceForm, type InvoiceFormInput } from "../intellectmoney/invoice-form";
import { buyerReturnUrl, resultUrl } from "../app-urls";
import { invoiceCurrencyOf, type InvoiceCurrency } from "./checkout-currency";

/** What an invoice form is built from: a new payment, or (rebuilt for a repeat) a stored one. */
export type InvoiceSource = Pick<Payment, "id" | "legalForm" | "eshopId" | "currency" | "imOrderId" | "description" | "amountKopecks" | "buyerEmail"> & { buyerName?: string | null };

/**
 * The invoice form of a payment, from the payment itself (orderId, eshopId, amount, currency), so a form
 * rebuilt for an old payment matches it even if the merchant changed the test mode meanwhile. `currency`
 * TST stands for test mode; the money is then `testCurrency` (roubles for every payment made before other
 * currencies were invoiced).
 */
export function invoiceFor(payment: InvoiceSource, shop: Shop, settings: ShopSettings, now: Date, merchantReceipt: string | null, testCurrency: InvoiceCurrency = "RUB"): InvoiceForm {
  const testMode = payment.currency === "TST";
  const invoiceSettings: InvoiceFormInput["settings"] =
    payment.legalForm === "ORGANIZATION"
      ? {
          legalForm: "ORGANIZATION",
          eshopId: payment.eshopId,
          secretKey: decryptSecret(settings.secretKeyEnc!),
          testMode,
          preference: settings.preference,
          holdMode: settings.holdMode,
          invoiceLifetimeDays: settings.invoiceLifetimeDays,
          holdHours: settings.holdHours,
        }
      : { legalForm: "INDIVIDUAL", walletFormId: settings.walletFormId!, walletLogin: settings.walletLogin!, invoiceLifetimeDays: settings.invoiceLifetimeDays };
  return buildInvoiceForm({
    merchantUrl: env().INTELLECTMONEY_MERCHANT_URL,
    settings: invoiceSettings,
    imOrderId: payment.imOrderId,
    description: payment.description,
    amountKopecks: payment.amountKopecks,
    currency: testMode ? testCurrency : (invoiceCurrencyOf(payment.currency) ?? "RUB"),
    buyerEmail: payment.buyerEmail,
    buyerName: payment.buyerName ?? null,
    successUrl: buyerReturnUrl(payment.id, "success"),
    failUrl: buyerReturnUrl(payment.id, "fail"),
    resultUrl: resultUrl(shop.insalesId),
    now,
    // Only organizations: buildInvoiceForm drops it from a wallet form anyway (§2 has no such field).
    merchantReceipt: payment.legalForm === "ORGANIZATION" ? merchantReceipt : null,
  });
}
