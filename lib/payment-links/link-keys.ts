// The keys that sign payment links (docs/SECURITY.md «Payment links»; README «Configuration»):
// - PAYMENT_LINK_KEY (32 bytes, base64) signs new links; PAYMENT_LINK_KEY_PREVIOUS (comma-separated) are still
//   accepted, so links sent before a rotation open until they expire;
// - unset, the key is derived from ENCRYPTION_KEY (HMAC-SHA256 of a fixed label under it: a key of its own, not
//   the encryption key itself), and links signed with keys derived from ENCRYPTION_KEY_PREVIOUS stay valid, so
//   the usual rotation of ENCRYPTION_KEY (`npm run keys:rotate`) does not break links already sent.
// Every key has an id (the first 8 hex of its SHA-256) carried in the link, so the right one is found at once.
import { createHash, createHmac } from "node:crypto";
import { env } from "../env";

export type LinkKey = { id: string; bytes: Buffer };
export type LinkKeyRing = { current: LinkKey; all: Map<string, LinkKey> };

const DERIVATION_LABEL = "intellectmoney-insales payment links v1";

function toKey(bytes: Buffer): LinkKey {
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

function derived(encryptionKeyBase64: string): LinkKey {
  return toKey(createHmac("sha256", Buffer.from(encryptionKeyBase64, "base64")).update(DERIVATION_LABEL).digest());
}

/** The ring of a configuration (pure: tests pass their own values). */
export function linkKeyRing(e: { PAYMENT_LINK_KEY?: string; PAYMENT_LINK_KEY_PREVIOUS: string[]; ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS: string[] }): LinkKeyRing {
  const current = e.PAYMENT_LINK_KEY ? toKey(Buffer.from(e.PAYMENT_LINK_KEY, "base64")) : derived(e.ENCRYPTION_KEY);
  const older = e.PAYMENT_LINK_KEY
    ? e.PAYMENT_LINK_KEY_PREVIOUS.map((k) => toKey(Buffer.from(k, "base64")))
    : [...e.PAYMENT_LINK_KEY_PREVIOUS.map((k) => toKey(Buffer.from(k, "base64"))), ...e.ENCRYPTION_KEY_PREVIOUS.map(derived)];
  const all = new Map<string, LinkKey>([[current.id, current]]);
  for (const k of older) if (!all.has(k.id)) all.set(k.id, k);
  return { current, all };
}

let cached: { env: ReturnType<typeof env>; ring: LinkKeyRing } | null = null;

/** The ring of the running configuration (derived once per configuration). */
export function currentLinkKeys(): LinkKeyRing {
  const e = env();
  if (cached?.env !== e) cached = { env: e, ring: linkKeyRing(e) };
  return cached.ring;
}
