// Secrets at rest: AES-256-GCM with the key id inside the ciphertext, so keys can rotate
// (docs/SECURITY.md «Controls that were already in place»). Format: v1.<keyId>.<iv>.<tag>.<data> (base64url).
// The key id is derived from the key itself (first 8 hex of its SHA-256): nothing extra to configure.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "./env";

type Key = { id: string; bytes: Buffer };

function toKey(base64: string): Key {
  const bytes = Buffer.from(base64, "base64");
  return { id: createHash("sha256").update(bytes).digest("hex").slice(0, 8), bytes };
}

type KeyRing = { current: Key; all: Map<string, Key> };

/** Derived once per configuration (env() returns the same object until tests reset it): every checkout decrypts. */
let ring: { env: ReturnType<typeof env>; keys: KeyRing } | null = null;

function keys(): KeyRing {
  const e = env();
  if (ring?.env === e) return ring.keys;
  ring = { env: e, keys: deriveKeys(e) };
  return ring.keys;
}

function deriveKeys(e: ReturnType<typeof env>): KeyRing {
  const current = toKey(e.ENCRYPTION_KEY);
  const all = new Map<string, Key>([[current.id, current]]);
  for (const old of e.ENCRYPTION_KEY_PREVIOUS) {
    const k = toKey(old);
    if (!all.has(k.id)) all.set(k.id, k);
  }
  return { current, all };
}

export function encryptSecret(plain: string): string {
  const { current } = keys();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current.bytes, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string): string {
  const parts = sealed.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new Error("decryptSecret: not a sealed secret");
  const key = keys().all.get(parts[1]);
  if (!key) throw new Error(`decryptSecret: unknown key id ${parts[1]} (set ENCRYPTION_KEY_PREVIOUS)`);
  const decipher = createDecipheriv("aes-256-gcm", key.bytes, Buffer.from(parts[2], "base64url"));
  decipher.setAuthTag(Buffer.from(parts[3], "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(parts[4], "base64url")), decipher.final()]).toString("utf8");
}

/** True when the sealed value was written with an older key and should be re-encrypted. */
export function needsReencryption(sealed: string): boolean {
  return sealed.split(".")[1] !== keys().current.id;
}

/** What the UI shows instead of a secret: its last 4 characters. */
export function maskSecret(plain: string | null | undefined): string {
  if (!plain) return "";
  return `••••••${plain.slice(-4)}`;
}

export function md5Hex(input: string): string {
  return createHash("md5").update(input, "utf8").digest("hex");
}

/** MD5 of raw bytes (a hash over a string in another encoding than UTF-8, e.g. windows-1251). */
export function md5HexOfBytes(input: Uint8Array): string {
  return createHash("md5").update(input).digest("hex");
}

export function sha256Hex(input: string): string {
  return createHash("sha256").update(input, "utf8").digest("hex");
}

/** Constant-time comparison of two hex digests, case-insensitive (IntellectMoney sends either case). */
export function hexEquals(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  if (x.length !== y.length) {
    timingSafeEqual(x, x); // keep the timing independent of where the strings differ
    return false;
  }
  return timingSafeEqual(x, y);
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}
