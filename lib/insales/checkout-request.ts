// Parse the checkout form InSales makes the buyer's browser POST to us (docs/protocols/insales.md §2
// «Checkout request»). Nothing is trusted yet: this only checks shape and size and keeps the raw strings,
// because the signature is computed over them exactly as sent (§4 pitfall 3).
import { parseKopecks } from "../money";
import { CHECKOUT_SIGNED_FIELDS, type CheckoutFields } from "./signatures";

/** The parsed fields plus the signature they came with (what the verifier needs). */
export type CheckoutRequest = CheckoutFields & { signature: string };

export type CheckoutParseFailure = {
  ok: false;
  reason: "missing_field" | "duplicate_field" | "too_long" | "nul_byte" | "invalid_field" | "amount_too_small";
  field: string;
};

export type CheckoutParseResult =
  | { ok: true; fields: CheckoutFields; signature: string; request: CheckoutRequest; amountKopecks: bigint }
  | CheckoutParseFailure;

/** IntellectMoney refuses invoices under 1.00 (docs/protocols/intellectmoney.md §1 `recipientAmount`). */
export const MIN_AMOUNT_KOPECKS = 100n;

const MAX_DEFAULT = 255;
const MAX_DESCRIPTION = 1024;
const MAX_ORDER_JSON_BYTES = 1024 * 1024;

const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;

const REQUIRED = new Set(["shop_id", "amount", "transaction_id", "key", "order_id", "signature"]);
const ALL_FIELDS = [...CHECKOUT_SIGNED_FIELDS, "signature"] as const;
type FieldName = (typeof ALL_FIELDS)[number];

function tooLong(name: FieldName, value: string): boolean {
  if (name === "order_json") return Buffer.byteLength(value, "utf8") > MAX_ORDER_JSON_BYTES;
  if (name === "description") return value.length > MAX_DESCRIPTION;
  return value.length > MAX_DEFAULT;
}

export function parseCheckoutRequest(body: URLSearchParams): CheckoutParseResult {
  const raw = {} as Record<FieldName, string>;
  for (const name of ALL_FIELDS) {
    const values = body.getAll(name);
    // Two values for one signed field would let the signature cover one and the handler use another.
    if (values.length > 1) return { ok: false, reason: "duplicate_field", field: name };
    const value = values[0] ?? "";
    if (value.includes("\0")) return { ok: false, reason: "nul_byte", field: name };
    if (tooLong(name, value)) return { ok: false, reason: "too_long", field: name };
    if (REQUIRED.has(name) && value === "") return { ok: false, reason: "missing_field", field: name };
    raw[name] = value;
  }

  const amountKopecks = parseKopecks(raw.amount);
  if (amountKopecks === null) return { ok: false, reason: "invalid_field", field: "amount" };
  if (amountKopecks < MIN_AMOUNT_KOPECKS) return { ok: false, reason: "amount_too_small", field: "amount" };
  // transaction_id is our idempotency key and part of the IntellectMoney orderId; key ends up in URLs.
  // shop_id, amount (digits and a dot, above), transaction_id and key are also what we sign our result
  // notice with, joined by `;` (§2 «Result notice»): none may hold a `;`, or the notice's fields could
  // shift. shop_id only ever routes when it equals an insales_id or a «Номер магазина» (digits).
  if (!SAFE_TOKEN.test(raw.shop_id)) return { ok: false, reason: "invalid_field", field: "shop_id" };
  if (!SAFE_TOKEN.test(raw.transaction_id)) return { ok: false, reason: "invalid_field", field: "transaction_id" };
  if (!SAFE_TOKEN.test(raw.key)) return { ok: false, reason: "invalid_field", field: "key" };
  if (!MD5_HEX.test(raw.signature)) return { ok: false, reason: "invalid_field", field: "signature" };

  const { signature, ...fields } = raw;
  return { ok: true, fields, signature, request: { ...fields, signature }, amountKopecks };
}
