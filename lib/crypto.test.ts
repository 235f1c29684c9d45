import { afterEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, hexEquals, maskSecret, md5Hex, needsReencryption } from "./crypto";
import { resetEnvCache } from "./env";
import { TEST_ENV } from "../tests/support/test-env";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");

function useKeys(current: string, previous = "") {
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://x@127.0.0.1/x", ENCRYPTION_KEY: current, ENCRYPTION_KEY_PREVIOUS: previous });
  resetEnvCache();
}

afterEach(() => resetEnvCache());

describe("secrets at rest", () => {
  it("round-trips and never contains the plain text", () => {
    useKeys(KEY_A);
    const sealed = encryptSecret("s3cr3t-key-value");
    expect(sealed).not.toContain("s3cr3t");
    expect(decryptSecret(sealed)).toBe("s3cr3t-key-value");
    expect(encryptSecret("same")).not.toBe(encryptSecret("same")); // random IV
  });

  it("detects tampering", () => {
    useKeys(KEY_A);
    const parts = encryptSecret("value").split(".");
    parts[4] = Buffer.from("other").toString("base64url");
    expect(() => decryptSecret(parts.join("."))).toThrow();
  });

  it("reads secrets of an older key listed in ENCRYPTION_KEY_PREVIOUS and flags them for re-encryption", () => {
    useKeys(KEY_A);
    const old = encryptSecret("rotate-me");
    useKeys(KEY_B);
    expect(() => decryptSecret(old)).toThrow(/unknown key id/);
    useKeys(KEY_B, KEY_A);
    expect(decryptSecret(old)).toBe("rotate-me");
    expect(needsReencryption(old)).toBe(true);
    expect(needsReencryption(encryptSecret("x"))).toBe(false);
  });

  it("masks all but the last 4 characters", () => {
    expect(maskSecret("abcdefgh1234")).toBe("••••••1234");
    expect(maskSecret("")).toBe("");
  });

  it("computes the InSales install password of the vendor example", () => {
    expect(md5Hex("token123mysecret")).toBe("4c3f4c197336eb97475506e71c839c71");
  });

  it("compares digests case-insensitively and rejects other lengths", () => {
    expect(hexEquals("ABCDEF", "abcdef")).toBe(true);
    expect(hexEquals("abcdef", "abcde0")).toBe(false);
    expect(hexEquals("abc", "abcd")).toBe(false);
  });
});
