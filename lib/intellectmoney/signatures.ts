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

/** §1 `hash` = MD5(eshopId::orderId::serviceName::recipientAmount::recipientCurrency::secretKey). */
export function invoiceFormHash(f: InvoiceHashFields, secretKey: string): string {
  return md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, secretKey].join("::"));
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

/**
 * §3: MD5 of the 11 segments with OUR stored secret key last. Never the notification's own `secretKey`
 * field: a forger would simply send the key that matches the hash they made.
 */
export function resultNotificationHash(f: ResultHashFields, secretKey: string): string {
  return md5Hex(
    [
      f.eshopId,
      f.orderId,
      f.serviceName,
      f.eshopAccount,
      f.recipientAmount,
      f.recipientCurrency,
      f.paymentStatus,
      f.userName,
      f.userEmail,
      f.paymentData,
      secretKey,
    ].join("::"),
  );
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
