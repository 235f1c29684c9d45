// Is this checkout really from InSales for this shop? (spec/insales-protocol.md §2 «Checkout request»)
// 1. The signature, against each password the shop may have given InSales: the gateway «Пароль» we
//    generated, and the IntellectMoney secret key (manual setup per the original instructions).
// 2. [decision] If neither matches, the API fallback: the order must exist in this shop with the same key,
//    client_transaction_id = transaction_id and total_price = amount as decimals (original_amount with
//    currency conversion). This is the only place the checkout calls the API: never on the happy path.
import { z } from "zod";
import { hexEquals } from "../crypto";
import { insalesApi, type InsalesApiShop } from "../insales/api-client";
import type { CheckoutRequest } from "../insales/checkout-request";
import { checkoutSignature } from "../insales/signatures";
import { parseKopecks } from "../money";

export type PasswordSource = "gateway" | "secret_key";

export type VerifyOutcome =
  | { ok: true; verifiedBy: "signature"; passwordSource: PasswordSource }
  /**
   * `orderNumber` from the API answer: with the signature unproven, the description is not evidence.
   * `order` is that answer, for the fiscal receipt (checkout-receipt.ts), so InSales is asked once.
   */
  | { ok: true; verifiedBy: "api"; passwordSource: PasswordSource; orderNumber: string | null; order: unknown }
  | { ok: false; reason: "bad_signature" | "api_unavailable" };

const decimal = z.union([z.string(), z.number()]).transform((v) => String(v));

const orderAnswer = z
  .object({
    key: z.string(),
    client_transaction_id: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v))),
    total_price: decimal,
    number: z.union([z.string(), z.number()]).nullish().transform((v) => (v == null ? null : String(v))),
  })
  .loose();

/** "1200.0" and "1200.00" are the same money; compared in kopecks, never as floats. */
function sameAmount(a: string, b: string): boolean {
  const x = parseKopecks(a.trim());
  const y = parseKopecks(b.trim());
  return x !== null && y !== null && x === y;
}

/** Signature against every known password; all are computed, so timing does not tell which one failed. */
export function verifyBySignature(request: CheckoutRequest, passwords: Array<{ source: PasswordSource; password: string }>): PasswordSource | null {
  let match: PasswordSource | null = null;
  for (const { source, password } of passwords) {
    const ok = hexEquals(checkoutSignature(request, password), request.signature);
    if (ok && match === null) match = source;
  }
  return match;
}

export async function verifyByApi(
  request: CheckoutRequest,
  api: InsalesApiShop,
): Promise<{ verdict: "match"; orderNumber: string | null; order: unknown } | { verdict: "mismatch" | "unavailable" }> {
  if (!/^\d{1,20}$/.test(request.order_id)) return { verdict: "mismatch" };
  const answer = await insalesApi(api, "GET", `/admin/orders/${request.order_id}.json`);
  if (!answer.ok) return { verdict: answer.reason === "not_found" || answer.reason === "invalid" ? "mismatch" : "unavailable" };
  const parsed = orderAnswer.safeParse(answer.json);
  if (!parsed.success) return { verdict: "mismatch" };
  const order = parsed.data;
  const expectedAmount = request.original_amount ? request.original_amount : request.amount;
  const ok =
    hexEquals(order.key, request.key) &&
    order.client_transaction_id === request.transaction_id &&
    sameAmount(order.total_price, expectedAmount);
  return ok ? { verdict: "match", orderNumber: order.number, order: answer.json } : { verdict: "mismatch" };
}

export async function verifyCheckout(input: {
  request: CheckoutRequest;
  gatewayPassword: string | null;
  secretKey: string | null;
  /** The shop's API access; null when the shop has none (then only the signature can admit). */
  api: InsalesApiShop | null;
  /** The shop's IntellectMoney «Номер магазина», to tell a manual setup from ours. */
  eshopId: string | null;
}): Promise<VerifyOutcome> {
  const passwords: Array<{ source: PasswordSource; password: string }> = [];
  if (input.gatewayPassword) passwords.push({ source: "gateway", password: input.gatewayPassword });
  if (input.secretKey) passwords.push({ source: "secret_key", password: input.secretKey });
  const bySignature = verifyBySignature(input.request, passwords);
  if (bySignature) return { ok: true, verifiedBy: "signature", passwordSource: bySignature };

  if (!input.api) return { ok: false, reason: "bad_signature" };
  const byApi = await verifyByApi(input.request, input.api);
  if (byApi.verdict !== "match") return { ok: false, reason: byApi.verdict === "unavailable" ? "api_unavailable" : "bad_signature" };
  // Which secret will sign our notices back (§2): a method set up by hand (shop_id = «Номер магазина»)
  // was told «Пароль» = the secret key; otherwise it is ours when we have one.
  const manual = input.eshopId !== null && input.request.shop_id === input.eshopId && input.secretKey !== null;
  const passwordSource: PasswordSource = manual || !input.gatewayPassword ? "secret_key" : "gateway";
  return { ok: true, verifiedBy: "api", passwordSource, orderNumber: byApi.orderNumber, order: byApi.order };
}
