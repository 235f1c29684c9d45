import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret } from "./crypto";
import { db } from "./db";
import { resetEnvCache } from "./env";
import { rotateSecrets } from "./key-rotation";
import { useTestDatabase } from "../tests/support/use-test-database";

const OLD = Buffer.alloc(32, 3).toString("base64");
const NEW = Buffer.alloc(32, 4).toString("base64");

useTestDatabase({ ENCRYPTION_KEY: OLD });

describe("key rotation", () => {
  it("re-encrypts every secret with the new key and the app still reads them", async () => {
    const shop = await db().shop.create({
      data: {
        insalesId: "777", host: "rot.myinsales.ru", apiPasswordEnc: encryptSecret("api-pass"),
        settings: { create: { secretKeyEnc: encryptSecret("im-secret"), apiTokenEnc: encryptSecret("tok"), walletSecretKeyEnc: encryptSecret("wallet-key") } },
        gateway: { create: { passwordEnc: encryptSecret("gw-pass") } },
      },
    });
    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD });
    resetEnvCache();
    expect(await rotateSecrets()).toEqual({ checked: 5, reencrypted: 5 });
    expect(await rotateSecrets()).toEqual({ checked: 5, reencrypted: 0 });

    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: "" });
    resetEnvCache();
    const row = await db().shop.findUniqueOrThrow({ where: { id: shop.id }, include: { settings: true, gateway: true } });
    expect(decryptSecret(row.apiPasswordEnc!)).toBe("api-pass");
    expect(decryptSecret(row.settings!.secretKeyEnc!)).toBe("im-secret");
    expect(decryptSecret(row.settings!.apiTokenEnc!)).toBe("tok");
    expect(decryptSecret(row.settings!.walletSecretKeyEnc!)).toBe("wallet-key");
    expect(decryptSecret(row.gateway!.passwordEnc!)).toBe("gw-pass");
  });

  it("re-encrypts the password of an install call still waiting for its proof", async () => {
    Object.assign(process.env, { ENCRYPTION_KEY: OLD, ENCRYPTION_KEY_PREVIOUS: "" });
    resetEnvCache();
    const candidate = await db().installCandidate.create({
      data: { insalesId: "778", host: "rot2.myinsales.ru", apiPasswordEnc: encryptSecret("pending-pass"), fingerprint: "f", newTenant: true, sourceAddress: "203.0.113.1" },
    });
    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD });
    resetEnvCache();
    // The shop's five secrets (with the wallet key) were rotated by the test above; only the candidate's is new work.
    expect(await rotateSecrets()).toEqual({ checked: 6, reencrypted: 1 });
    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: "" });
    resetEnvCache();
    const row = await db().installCandidate.findUniqueOrThrow({ where: { id: candidate.id } });
    expect(decryptSecret(row.apiPasswordEnc)).toBe("pending-pass");
  });

  it("re-encrypts the order-card widget's secrets, in force and being pushed", async () => {
    Object.assign(process.env, { ENCRYPTION_KEY: OLD, ENCRYPTION_KEY_PREVIOUS: "" });
    resetEnvCache();
    const shop = await db().shop.create({
      data: { insalesId: "779", host: "rot3.myinsales.ru", widget: { create: { state: "INSTALLING", secretEnc: encryptSecret("w-old"), pendingSecretEnc: encryptSecret("w-new") } } },
    });
    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD });
    resetEnvCache();
    expect((await rotateSecrets()).reencrypted).toBe(2);
    Object.assign(process.env, { ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: "" });
    resetEnvCache();
    const widget = await db().shopWidget.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(decryptSecret(widget.secretEnc!)).toBe("w-old");
    expect(decryptSecret(widget.pendingSecretEnc!)).toBe("w-new");
  });
});
