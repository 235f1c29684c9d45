// The order-card widget's read credential (docs/SECURITY.md «The order-card widget»). The widget's code holds a
// per-shop secret; for each order it asks about it sends HMAC-SHA256(secret, "<insales_id>:<order id>") instead
// of the secret itself, so a URL that ends up in some access log opens that one order's summary, read-only, and
// nothing else. The widget computes the same HMAC with the browser's Web Crypto (lib/widget/widget-code.ts).
import { createHmac, randomBytes } from "node:crypto";
import { hexEquals } from "../crypto";

/** 32 random bytes, hex: a new secret for every push of the widget's code (a reconnect rotates it). */
export function newWidgetSecret(): string {
  return randomBytes(32).toString("hex");
}

/** HMAC-SHA256 over "<insales_id>:<order id>" with the secret's bytes, lowercase hex. */
export function orderReadSignature(secretHex: string, insalesId: string, orderId: string): string {
  return createHmac("sha256", Buffer.from(secretHex, "hex")).update(`${insalesId}:${orderId}`, "utf8").digest("hex");
}

/** Whether `signature` was made for this shop and order with one of `secrets` (constant time each). */
export function orderSignatureValid(secrets: readonly string[], insalesId: string, orderId: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  let valid = false;
  for (const secret of secrets) if (hexEquals(orderReadSignature(secret, insalesId, orderId), signature)) valid = true;
  return valid;
}
