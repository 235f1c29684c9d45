import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { getBoss, stopBoss } from "../jobs/queue";
import { startTestStandIn, type TestStandIn } from "../payments/checkout-test-support";
import { useTestDatabase } from "../testing/use-test-database";
import { TEST_ENV } from "../testing/test-env";
import { installShop } from "./install-shop";
import { md5Hex } from "../crypto";
import { startWorkers } from "../jobs/workers";

useTestDatabase();

let stand: TestStandIn;
beforeAll(async () => {
  stand = await startTestStandIn();
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

describe("account sync after install", () => {
  it("install queues one sync-account job for the shop, committed with the shop row", async () => {
    const params = { shop: "sync-a.myinsales.ru", token: "token123", insalesId: "8801" };
    const { shopId } = await installShop(params);
    await installShop(params); // a reinstall while the first job still waits adds no second one
    await getBoss();
    const jobs = await db().$queryRawUnsafe<Array<{ data: { shopId: string } }>>(
      `SELECT data FROM pgboss.job WHERE name = 'sync-account' AND singleton_key = $1 AND state = 'created'`,
      shopId,
    );
    expect(jobs.map((j) => j.data)).toEqual([{ shopId }]);
  });

  it("the registered worker stores the account title from the API", async () => {
    const host = "sync-b.myinsales.ru";
    const token = "tok-b";
    const { shopId } = await installShop({ shop: host, token, insalesId: "8802" });
    stand.insales.shops.set(host, {
      host, insalesId: "8802", title: "Книжная лавка", ownerEmail: "owner@example.com", apiPassword: md5Hex(token + TEST_ENV.INSALES_APP_SECRET),
      installed: true, user: { id: "1", email: "m@example.com", name: "Игорь", emailConfirmed: true }, loginTamper: null,
      deliveryVariants: [], gateways: [], orders: [],
    });
    await startWorkers(); // the registered sync-account worker (install-shop imports it)
    for (let i = 0; i < 60; i += 1) {
      const row = await db().shop.findUniqueOrThrow({ where: { id: shopId } });
      if (row.title) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const shop = await db().shop.findUniqueOrThrow({ where: { id: shopId } });
    expect(shop.title).toBe("Книжная лавка");
  }, 20_000);
});
