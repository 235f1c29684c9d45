// The token of a payment link (docs/SECURITY.md «Payment links»): what it is for and until when, signed.
//   pl1.<key id>.<link id>.<shop insales_id>.<InSales order id>.<expiry, unix seconds>.<HMAC-SHA256, base64url>
// The MAC covers everything before it, so the link cannot be pointed at another order, shop or expiry, nor
// kept alive longer; the link id names the row the merchant made (lib/payment-links/link-store.ts). Every part
// is of [0-9a-f-] or digits: nothing to escape in a URL path, nothing that could shift a field. Pure.
import { createHmac } from "node:crypto";
import { hexEquals } from "../crypto";
import type { LinkKey, LinkKeyRing } from "./link-keys";

export type LinkClaims = { linkId: string; insalesId: string; orderId: string; expiresAt: Date };

export type LinkTokenRefusal = "malformed" | "bad_signature" | "expired";

const VERSION = "pl1";
const TOKEN = /^pl1\.([0-9a-f]{8})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,20})\.(\d{1,20})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(key: LinkKey, signed: string): string {
  return createHmac("sha256", key.bytes).update(signed, "utf8").digest("base64url");
}

export function signLinkToken(claims: LinkClaims, key: LinkKey): string {
  const expiry = Math.floor(claims.expiresAt.getTime() / 1000);
  const signed = [VERSION, key.id, claims.linkId, claims.insalesId, claims.orderId, String(expiry)].join(".");
  return `${signed}.${mac(key, signed)}`;
}

/**
 * The claims of a token signed with a key of `ring` and not expired at `now`. The MAC is checked before the
 * expiry, so «expired» is said only of a genuine link. A retired key is the same as a forged MAC.
 */
export function readLinkToken(token: string, ring: LinkKeyRing, now: Date): { ok: true; claims: LinkClaims } | { ok: false; reason: LinkTokenRefusal } {
  const m = TOKEN.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const [, keyId, linkId, insalesId, orderId, expiry, given] = m;
  const key = ring.all.get(keyId);
  const signed = token.slice(0, token.length - given.length - 1);
  // The MAC's text is compared, not its decoded bytes: base64url's last character has spare bits, so two texts
  // can decode alike, and only the one we wrote counts. Constant time (lib/crypto.ts hexEquals over the text's
  // bytes); an unknown key compares too, so timing does not say which keys exist.
  const expected = mac(key ?? ring.current, signed);
  const valid = hexEquals(Buffer.from(expected, "utf8").toString("hex"), Buffer.from(given, "utf8").toString("hex"));
  if (!key || !valid) return { ok: false, reason: "bad_signature" };
  const expiresAt = new Date(Number(expiry) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims: { linkId, insalesId, orderId, expiresAt } };
}
