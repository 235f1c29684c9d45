// IntellectMoney hashes (docs/protocols/intellectmoney.md). Pure: strings in, lowercase hex out.
// Every hash joins its fields with `::`, keeps empty values as empty segments and puts the secret last.
// Inputs are the exact strings sent or received — never re-formatted amounts or dates (§7 pitfall 3).
import { hexEquals, md5Hex, md5HexOfBytes, sha256Hex } from "../crypto";
import { encodeWindows1251 } from "../http/windows-1251";

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

/** Which bytes of the joined string a notification's hash was taken over (§3 «Encoding»). */
export type ResultHashEncoding = "utf-8" | "windows-1251";

/**
 * The §3 hash over the joined string as UTF-8 and, when every character has one, as windows-1251
 * (docs/protocols/intellectmoney.md §3 «Encoding»): IntellectMoney's own library accepts the hash of the
 * string as received or re-encoded between the two, so a Cyrillic `serviceName` may come hashed either way.
 * Only these two: the secret key is still needed for either, so accepting both forges nothing.
 */
export function resultNotificationHashes(f: ResultHashFields, secretKey: string): Array<{ encoding: ResultHashEncoding; hash: string }> {
  const joined = resultHashInput(f, secretKey);
  const out: Array<{ encoding: ResultHashEncoding; hash: string }> = [{ encoding: "utf-8", hash: md5Hex(joined) }];
  const cp1251 = encodeWindows1251(joined);
  if (cp1251) out.push({ encoding: "windows-1251", hash: md5HexOfBytes(cp1251) });
  return out;
}

/**
 * The encoding whose hash matches `receivedHash` (case-insensitive: IntellectMoney sends either case;
 * every candidate compared in constant time), or null when none does.
 */
export function matchResultNotificationHash(f: ResultHashFields, secretKey: string, receivedHash: string): ResultHashEncoding | null {
  if (secretKey === "") return null; // an empty key would make the hash forgeable by anyone
  let match: ResultHashEncoding | null = null;
  for (const candidate of resultNotificationHashes(f, secretKey)) {
    if (hexEquals(candidate.hash, receivedHash) && match === null) match = candidate.encoding;
  }
  return match;
}

/** matchResultNotificationHash as a yes/no. */
export function verifyResultNotificationHash(f: ResultHashFields, secretKey: string, receivedHash: string): boolean {
  return matchResultNotificationHash(f, secretKey, receivedHash) !== null;
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
