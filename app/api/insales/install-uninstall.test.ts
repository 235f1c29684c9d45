// Install and uninstall through the route handlers, on a real database (spec/insales-protocol.md §1).
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { GET as install, POST as installPost } from "@/app/api/insales/install/route";
import { GET as uninstall } from "@/app/api/insales/uninstall/route";
import { db } from "@/lib/db";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { stopBoss } from "@/lib/jobs/queue";
import { useTestDatabase } from "@/lib/testing/use-test-database";

useTestDatabase();
afterAll(() => stopBoss());

const APP = "https://app.test.local";
/** spec/test-vectors.md: InSales app password, secret `mysecret` (TEST_ENV), token `token123`. */
const VECTOR_PASSWORD = "4c3f4c197336eb97475506e71c839c71";

function call(handler: (r: Request) => Promise<Response>, path: string, query: Record<string, string>) {
  return handler(new Request(`${APP}${path}?${new URLSearchParams(query)}`));
}

async function shopRow(insalesId: string) {
  return db().shop.findUniqueOrThrow({ where: { insalesId }, include: { settings: true, gateway: true } });
}

describe("install", () => {
  it("stores MD5(token + secret) encrypted — the vendor example — and answers 200", async () => {
    const r = await call(install, "/api/insales/install", { shop: "myshop.myinsales.ru", token: "token123", insales_id: "100" });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
    const shop = await shopRow("100");
    expect(shop.host).toBe("myshop.myinsales.ru");
    expect(shop.status).toBe("ACTIVE");
    expect(shop.apiPasswordEnc).not.toBeNull();
    expect(shop.apiPasswordEnc).not.toContain(VECTOR_PASSWORD);
    expect(shop.apiPasswordEnc).not.toContain("token123");
    expect(decryptSecret(shop.apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
    expect(shop.settings).not.toBeNull();
    // Nothing in the database holds the password or the token in clear.
    const dump = JSON.stringify(await db().$queryRawUnsafe(`SELECT row_to_json(s)::text AS j FROM "Shop" s`));
    expect(dump).not.toContain(VECTOR_PASSWORD);
    expect(dump).not.toContain("token123");
  });

  it("overwrites the password on reinstall with a new token, and updates the host", async () => {
    const before = await shopRow("100");
    const r = await call(install, "/api/insales/install", { shop: "renamed.myinsales.ru", token: "token456", insales_id: "100" });
    expect(r.status).toBe(200);
    const after = await shopRow("100");
    expect(after.id).toBe(before.id);
    expect(after.host).toBe("renamed.myinsales.ru");
    const expected = createHash("md5").update("token456mysecret").digest("hex");
    expect(decryptSecret(after.apiPasswordEnc!)).toBe(expected);
    expect(await db().shop.count()).toBe(1);
    expect(await db().shopSettings.count()).toBe(1);
  });

  it("tolerates the parameters in a POST form body", async () => {
    const r = await installPost(
      new Request(`${APP}/api/insales/install`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ shop: "formshop.myinsales.ru", token: "token123", insales_id: "200" }).toString(),
      }),
    );
    expect(r.status).toBe(200);
    expect(decryptSecret((await shopRow("200")).apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
  });

  it("keeps existing settings on reinstall", async () => {
    const shop = await shopRow("200");
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { eshopId: "123456" } });
    await call(install, "/api/insales/install", { shop: "formshop.myinsales.ru", token: "again", insales_id: "200" });
    expect((await shopRow("200")).settings?.eshopId).toBe("123456");
  });

  it("survives two installs of a new shop at the same moment", async () => {
    const answers = await Promise.all(
      ["a", "b", "c"].map((t) => call(install, "/api/insales/install", { shop: "race.myinsales.ru", token: t, insales_id: "300" })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await db().shop.count({ where: { insalesId: "300" } })).toBe(1);
  });
});

describe("uninstall", () => {
  async function installWithSecrets(insalesId: string, host: string) {
    await call(install, "/api/insales/install", { shop: host, token: "token123", insales_id: insalesId });
    const shop = await shopRow(insalesId);
    await db().shopSettings.update({
      where: { shopId: shop.id },
      data: { eshopId: "654321", secretKeyEnc: encryptSecret("im-secret"), apiTokenEnc: encryptSecret("im-token"), signSecretEnc: encryptSecret("im-sign"), walletSecretKeyEnc: encryptSecret("im-wallet") },
    });
    await db().shopGateway.create({ data: { shopId: shop.id, state: "CONNECTED", gatewayId: "77", passwordEnc: encryptSecret("gw-pass") } });
    await db().payment.create({
      data: {
        shopId: shop.id, transactionId: "2197421", insalesShopIdRaw: insalesId, amountRaw: "1200.00",
        orderKey: "201c02c69db32b95ecf878b3172121c4", insalesOrderId: "4020290", description: "Заказ №9999",
        verifiedBy: "signature", legalForm: "ORGANIZATION", imOrderId: "im-1", eshopId: "654321", currency: "RUB", amountKopecks: 120000n,
      },
    });
    return shopRow(insalesId);
  }

  it("refuses a wrong token with 403 and changes nothing", async () => {
    const before = await installWithSecrets("400", "gone.myinsales.ru");
    for (const token of ["0".repeat(32), VECTOR_PASSWORD.toUpperCase().replace("4", "5"), "token123"]) {
      const r = await call(uninstall, "/api/insales/uninstall", { shop: "gone.myinsales.ru", token, insales_id: "400" });
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({ error: "bad_token" });
    }
    expect(await shopRow("400")).toEqual(before);
  });

  it("with the password as token: 200, UNINSTALLED, every credential wiped, payments kept", async () => {
    const r = await call(uninstall, "/api/insales/uninstall", { shop: "gone.myinsales.ru", token: VECTOR_PASSWORD, insales_id: "400" });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
    const shop = await shopRow("400");
    expect(shop.status).toBe("UNINSTALLED");
    expect(shop.uninstalledAt).toBeInstanceOf(Date);
    expect(shop.apiPasswordEnc).toBeNull();
    expect(shop.settings).toMatchObject({ secretKeyEnc: null, apiTokenEnc: null, signSecretEnc: null, walletSecretKeyEnc: null, eshopId: "654321" });
    expect(shop.gateway).toMatchObject({ passwordEnc: null, gatewayId: "77" });
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("answers 200 again to a repeated uninstall and changes nothing", async () => {
    const before = await shopRow("400");
    const r = await call(uninstall, "/api/insales/uninstall", { shop: "gone.myinsales.ru", token: VECTOR_PASSWORD, insales_id: "400" });
    expect(r.status).toBe(200);
    expect(await shopRow("400")).toEqual(before);
  });

  it("answers 404 for a shop we never saw", async () => {
    const r = await call(uninstall, "/api/insales/uninstall", { shop: "nobody.myinsales.ru", token: VECTOR_PASSWORD, insales_id: "999" });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "unknown_shop" });
  });

  it("a reinstall after uninstall brings the shop back with its payments", async () => {
    const r = await call(install, "/api/insales/install", { shop: "gone.myinsales.ru", token: "token123", insales_id: "400" });
    expect(r.status).toBe(200);
    const shop = await shopRow("400");
    expect(shop).toMatchObject({ status: "ACTIVE", uninstalledAt: null });
    expect(decryptSecret(shop.apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(1);
  });
});
