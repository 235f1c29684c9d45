// Which currency a checkout's invoice is in (issue 13 item 5; docs/protocols/insales.md §2 «Currency
// conversion», docs/protocols/intellectmoney.md §1 «Currency»). InSales charges `amount`, which is in
// `convert_currency` when the payment method converts, otherwise in the order's (the site's) currency; we
// invoice that same number in that same currency, or refuse. The currency is read only from what InSales
// vouches for — never from an unsigned field of the POST:
//   1. admitted by the API fallback (no valid signature): the API order's `currency_code` (fallback-amount.ts
//      has already refused any conversion between two currencies, so the amount is in that currency);
//   2. signed, with conversion: the signed `convert_currency`;
//   3. signed, without conversion: the signed `order_json`'s `currency_code` when it carries one;
//   4. otherwise the API order (GET /admin/orders/<id>.json): the one the 54-ФЗ receipt has just read when
//      receipts are on, else read here — one call per checkout at most. Payment methods the app connects ask
//      InSales for `order_json` (lib/insales/gateway.ts `send_order`), so this read is for methods set up
//      by hand or connected before that.
// IntellectMoney takes RUB (RUR is InSales's spelling of it), USD and EUR (§1 `recipientCurrency`); test
// mode invoices TST instead, whatever the currency (§1 «Currency»).
import type { ShopSettings } from "../generated/prisma/client";
import { insalesApi, type InsalesApiShop } from "../insales/api-client";
import type { CheckoutRequest } from "../insales/checkout-request";

export const INVOICE_CURRENCIES = ["RUB", "USD", "EUR"] as const;
export type InvoiceCurrency = (typeof INVOICE_CURRENCIES)[number];

/** An ISO code as InSales may write it, compared our way: trimmed, upper case, the legacy RUR as RUB. */
export function normalizeCurrency(code: string | null | undefined): string {
  const v = (code ?? "").trim().toUpperCase();
  return v === "RUR" ? "RUB" : v;
}

/** The currency we may invoice for this code, or null when IntellectMoney takes no such invoice. */
export function invoiceCurrencyOf(code: string | null | undefined): InvoiceCurrency | null {
  const v = normalizeCurrency(code);
  return (INVOICE_CURRENCIES as readonly string[]).includes(v) ? (v as InvoiceCurrency) : null;
}

export type CurrencySource = "api_fallback" | "convert_currency" | "order_json" | "api";

export type CheckoutCurrencyOutcome =
  /** `currency`: normalised, not yet checked against what IntellectMoney takes. `apiOrder`: the order read here. */
  | { ok: true; currency: string; source: CurrencySource; apiOrder?: unknown }
  /** `unavailable`: InSales could not be asked now (the buyer may retry); `unknown`: it does not say. */
  | { ok: false; reason: "currency_unavailable" | "currency_unknown"; detail: string };

/** InSales may wrap an order in its root key (`{"order": {...}}`) as its API bodies are; accept both. */
function orderCurrency(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "";
  const v = value as Record<string, unknown>;
  const order = v.order !== null && typeof v.order === "object" && !Array.isArray(v.order) ? (v.order as Record<string, unknown>) : v;
  return typeof order.currency_code === "string" ? normalizeCurrency(order.currency_code) : "";
}

function orderJsonCurrency(raw: string): string {
  if (raw.trim() === "") return "";
  try {
    return orderCurrency(JSON.parse(raw));
  } catch {
    return "";
  }
}

export type CheckoutCurrencyInput = {
  request: CheckoutRequest;
  /** How the checkout was admitted; with "api" the order the fallback read is `verifiedOrder`. */
  verifiedBy: "signature" | "api";
  verifiedOrder?: unknown;
  /** An order this checkout has already read from the API (for the receipt): not read again. */
  apiOrder?: unknown;
  /** The shop's InSales API access; null when it has none. */
  api: InsalesApiShop | null;
};

export async function checkoutCurrency(input: CheckoutCurrencyInput): Promise<CheckoutCurrencyOutcome> {
  const { request } = input;
  if (input.verifiedBy === "api") {
    const currency = orderCurrency(input.verifiedOrder);
    return currency ? { ok: true, currency, source: "api_fallback" } : { ok: false, reason: "currency_unknown", detail: "InSales не сообщил валюту заказа" };
  }
  const converted = normalizeCurrency(request.convert_currency);
  if (converted) return { ok: true, currency: converted, source: "convert_currency" };
  const fromOrderJson = orderJsonCurrency(request.order_json);
  if (fromOrderJson) return { ok: true, currency: fromOrderJson, source: "order_json" };
  if (input.apiOrder !== undefined) {
    const known = orderCurrency(input.apiOrder);
    if (known) return { ok: true, currency: known, source: "api", apiOrder: input.apiOrder };
  }

  if (!input.api) return { ok: false, reason: "currency_unknown", detail: "валюта заказа не передана (нет order_json), а доступа к API InSales у приложения нет" };
  if (!/^\d{1,20}$/.test(request.order_id)) return { ok: false, reason: "currency_unknown", detail: "неверный номер заказа InSales" };
  // Bounded like the receipt's read (checkout-receipt.ts): the buyer is waiting on this page.
  const answer = await insalesApi(input.api, "GET", `/admin/orders/${request.order_id}.json`, undefined, { maxAttempts: 2, maxTotalWaitMs: 3_000, timeoutMs: 15_000 });
  if (!answer.ok) {
    if (answer.reason === "not_found" || answer.reason === "unauthorized" || answer.reason === "forbidden") {
      return { ok: false, reason: "currency_unknown", detail: `API InSales не дал прочитать заказ (${answer.reason}), а без него валюта заказа неизвестна` };
    }
    return { ok: false, reason: "currency_unavailable", detail: `API InSales не ответил на запрос заказа (${answer.reason}), а без него валюта заказа неизвестна` };
  }
  const currency = orderCurrency(answer.json);
  if (!currency) return { ok: false, reason: "currency_unknown", detail: "InSales не сообщил валюту заказа" };
  return { ok: true, currency, source: "api", apiOrder: answer.json };
}

/** Why a currency cannot be invoiced here (Russian, for the merchant's problem), or null when it can. */
export function currencyRefusal(
  currency: string,
  invoiceCurrency: InvoiceCurrency | null,
  settings: Pick<ShopSettings, "legalForm" | "receiptsEnabled">,
): { reason: "unsupported_currency" | "receipt_failed"; detail: string } | null {
  const code = currency.slice(0, 10);
  if (!invoiceCurrency) {
    return {
      reason: "unsupported_currency",
      detail: `заказ в валюте ${code}, а IntellectMoney принимает оплату только в RUB, USD и EUR; включите в способе оплаты InSales пересчёт в рубли`,
    };
  }
  if (settings.legalForm === "INDIVIDUAL" && invoiceCurrency !== "RUB") {
    return { reason: "unsupported_currency", detail: `заказ в валюте ${code}, а перевод в кошелёк IntellectMoney возможен только в рублях; включите в способе оплаты InSales пересчёт в рубли` };
  }
  // 54-ФЗ receipts are in roubles (docs/RECEIPTS.md, intellectmoney.md §1 «Currency»): a receipt for a USD or EUR
  // payment cannot be right, and an invoice without the receipt the merchant asked for breaks the law
  // (checkout-receipt.ts «no receipt, no invoice»), test mode or not.
  if (settings.legalForm === "ORGANIZATION" && settings.receiptsEnabled && invoiceCurrency !== "RUB") {
    return {
      reason: "receipt_failed",
      detail: `включены чеки 54-ФЗ, а заказ в валюте ${code}: кассовый чек формируется только в рублях; включите в способе оплаты InSales пересчёт в рубли или отключите чеки, если закон позволяет`,
    };
  }
  return null;
}
