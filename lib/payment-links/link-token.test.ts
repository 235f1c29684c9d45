import { describe, expect, it } from "vitest";
import { linkKeyRing } from "./link-keys";
import { readLinkToken, signLinkToken, type LinkClaims } from "./link-token";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");
const ENC = Buffer.alloc(32, 7).toString("base64");
const ENC_OLD = Buffer.alloc(32, 8).toString("base64");
const NOW = new Date("2026-12-01T12:00:00Z");
const CLAIMS: LinkClaims = { linkId: "0f8fad5b-d9cb-469f-a165-70867728950e", insalesId: "123", orderId: "4020290", expiresAt: new Date("2026-12-04T12:00:00Z") };

const ring = (o: { key?: string; previous?: string[]; enc?: string; encPrevious?: string[] } = {}) =>
  linkKeyRing({ PAYMENT_LINK_KEY: o.key, PAYMENT_LINK_KEY_PREVIOUS: o.previous ?? [], ENCRYPTION_KEY: o.enc ?? ENC, ENCRYPTION_KEY_PREVIOUS: o.encPrevious ?? [] });

describe("payment link tokens", () => {
  it("carry the link, the shop, the order and the expiry, and read back exactly", () => {
    const r = ring({ key: KEY_A });
    const token = signLinkToken(CLAIMS, r.current);
    expect(token).toMatch(/^pl1\.[0-9a-f]{8}\.0f8fad5b-d9cb-469f-a165-70867728950e\.123\.4020290\.1796385600\.[A-Za-z0-9_-]{43}$/);
    expect(readLinkToken(token, r, NOW)).toEqual({ ok: true, claims: CLAIMS });
  });

  it("refuse any change to a signed part: another order, shop, link or a later expiry", () => {
    const r = ring({ key: KEY_A });
    const parts = signLinkToken(CLAIMS, r.current).split(".");
    const swap = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join(".");
    for (const forged of [swap(4, "4020291"), swap(3, "124"), swap(2, "1f8fad5b-d9cb-469f-a165-70867728950e"), swap(5, "1896385600")]) {
      expect(readLinkToken(forged, r, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    }
    expect(readLinkToken(`${parts.slice(0, 6).join(".")}.${"A".repeat(43)}`, r, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    // The last base64url character has two spare bits: another character decoding to the same MAC is still refused.
    const mac = parts[6];
    const last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(mac.at(-1)!);
    const twin = `${mac.slice(0, -1)}${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last ^ 1]}`;
    expect(Buffer.from(twin, "base64url").equals(Buffer.from(mac, "base64url"))).toBe(true);
    expect(readLinkToken(swap(6, twin), r, NOW)).toEqual({ ok: false, reason: "bad_signature" });
    for (const junk of ["", "pl1", `${parts.join(".")}x`, parts.join(".").replace("pl1", "pl2"), "pl1.00000000.x.1.1.1.y"]) {
      expect(readLinkToken(junk, r, NOW).ok).toBe(false);
    }
  });

  it("say «expired» only of a genuine link past its expiry", () => {
    const r = ring({ key: KEY_A });
    const token = signLinkToken(CLAIMS, r.current);
    expect(readLinkToken(token, r, CLAIMS.expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(readLinkToken(token, r, new Date(CLAIMS.expiresAt.getTime() - 1000)).ok).toBe(true);
  });

  it("rotate: links signed with a key in PAYMENT_LINK_KEY_PREVIOUS still open, a dropped key's do not", () => {
    const old = signLinkToken(CLAIMS, ring({ key: KEY_A }).current);
    expect(readLinkToken(old, ring({ key: KEY_B, previous: [KEY_A] }), NOW).ok).toBe(true);
    expect(readLinkToken(old, ring({ key: KEY_B }), NOW)).toEqual({ ok: false, reason: "bad_signature" });
    expect(signLinkToken(CLAIMS, ring({ key: KEY_B, previous: [KEY_A] }).current)).not.toBe(old);
  });

  it("without PAYMENT_LINK_KEY sign with a key derived from ENCRYPTION_KEY, which survives its rotation", () => {
    const derived = ring();
    expect(derived.current.bytes.equals(Buffer.from(ENC, "base64"))).toBe(false);
    const token = signLinkToken(CLAIMS, derived.current);
    expect(readLinkToken(token, ring(), NOW).ok).toBe(true);
    // ENCRYPTION_KEY rotated (the old one in ENCRYPTION_KEY_PREVIOUS): the link still opens.
    expect(readLinkToken(token, ring({ enc: ENC_OLD, encPrevious: [ENC] }), NOW).ok).toBe(true);
    expect(readLinkToken(token, ring({ enc: ENC_OLD }), NOW)).toEqual({ ok: false, reason: "bad_signature" });
    // An explicit key takes over: the derived keys are no longer accepted.
    expect(readLinkToken(token, ring({ key: KEY_A }), NOW)).toEqual({ ok: false, reason: "bad_signature" });
  });
});
