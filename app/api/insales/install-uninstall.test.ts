// Install and uninstall through the route handlers, on a real database (docs/protocols/insales.md §1).
// An install call takes effect only once proven against /admin/account.json (install-proof.test.ts has the
// attacks); here InSales (the stand-in) holds the password each call's token gives, so the proofs succeed.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as install, POST as installPost } from "@/app/api/insales/install/route";
import { GET as uninstall } from "@/app/api/insales/uninstall/route";
import { db } from "@/lib/db";
import { decryptSecret, encryptSecret, md5Hex } from "@/lib/crypto";
import { stopBoss } from "@/lib/jobs/queue";
import { probePending, startLifecycleStandIn, type LifecycleStandIn } from "@/tests/support/install-test-support";
import { TEST_ENV } from "@/tests/support/test-env";
import { useTestDatabase } from "@/tests/support/use-test-database";

useTestDatabase();
let stand: LifecycleStandIn;
beforeAll(async () => {
  stand = await startLifecycleStandIn();
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

const APP = "https://app.test.local";
/** docs/protocols/test-vectors.md: InSales app password, secret `mysecret` (TEST_ENV), token `token123`. */
const VECTOR_PASSWORD = "4c3f4c197336eb97475506e71c839c71";

function call(handler: (r: Request) => Promise<Response>, path: string, query: Record<string, string>) {
  return handler(new Request(`${APP}${path}?${new URLSearchParams(query)}`));
}

/** InSales's side: the shop at `host` holds MD5(token + secret) and its API is unlocked (our 200 was sent). */
function insalesHolds(host: string, insalesId: string, token: string) {
  for (const [h, s] of stand.insales.shops) if (s.insalesId === insalesId && h !== host) stand.insales.shops.delete(h); // a renamed shop
  stand.insales.shops.set(host, {
    host, insalesId, title: `Магазин ${host}`, ownerEmail: `owner@${host}`, apiPassword: md5Hex(token + TEST_ENV.INSALES_APP_SECRET), installed: true,
    user: { id: "1", email: `manager@${host}`, name: "Игорь", emailConfirmed: true }, loginTamper: null, deliveryVariants: [], gateways: [], orders: [],
  });
}

async function shopRow(insalesId: string) {
  return db().shop.findUniqueOrThrow({ where: { insalesId }, include: { settings: true, gateway: true } });
}

describe("install", () => {
  it("stores MD5(token + secret) encrypted — the vendor example — and answers 200; the shop exists once proven", async () => {
    insalesHolds("myshop.myinsales.ru", "100", "token123");
    const r = await call(install, "/api/insales/install", { shop: "myshop.myinsales.ru", token: "token123", insales_id: "100" });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
    // Until proven, only the call is stored: its password encrypted, neither it nor the token in clear.
    expect(await db().shop.count()).toBe(0);
    const candidate = await db().installCandidate.findFirstOrThrow({ where: { insalesId: "100" } });
    expect(candidate).toMatchObject({ host: "myshop.myinsales.ru", state: "PENDING" });
    expect(decryptSecret(candidate.apiPasswordEnc)).toBe(VECTOR_PASSWORD);
    const pendingDump = JSON.stringify(await db().$queryRawUnsafe(`SELECT row_to_json(c)::text AS j FROM "InstallCandidate" c`));
    expect(pendingDump).not.toContain(VECTOR_PASSWORD);
    expect(pendingDump).not.toContain("token123");

    // The proof only succeeds if our password is the one InSales derived (the vendor vector).
    expect(await probePending({ insalesId: "100" })).toMatchObject([{ ok: true, reinstall: false }]);
    const shop = await shopRow("100");
    expect(shop.host).toBe("myshop.myinsales.ru");
    expect(shop.status).toBe("ACTIVE");
    expect(shop.apiPasswordEnc).not.toBeNull();
    expect(shop.apiPasswordEnc).not.toContain(VECTOR_PASSWORD);
    expect(shop.apiPasswordEnc).not.toContain("token123");
    expect(decryptSecret(shop.apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
    expect(shop.settings).not.toBeNull();
    expect(shop.title).toBe("Магазин myshop.myinsales.ru");
    // Nothing in the database holds the password or the token in clear.
    const dump = JSON.stringify(await db().$queryRawUnsafe(`SELECT row_to_json(s)::text AS j FROM "Shop" s`));
    expect(dump).not.toContain(VECTOR_PASSWORD);
    expect(dump).not.toContain("token123");
  });

  // Changed with issue 12: a reinstall used to overwrite the password and host at once, which let anyone
  // take a shop over with an anonymous call. Now the new pair takes effect only once proven.
  it("switches to a reinstall's new password and host only once proven", async () => {
    const before = await shopRow("100");
    insalesHolds("renamed.myinsales.ru", "100", "token456");
    const r = await call(install, "/api/insales/install", { shop: "renamed.myinsales.ru", token: "token456", insales_id: "100" });
    expect(r.status).toBe(200);
    expect(await shopRow("100")).toEqual(before);
    expect(await probePending({ insalesId: "100" })).toMatchObject([{ ok: true, reinstall: true }]);
    const after = await shopRow("100");
    expect(after.id).toBe(before.id);
    expect(after.host).toBe("renamed.myinsales.ru");
    const expected = createHash("md5").update("token456mysecret").digest("hex");
    expect(decryptSecret(after.apiPasswordEnc!)).toBe(expected);
    expect(after.sessionGeneration).toBe(before.sessionGeneration + 1);
    expect(await db().shop.count()).toBe(1);
    expect(await db().shopSettings.count()).toBe(1);
  });

  it("tolerates the parameters in a POST form body", async () => {
    insalesHolds("formshop.myinsales.ru", "200", "token123");
    const r = await installPost(
      new Request(`${APP}/api/insales/install`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ shop: "formshop.myinsales.ru", token: "token123", insales_id: "200" }).toString(),
      }),
    );
    expect(r.status).toBe(200);
    await probePending({ insalesId: "200" });
    expect(decryptSecret((await shopRow("200")).apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
  });

  it("keeps existing settings on reinstall", async () => {
    const shop = await shopRow("200");
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { eshopId: "123456" } });
    insalesHolds("formshop.myinsales.ru", "200", "again");
    await call(install, "/api/insales/install", { shop: "formshop.myinsales.ru", token: "again", insales_id: "200" });
    expect(await probePending({ insalesId: "200" })).toMatchObject([{ ok: true }]);
    expect((await shopRow("200")).settings?.eshopId).toBe("123456");
  });

  it("survives three installs of a new shop at the same moment: one shop, with the password InSales holds", async () => {
    insalesHolds("race.myinsales.ru", "300", "c");
    const answers = await Promise.all(
      ["a", "b", "c"].map((t) => call(install, "/api/insales/install", { shop: "race.myinsales.ru", token: t, insales_id: "300" })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await db().installCandidate.count({ where: { insalesId: "300", state: "PENDING" } })).toBe(3);
    await probePending({ insalesId: "300" });
    expect(await db().shop.count({ where: { insalesId: "300" } })).toBe(1);
    expect(decryptSecret((await shopRow("300")).apiPasswordEnc!)).toBe(md5Hex(`c${TEST_ENV.INSALES_APP_SECRET}`));
  });

  it("answers the same call twice with 200 and keeps one candidate (InSales retrying)", async () => {
    insalesHolds("twice.myinsales.ru", "310", "tw");
    const q = { shop: "twice.myinsales.ru", token: "tw", insales_id: "310" };
    expect((await call(install, "/api/insales/install", q)).status).toBe(200);
    expect((await call(install, "/api/insales/install", q)).status).toBe(200);
    expect(await db().installCandidate.count({ where: { insalesId: "310" } })).toBe(1);
    await probePending({ insalesId: "310" });
    // Once proven, the same call again is the shop's current pair: nothing to prove, nothing changes.
    const proven = await shopRow("310");
    expect((await call(install, "/api/insales/install", q)).status).toBe(200);
    expect(await db().installCandidate.count({ where: { insalesId: "310" } })).toBe(0);
    expect(await shopRow("310")).toEqual(proven);
  });
});

describe("uninstall", () => {
  async function installWithSecrets(insalesId: string, host: string) {
    insalesHolds(host, insalesId, "token123");
    await call(install, "/api/insales/install", { shop: host, token: "token123", insales_id: insalesId });
    await probePending({ insalesId });
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
    expect(shop.sessionGeneration).toBe(1); // every merchant session of the shop ends
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

  // Changed with issue 13 (was 404): InSales completes the removal only on 200 (docs/protocols/insales.md §1).
  it("answers 200 (already gone) for a shop we never saw, and stores nothing", async () => {
    const shops = await db().shop.count();
    const r = await call(uninstall, "/api/insales/uninstall", { shop: "nobody.myinsales.ru", token: VECTOR_PASSWORD, insales_id: "999" });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
    expect(await db().shop.count()).toBe(shops);
    expect(await db().installCandidate.count({ where: { insalesId: "999" } })).toBe(0);
  });

  it("InSales (the stand-in) completes the removal of a shop this app has no record of", async () => {
    // E.g. installed against another deployment, or its database restored from before the install.
    insalesHolds("elsewhere.myinsales.ru", "997", "elsewhere-token");
    const r = await stand.insales.uninstall("elsewhere.myinsales.ru");
    expect(r.status).toBe(200);
    expect(stand.insales.mustShop("elsewhere.myinsales.ru").installed).toBe(false);
  });

  it("answers 200 for a shop whose install is not yet proven; InSales's password discards the pending calls, another token leaves them", async () => {
    // Installed and removed at once: InSales sends the password of the install it made.
    const r1 = await call(install, "/api/insales/install", { shop: "brief-1.myinsales.ru", token: "brief-token", insales_id: "998" });
    expect(r1.status).toBe(200);
    const stranger = await call(uninstall, "/api/insales/uninstall", { shop: "brief-1.myinsales.ru", token: "made-up", insales_id: "998" });
    expect(stranger.status).toBe(200);
    // A made-up token cannot cancel an install being proven.
    expect(await db().installCandidate.count({ where: { insalesId: "998", state: "PENDING" } })).toBe(1);
    const genuine = await call(uninstall, "/api/insales/uninstall", { shop: "brief-1.myinsales.ru", token: md5Hex(`brief-token${TEST_ENV.INSALES_APP_SECRET}`), insales_id: "998" });
    expect(genuine.status).toBe(200);
    expect(await genuine.json()).toEqual({ status: "ok" });
    expect(await db().installCandidate.count({ where: { insalesId: "998", state: "PENDING" } })).toBe(0);
    expect(await db().shop.findUnique({ where: { insalesId: "998" } })).toBeNull();
  });

  it("a reinstall after uninstall brings the shop back with its payments, once proven", async () => {
    insalesHolds("gone.myinsales.ru", "400", "token123");
    const r = await call(install, "/api/insales/install", { shop: "gone.myinsales.ru", token: "token123", insales_id: "400" });
    expect(r.status).toBe(200);
    expect(await shopRow("400")).toMatchObject({ status: "UNINSTALLED", apiPasswordEnc: null });
    await probePending({ insalesId: "400" });
    const shop = await shopRow("400");
    expect(shop).toMatchObject({ status: "ACTIVE", uninstalledAt: null });
    expect(decryptSecret(shop.apiPasswordEnc!)).toBe(VECTOR_PASSWORD);
    expect(await db().payment.count({ where: { shopId: shop.id } })).toBe(1);
  });
});
