// Is this checkout really from InSales for this shop? (docs/protocols/insales.md §2 «Checkout request»)
// 1. The signature, against each password the shop may have given InSales: the gateway «Пароль» we
//    generated, and the IntellectMoney secret key (manual setup per the original instructions).
// 2. [decision] If neither matches, the API fallback: the order must exist in this shop with the same key,
//    client_transaction_id = transaction_id and its full price (fallback-amount.ts). This is the only place
//    the checkout calls the API: never on the happy path.
//
// Without a signature nothing else of the POST is evidence (issue 12 items 2 and 3): what the invoice
// shows and hashes — serviceName, the buyer's e-mail and phone — comes from the API order
// (`admitted`), never from the request. And since anyone can send a bad signature, the fallback is a cost
// we bound: a per-shop budget of look-ups (checkout-api-budget.ts) and one short attempt, because the
// buyer is waiting on this page and the shop's API quota is shared with everything else it runs.
import { z } from "zod";
import { hexEquals } from "../crypto";
import { insalesApi, type InsalesApiOptions, type InsalesApiShop } from "../insales/api-client";
import type { CheckoutRequest } from "../insales/checkout-request";
import { matchCheckoutSignature } from "../insales/signatures";
import { normalizeCurrency } from "./checkout-currency";
import { FALLBACK_AMOUNT_TEXT, fallbackAmountMatches } from "./fallback-amount";

export type PasswordSource = "gateway" | "secret_key";

/** What an API-verified checkout may show and hash instead of the unsigned POST (see above). */
export type AdmittedOrder = {
  /** The display number (`number`), when the API gave one. */
  orderNumber: string | null;
  /** «Заказ №<number> на сайте <host>», as InSales writes `description`. */
  description: string;
  email: string;
  phone: string;
};

export type VerifyOutcome =
  | { ok: true; verifiedBy: "signature"; passwordSource: PasswordSource }
  /** `order` is the API answer, for the fiscal receipt (checkout-receipt.ts), so InSales is asked once. */
  | { ok: true; verifiedBy: "api"; passwordSource: PasswordSource; admitted: AdmittedOrder; order: unknown }
  /** `detail`: which check failed, in Russian for the merchant's problem (no secrets). */
  | { ok: false; reason: "bad_signature" | "api_unavailable" | "api_busy"; detail?: string };

/**
 * One attempt of at most 5 s, no waiting on Retry-After: the buyer is looking at a blank page, InSales
 * usually answers within a second, and a forged request must not hold a connection for the client's
 * default 3 × 55 s. A genuine buyer who meets a slow InSales is asked to try again shortly.
 */
export const FALLBACK_API_OPTIONS: InsalesApiOptions = { maxAttempts: 1, maxTotalWaitMs: 0, timeoutMs: 5_000 };

const decimal = z.union([z.string(), z.number()]).transform((v) => String(v));
const optionalText = z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v)));

const orderAnswer = z
  .object({
    key: z.string(),
    client_transaction_id: optionalText,
    total_price: decimal,
    number: optionalText,
    currency_code: z.string().nullish().transform((v) => v ?? null),
    client: z.object({ email: optionalText, phone: optionalText }).loose().nullish(),
  })
  .loose();

/**
 * A contact from the API answer as we may store and send it: trimmed, bounded, no control characters (the
 * buyer typed it into the shop; PostgreSQL text cannot hold U+0000). Anything else is left out.
 */
function contact(value: string | null | undefined): string {
  const v = (value ?? "").trim();
  return v.length <= 255 && !/\p{Cc}/u.test(v) ? v : "";
}

function describeOrder(number: string | null, host: string): string {
  const n = number && /^[0-9A-Za-z-]{1,20}$/.test(number) ? number : null;
  return n ? `Заказ №${n} на сайте ${host}` : `Заказ на сайте ${host}`;
}

/** Signature against every known password; all are computed, so timing does not tell which one failed. */
export function verifyBySignature(request: CheckoutRequest, passwords: Array<{ source: PasswordSource; password: string }>): PasswordSource | null {
  let match: PasswordSource | null = null;
  for (const { source, password } of passwords) {
    const ok = matchCheckoutSignature(request, password, request.signature) !== null;
    if (ok && match === null) match = source;
  }
  return match;
}

export type ApiVerdict =
  | { verdict: "match"; admitted: AdmittedOrder; order: unknown }
  | { verdict: "mismatch"; detail: string }
  | { verdict: "unavailable"; detail: string };

export async function verifyByApi(request: CheckoutRequest, api: InsalesApiShop): Promise<ApiVerdict> {
  if (!/^\d{1,20}$/.test(request.order_id)) return { verdict: "mismatch", detail: "неверный номер заказа InSales" };
  const answer = await insalesApi(api, "GET", `/admin/orders/${request.order_id}.json`, undefined, FALLBACK_API_OPTIONS);
  if (!answer.ok) {
    if (answer.reason === "not_found" || answer.reason === "invalid") return { verdict: "mismatch", detail: "заказа с таким номером в InSales нет" };
    return { verdict: "unavailable", detail: `API InSales не ответил (${answer.reason})` };
  }
  const parsed = orderAnswer.safeParse(answer.json);
  if (!parsed.success) return { verdict: "mismatch", detail: "API InSales вернул заказ в непонятном виде" };
  const order = parsed.data;
  if (!hexEquals(order.key, request.key) || order.client_transaction_id !== request.transaction_id) {
    return { verdict: "mismatch", detail: "ключ заказа или номер транзакции не совпали с заказом в InSales" };
  }
  // The invoice will be in the order's own currency (checkout-currency.ts): no conversion into another one is
  // admitted without a signature (fallback-amount.ts step 3).
  const amount = fallbackAmountMatches({ request, order: { totalPrice: order.total_price, currencyCode: order.currency_code }, invoiceCurrency: normalizeCurrency(order.currency_code) });
  if (!amount.ok) return { verdict: "mismatch", detail: FALLBACK_AMOUNT_TEXT[amount.why] };
  const admitted: AdmittedOrder = {
    orderNumber: order.number,
    description: describeOrder(order.number, api.host),
    email: contact(order.client?.email),
    phone: contact(order.client?.phone),
  };
  return { verdict: "match", admitted, order: answer.json };
}

export async function verifyCheckout(input: {
  request: CheckoutRequest;
  gatewayPassword: string | null;
  secretKey: string | null;
  /** The shop's API access; null when the shop has none (then only the signature can admit). */
  api: InsalesApiShop | null;
  /** Takes one look-up from the shop's budget (checkout-api-budget.ts); false = none left, do not call. */
  takeApiLookup: () => Promise<boolean>;
  /** The shop's IntellectMoney «Номер магазина», to tell a manual setup from ours. */
  eshopId: string | null;
}): Promise<VerifyOutcome> {
  const passwords: Array<{ source: PasswordSource; password: string }> = [];
  if (input.gatewayPassword) passwords.push({ source: "gateway", password: input.gatewayPassword });
  if (input.secretKey) passwords.push({ source: "secret_key", password: input.secretKey });
  const bySignature = verifyBySignature(input.request, passwords);
  if (bySignature) return { ok: true, verifiedBy: "signature", passwordSource: bySignature };

  if (!input.api) return { ok: false, reason: "bad_signature" };
  // Only a well-formed order id is worth a look-up (and its path is only ever digits).
  if (!/^\d{1,20}$/.test(input.request.order_id)) return { ok: false, reason: "bad_signature", detail: "неверный номер заказа InSales" };
  if (!(await input.takeApiLookup())) return { ok: false, reason: "api_busy" };
  const byApi = await verifyByApi(input.request, input.api);
  if (byApi.verdict !== "match") return { ok: false, reason: byApi.verdict === "unavailable" ? "api_unavailable" : "bad_signature", detail: byApi.detail };
  // Which secret will sign our notices back (§2): a method set up by hand (shop_id = «Номер магазина»)
  // was told «Пароль» = the secret key; otherwise it is ours when we have one.
  const manual = input.eshopId !== null && input.request.shop_id === input.eshopId && input.secretKey !== null;
  const passwordSource: PasswordSource = manual || !input.gatewayPassword ? "secret_key" : "gateway";
  return { ok: true, verifiedBy: "api", passwordSource, admitted: byApi.admitted, order: byApi.order };
}
