// InSales MD5 signatures (docs/protocols/insales.md). Pure: strings in, lowercase hex out.
// Every input is the raw string as received or as we will send it — never a re-formatted value
// (§4 pitfall 3: `0.1` and `0.10` sign differently).
import { hexEquals, md5Hex } from "../crypto";

/** §1 «Install»: the per-shop API password = MD5(token + app secret), token first. */
export function installPassword(token: string, appSecret: string): string {
  return md5Hex(token + appSecret);
}

/** §1 «Войти» step 3: `token = MD5(nonce + password)`. */
export function loginToken(nonce: string, password: string): string {
  return md5Hex(nonce + password);
}

export type LoginUserFields = {
  nonce: string;
  userEmail: string;
  userName: string;
  userId: string;
  password: string;
};

/** §1 «Войти» step 3 (one source): `token2 = MD5(nonce + user_email + user_name + user_id + password)`. */
export function loginToken2(f: LoginUserFields): string {
  return md5Hex(f.nonce + f.userEmail + f.userName + f.userId + f.password);
}

/** §1 «Войти» step 3: `token3 = MD5(nonce + user_email + user_name + user_id + email_confirmed + password)`. */
export function loginToken3(f: LoginUserFields & { emailConfirmed: string }): string {
  return md5Hex(f.nonce + f.userEmail + f.userName + f.userId + f.emailConfirmed + f.password);
}

export function verifyLoginToken(nonce: string, password: string, received: string): boolean {
  return hexEquals(loginToken(nonce, password), received);
}

export function verifyLoginToken2(f: LoginUserFields, received: string): boolean {
  return hexEquals(loginToken2(f), received);
}

export function verifyLoginToken3(f: LoginUserFields & { emailConfirmed: string }, received: string): boolean {
  return hexEquals(loginToken3(f), received);
}

/**
 * The fields of a checkout request (§2 «Checkout request»), raw strings exactly as the buyer's browser
 * posted them. Absent optional fields are empty strings: that is also how they enter the signature.
 */
export type CheckoutFields = {
  shop_id: string;
  amount: string;
  transaction_id: string;
  key: string;
  description: string;
  order_id: string;
  phone: string;
  email: string;
  original_currency: string;
  convert_currency: string;
  original_amount: string;
  conversion_rate: string;
  order_json: string;
};

/** The signature's positional order (§2): 13 fields joined by `;`, then the payment-method password. */
export const CHECKOUT_SIGNED_FIELDS = [
  "shop_id",
  "amount",
  "transaction_id",
  "key",
  "description",
  "order_id",
  "phone",
  "email",
  "original_currency",
  "convert_currency",
  "original_amount",
  "conversion_rate",
  "order_json",
] as const satisfies ReadonlyArray<keyof CheckoutFields>;

/** The string the §2 checkout signature is taken of: the 13 fields and the password joined by `;`. */
export function checkoutSignatureInput(fields: CheckoutFields, password: string): string {
  return [...CHECKOUT_SIGNED_FIELDS.map((name) => fields[name] ?? ""), password].join(";");
}

export function checkoutSignature(fields: CheckoutFields, password: string): string {
  return md5Hex(checkoutSignatureInput(fields, password));
}

const CONVERSION_FIELDS = ["original_currency", "convert_currency", "original_amount", "conversion_rate"] as const;
/** The values a `;` inside could move between positions of the two layouts below (see checkoutSignatureLayouts). */
const SHIFTABLE_FIELDS = ["order_id", "phone", "email", ...CONVERSION_FIELDS] as const;

export type CheckoutSignatureLayout = "positional" | "compact";

/**
 * The strings a genuine checkout signature may be taken of (§2 «Checkout request», signature). InSales's own
 * page exists in two versions that disagree (docs/protocols/insales.md §2): one lists all 13 positions
 * (`positional`: an absent field is an empty segment), the other says the conversion fields and
 * `order_json` are inserted before the password only when that setting is on (`compact`: the 8 base fields,
 * then the four conversion fields when any of them came, then `order_json` when it came). Both are tried.
 *
 * Accepting two layouts must not let one genuine signature vouch for another tuple. The layouts differ only
 * in empty segments after `email`, so a tuple can take another's string only by moving a `;` into or out of
 * `order_id`, `phone`, `email` or a conversion field (the base fields before them cannot hold one:
 * checkout-request.ts, and `order_json` is last before the secret). A request with a `;` in any of those gets
 * no layout at all here: it is not verified by signature (the API fallback reads the order instead).
 */
export function checkoutSignatureLayouts(fields: CheckoutFields, password: string): Array<{ layout: CheckoutSignatureLayout; input: string }> {
  if (SHIFTABLE_FIELDS.some((name) => (fields[name] ?? "").includes(";"))) return [];
  const positional = checkoutSignatureInput(fields, password);
  const conversion = CONVERSION_FIELDS.some((name) => (fields[name] ?? "") !== "") ? CONVERSION_FIELDS.map((name) => fields[name] ?? "") : [];
  const orderJson = (fields.order_json ?? "") !== "" ? [fields.order_json] : [];
  const base = CHECKOUT_SIGNED_FIELDS.slice(0, 8).map((name) => fields[name] ?? "");
  const compact = [...base, ...conversion, ...orderJson, password].join(";");
  return compact === positional ? [{ layout: "positional", input: positional }] : [{ layout: "positional", input: positional }, { layout: "compact", input: compact }];
}

/** The layout whose signature matches `received`, or null. Every layout is computed (no early exit on timing). */
export function matchCheckoutSignature(fields: CheckoutFields, password: string, received: string): CheckoutSignatureLayout | null {
  let match: CheckoutSignatureLayout | null = null;
  for (const { layout, input } of checkoutSignatureLayouts(fields, password)) {
    if (hexEquals(md5Hex(input), received) && match === null) match = layout;
  }
  return match;
}

export function verifyCheckoutSignature(fields: CheckoutFields, password: string, received: string): boolean {
  return matchCheckoutSignature(fields, password, received) !== null;
}

export type ResultNoticeFields = {
  shopId: string;
  /** The raw `amount` string InSales sent us in the checkout. */
  amount: string;
  transactionId: string;
  key: string;
  paid: "1" | "0";
};

/**
 * The string the §2 result notice signature is taken of: `shop_id;amount;transaction_id;key;paid;password`.
 * Its fields are the checkout's own, which parseCheckoutRequest admits only without `;`
 * (lib/insales/checkout-request.ts), so this string always has exactly five separators before the password.
 */
export function resultNoticeSignatureInput(f: ResultNoticeFields, password: string): string {
  return [f.shopId, f.amount, f.transactionId, f.key, f.paid, password].join(";");
}

/** §2 «Result notice»: `MD5(shop_id;amount;transaction_id;key;paid;password)`. */
export function resultNoticeSignature(f: ResultNoticeFields, password: string): string {
  return md5Hex(resultNoticeSignatureInput(f, password));
}

export function verifyResultNoticeSignature(f: ResultNoticeFields, password: string, received: string): boolean {
  return hexEquals(resultNoticeSignature(f, password), received);
}
