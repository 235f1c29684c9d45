// IntellectMoney hashes (spec/intellectmoney-protocol.md). Pure: strings in, lowercase hex out.
// Every hash joins its fields with `::`, keeps empty values as empty segments and puts the secret last.
// Inputs are the exact strings sent or received — never re-formatted amounts or dates (§7 pitfall 3).
import { hexEquals, md5Hex, sha256Hex } from "../crypto";

export type InvoiceHashFields = {
  eshopId: string;
  orderId: string;
  serviceName: string;
  recipientAmount: string;
  recipientCurrency: string;
};

/** The string the §1 invoice hash is taken of: eshopId::orderId::serviceName::recipientAmount::recipientCurrency::secretKey. */
export function invoiceHashInput(f: InvoiceHashFields, secretKey: string): string {
  return [f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, secretKey].join("::");
}

/** §1 `hash` = MD5(invoiceHashInput). */
export function invoiceFormHash(f: InvoiceHashFields, secretKey: string): string {
  return md5Hex(invoiceHashInput(f, secretKey));
}

/** The ten notification fields that enter the §3 hash, as received. */
export type ResultHashFields = {
  eshopId: string;
  orderId: string;
  serviceName: string;
  eshopAccount: string;
  recipientAmount: string;
  recipientCurrency: string;
  paymentStatus: string;
  userName: string;
  userEmail: string;
  paymentData: string;
};

/** The ten hashed fields in their §3 order (what firstShiftingField checks, what the hash joins). */
export const RESULT_HASH_FIELDS = [
  "eshopId",
  "orderId",
  "serviceName",
  "eshopAccount",
  "recipientAmount",
  "recipientCurrency",
  "paymentStatus",
  "userName",
  "userEmail",
  "paymentData",
] as const satisfies ReadonlyArray<keyof ResultHashFields>;

/** The string the §3 hash is taken of: the 11 segments joined by `::`, OUR stored secret key last. */
export function resultHashInput(f: ResultHashFields, secretKey: string): string {
  return [...RESULT_HASH_FIELDS.map((name) => f[name]), secretKey].join("::");
}

/**
 * §3: MD5 of resultHashInput. Never with the notification's own `secretKey` field: a forger would simply
 * send the key that matches the hash they made.
 */
export function resultNotificationHash(f: ResultHashFields, secretKey: string): string {
  return md5Hex(resultHashInput(f, secretKey));
}

/** Case-insensitive (IntellectMoney sends either case), constant time. */
export function verifyResultNotificationHash(f: ResultHashFields, secretKey: string, receivedHash: string): boolean {
  if (secretKey === "") return false; // an empty key would make the hash forgeable by anyone
  return hexEquals(resultNotificationHash(f, secretKey), receivedHash);
}

/**
 * §4 Merchant API `Sign` header: SHA-256 hex of the pattern parts joined by `::`, the sign secret last,
 * e.g. merchantApiSign([eshopId, orderId, "ToPaid"], signSecretKey).
 */
export function merchantApiSign(parts: readonly string[], signSecretKey: string): string {
  return sha256Hex([...parts, signSecretKey].join("::"));
}

/** §4 Merchant API body `hash`: MD5 of the same pattern with the shop secret key last. */
export function merchantApiHash(parts: readonly string[], secretKey: string): string {
  return md5Hex([...parts, secretKey].join("::"));
}
