// The sync-account job: the proof of an install call runs in a worker after our 200, and probes again on
// its own schedule while InSales still locks the API (docs/protocols/insales.md §1 Install).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { md5Hex } from "../crypto";
import { db } from "../db";
import { enqueue, getBoss, stopBoss } from "../jobs/queue";
import { startWorkers } from "../jobs/workers";
import "../register-workers";
import { startTestStandIn, type TestStandIn } from "../../tests/support/checkout-test-support";
import { TEST_ENV } from "../../tests/support/test-env";
import { waitFor } from "../../tests/support/wait-for";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { installShop } from "./install-shop";

useTestDatabase();

let stand: TestStandIn;
beforeAll(async () => {
  stand = await startTestStandIn();
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

describe("install proof job", () => {
  it("install queues one sync-account job for the call, committed with it; the same call again adds none", async () => {
    const params = { shop: "sync-a.myinsales.ru", token: "token123", insalesId: "8801" };
    const first = await installShop(params);
    const again = await installShop(params);
    if (!first.ok || first.outcome !== "pending") throw new Error("not admitted");
    expect(again).toEqual({ ok: true, outcome: "duplicate", candidateId: first.candidateId });
    await getBoss();
    const jobs = await db().$queryRawUnsafe<Array<{ data: { candidateId: string } }>>(
      `SELECT data FROM pgboss.job WHERE name = 'sync-account' AND singleton_key = $1 AND state = 'created'`,
      first.candidateId,
    );
    expect(jobs.map((j) => j.data)).toEqual([{ candidateId: first.candidateId }]);
  });

  it("the registered worker proves the install while InSales unlocks the API late, and stores the account title", async () => {
    const host = "sync-b.myinsales.ru";
    const token = "tok-b";
    // InSales holds the password, but keeps the API locked for a moment after our 200 (401 meanwhile).
    stand.insales.shops.set(host, {
      host, insalesId: "8802", title: "Книжная лавка", ownerEmail: "owner@example.com", apiPassword: md5Hex(token + TEST_ENV.INSALES_APP_SECRET),
      installed: false, user: { id: "1", email: "m@example.com", name: "Игорь", emailConfirmed: true }, loginTamper: null,
      deliveryVariants: [], gateways: [], orders: [],
    });
    await installShop({ shop: host, token, insalesId: "8802" });
    await startWorkers();
    await waitFor("the first probe (401)", async () => (await db().installCandidate.findFirst({ where: { insalesId: "8802" } }))?.attempts === 1);
    expect(stand.insales.accountCalls.filter((c) => c.host === host)).toEqual([{ host, status: 401 }]);
    stand.insales.mustShop(host).installed = true;
    await waitFor("the proof", async () => (await db().shop.findUnique({ where: { insalesId: "8802" } }))?.title === "Книжная лавка");
    expect(stand.insales.accountCalls.filter((c) => c.host === host).map((c) => c.status)).toEqual([401, 200]);
    expect(await db().installCandidate.count({ where: { insalesId: "8802" } })).toBe(0);
  }, 40_000);

  it("a job queued by the earlier release ({ shopId }) completes and does nothing", async () => {
    const shopId = "00000000-0000-0000-0000-000000000000";
    await enqueue([{ name: "sync-account", data: { shopId } }]);
    await waitFor("the old job to complete", async () => {
      const rows = await db().$queryRawUnsafe<Array<{ state: string }>>(`SELECT state::text AS state FROM pgboss.job WHERE name = 'sync-account' AND data->>'shopId' = $1`, shopId);
      return rows[0]?.state === "completed";
    });
  }, 30_000);
});
