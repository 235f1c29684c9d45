import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptSecret } from "../crypto";
import { db } from "../db";
import { getBoss, stopBoss } from "../jobs/queue";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { addInstalledShop, startTestStandIn, type TestStandIn } from "../../tests/support/checkout-test-support";
import { connectGateway } from "./connect-gateway";
import { runConnectGatewayJob } from "./connect-gateway-job";
import { requestGatewayConnection, requestGatewayConnectionIfNew } from "./connect-gateway-queue";

useTestDatabase();

let stand: TestStandIn;
beforeAll(async () => {
  stand = await startTestStandIn();
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

describe("connect the payment method", () => {
  it("creates PaymentGateway::External linked to every delivery variant and stores its URLs and encrypted password", async () => {
    const shop = await addInstalledShop(stand.insales);
    const result = await connectGateway(shop.id);
    expect(result).toMatchObject({ ok: true, created: true });

    expect(shop.standIn.gateways).toHaveLength(1);
    const remote = shop.standIn.gateways[0];
    expect(remote).toMatchObject({
      type: "PaymentGateway::External",
      title: "IntellectMoney",
      url: "https://app.test.local/payment.php",
      shop_id: shop.insalesId,
    });
    expect(remote.delivery_variant_ids.sort()).toEqual([1001, 1002, 1003]);

    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.state).toBe("CONNECTED");
    expect(row.lastError).toBeNull();
    expect(row.gatewayId).toBe(String(remote.id));
    const base = stand.insales.shopBase(shop.host);
    expect(row.successUrl).toBe(`${base}/payments/external/${remote.id}/success`);
    expect(row.failUrl).toBe(`${base}/payments/external/${remote.id}/fail`);
    expect(row.serverUrl).toBe(`${base}/payments/external/server`);
    expect(row.passwordEnc).not.toContain(remote.password);
    expect(decryptSecret(row.passwordEnc!)).toBe(remote.password);
    expect(remote.password).toMatch(/^[0-9a-f]{32}$/);
  });

  it("stores the vendor's example http URLs (http://<shop>.myinsales.ru/…) in their https form", async () => {
    // docs/protocols/insales.md §2 «http vs https»: InSales redirects http to https; a redirected POST may lose its body.
    const shop = await addInstalledShop(stand.insales);
    stand.api.vendorExampleUrls(shop.host, true);
    expect(await connectGateway(shop.id)).toMatchObject({ ok: true, created: true });
    const remote = shop.standIn.gateways[0];
    expect(remote.server_url).toBe(`http://${shop.host}/payments/external/server`);
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row).toMatchObject({
      successUrl: `https://${shop.host}/payments/external/${remote.id}/success`,
      failUrl: `https://${shop.host}/payments/external/${remote.id}/fail`,
      serverUrl: `https://${shop.host}/payments/external/server`,
    });
  });

  it("updates the same method on a second run (same password, new variants linked once, no duplicate)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await connectGateway(shop.id);
    const password = shop.standIn.gateways[0].password;
    shop.standIn.deliveryVariants.push({ id: 1004, title: "СДЭК" });
    shop.standIn.gateways[0].url = "https://old.example/payment.php";

    const second = await connectGateway(shop.id);
    expect(second).toMatchObject({ ok: true, created: false });
    expect(shop.standIn.gateways).toHaveLength(1);
    const remote = shop.standIn.gateways[0];
    expect(remote.url).toBe("https://app.test.local/payment.php");
    expect(remote.password).toBe(password);
    expect(remote.delivery_variant_ids.sort()).toEqual([1001, 1002, 1003, 1004]);
    const puts = stand.api.calls.filter((c) => c.host === shop.host && c.method === "PUT");
    expect(puts).toHaveLength(1);
  });

  it("creates the method anew when the merchant deleted it in InSales (404 on the stored id)", async () => {
    const shop = await addInstalledShop(stand.insales);
    await connectGateway(shop.id);
    const first = shop.standIn.gateways.pop()!;
    const again = await connectGateway(shop.id);
    expect(again).toMatchObject({ ok: true, created: true });
    expect(shop.standIn.gateways).toHaveLength(1);
    expect(shop.standIn.gateways[0].id).not.toBe(first.id);
    expect(shop.standIn.gateways[0].password).toBe(first.password);
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.gatewayId).toBe(String(shop.standIn.gateways[0].id));
  });

  it("adopts a method that already points at our URL instead of creating a second one", async () => {
    const shop = await addInstalledShop(stand.insales);
    shop.standIn.gateways.push({
      id: 123_456, type: "PaymentGateway::External", title: "Оплата картой", url: "https://app.test.local/payment.php", shop_id: "17354",
      password: "merchant-typed-secret", success_url: "s", fail_url: "f", server_url: "srv", delivery_variant_ids: [1001],
    });
    const result = await connectGateway(shop.id);
    expect(result).toMatchObject({ ok: true, created: false, gatewayId: "123456" });
    expect(shop.standIn.gateways).toHaveLength(1);
    expect(shop.standIn.gateways[0].delivery_variant_ids.sort()).toEqual([1001, 1002, 1003]);
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(decryptSecret(row.passwordEnc!)).toBe(shop.standIn.gateways[0].password);
  });

  it("waits out 429 with Retry-After and then connects", async () => {
    const shop = await addInstalledShop(stand.insales);
    stand.api.rateLimit(shop.host, 2, 429, 1);
    const started = Date.now();
    const result = await connectGateway(shop.id);
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    const statuses = stand.api.calls.filter((c) => c.host === shop.host).map((c) => c.status);
    expect(statuses.slice(0, 3)).toEqual([429, 429, 200]);
    expect(shop.standIn.gateways).toHaveLength(1);
  });

  it("turns 401 into FAILED with the Russian message and creates nothing", async () => {
    const shop = await addInstalledShop(stand.insales);
    shop.standIn.apiPassword = "changed-by-a-reinstall";
    await runConnectGatewayJob({ shopId: shop.id });
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.state).toBe("FAILED");
    expect(row.lastError).toBe("Нет доступа к API магазина: переустановите приложение");
    expect(shop.standIn.gateways).toHaveLength(0);
  });

  it("turns a permanent 503 into FAILED «InSales недоступен, попробуйте позже»", async () => {
    const shop = await addInstalledShop(stand.insales);
    stand.api.rateLimit(shop.host, 1000, 503, 0);
    const result = await connectGateway(shop.id);
    stand.api.rateLimit(shop.host, 0);
    expect(result).toMatchObject({ ok: false, message: "InSales недоступен, попробуйте позже" });
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.state).toBe("FAILED");
  }, 120_000);

  it("queues one job per shop: the button shows CONNECTING and a second click adds nothing", async () => {
    const shop = await addInstalledShop(stand.insales);
    await requestGatewayConnection(shop.id);
    await requestGatewayConnection(shop.id);
    const row = await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.state).toBe("CONNECTING");
    await getBoss();
    const jobs = await db().$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM pgboss.job WHERE name = 'connect-gateway' AND singleton_key = $1 AND state = 'created'`,
      shop.id,
    );
    expect(Number(jobs[0].n)).toBe(1);
  });

  it("the automatic attempt after saving settings runs only while the method was never connected", async () => {
    const shop = await addInstalledShop(stand.insales);
    expect(await requestGatewayConnectionIfNew(shop.id)).toBe(true);
    await connectGateway(shop.id);
    expect(await requestGatewayConnectionIfNew(shop.id)).toBe(false);
  });
});
