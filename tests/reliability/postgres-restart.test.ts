// PostgreSQL restarted in the middle of a burst of result notifications (issue 5 part 3): the app needs no
// manual step — /api/health answers 503 while the database is away and 200 once it is back, every
// notification the sender had to resend is applied once, and every notice reaches InSales.
//
// Uses a PRIVATE PostgreSQL (lib/embedded-pg, its own data folder and port), never the shared server, and
// the production build (see multi-instance.test.ts). IntellectMoney is played by the test: resend until `OK`.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "@/e2e/support/app-server";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/lib/embedded-pg/embedded-postgres";
import { tempDataDir } from "@/tests/support/embedded-pg-test-support";
import { migrate } from "@/tests/support/test-db";
import { checkout, ledger, pool, readyShop, requireProductionBuild, serverNoticesPerOrder, startCluster, type Cluster, type MadePayment, type ShopRef } from "./support/app-cluster";
import { waitFor } from "../support/wait-for";

const PAYMENTS = 40;
const COPIES = 5;

const dir = tempDataDir();
let pgServer: EmbeddedPostgres | null = null;
let cluster: Cluster;
let shops: ShopRef[] = [];

beforeAll(async () => {
  requireProductionBuild();
  pgServer = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: () => {} });
  migrate(pgServer.url);
  cluster = await startCluster({ databaseUrl: pgServer.url, instances: 1, logDir: path.join(ROOT, ".data", "reliability", "postgres-restart") });
  shops = [];
  for (let i = 0; i < 4; i++) shops.push(await readyShop(cluster, 100 + i));
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  await pgServer?.stop();
  await dir.cleanup();
});

async function health(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return 0;
  }
}

describe("PostgreSQL restarted during a burst", () => {
  it("health says 503 meanwhile and 200 after; every notification is applied once and notified", async () => {
    const app = `http://127.0.0.1:${cluster.instances[0].port}`;
    const made: MadePayment[] = [];
    for (let i = 0; i < PAYMENTS; i++) made.push(await checkout(cluster, shops[i % shops.length], app, `${300 + i}.00`));
    const sends = made.flatMap((m) => Array.from({ length: COPIES }, () => m.imPaymentId));

    const healthSeen: number[] = [];
    let outage: Promise<{ downMs: number; recoveredMs: number }> | null = null;
    let sent = 0;
    await pool(sends, 16, async (id) => {
      sent += 1;
      if (sent === Math.floor(sends.length / 3) && !outage) {
        outage = (async () => {
          const port = pgServer!.port;
          const t0 = Date.now();
          await pgServer!.stop();
          pgServer = null;
          // Polls /api/health every 500 ms, noting each answer, until it is `status`.
          const healthBecomes = (status: number, timeoutMs: number) =>
            waitFor(
              `health ${status}`,
              async () => {
                const s = await health(app);
                healthSeen.push(s);
                return s === status;
              },
              timeoutMs,
              500,
            );
          // The database is away: the app says so.
          await healthBecomes(503, 20_000);
          await new Promise((r) => setTimeout(r, 3_000));
          pgServer = await startEmbeddedPostgres({ dataDir: dir.rel, port, onMessage: () => {} });
          const downMs = Date.now() - t0;
          const back = Date.now();
          await healthBecomes(200, 60_000);
          const recoveredMs = Date.now() - back;
          return { downMs, recoveredMs };
        })();
      }
      const answer = await cluster.im.notify(id, "5");
      expect([answer.httpStatus, answer.body]).toEqual([200, "OK"]);
    });
    expect(outage).not.toBeNull();
    const { downMs, recoveredMs } = await outage!;
    expect(healthSeen).toContain(503);
    expect(healthSeen.at(-1)).toBe(200);

    const since = Date.now();
    await waitFor("every notice delivered", async () => (await ledger(cluster.databaseUrl)).delivered >= PAYMENTS, 240_000, 500);
    const waited = Date.now() - since;
    const l = await ledger(cluster.databaseUrl);
    expect(l.byStatus).toEqual({ PAID: PAYMENTS });
    expect(l.notices).toBe(PAYMENTS);
    expect(l.appliedEventsPerPayment).toEqual({ "1": PAYMENTS });
    const perOrder = serverNoticesPerOrder(cluster);
    const counts = made.map((m) => perOrder.get(m.transactionId) ?? 0);
    expect(counts.every((n) => n >= 1)).toBe(true);
    console.log(
      `postgres-restart: ${PAYMENTS} payments, ${sends.length} notifications; PostgreSQL down ${downMs} ms, health 200 again ${recoveredMs} ms after it was back; ` +
        `${cluster.stats.retried} notifications resent by the sender; all applied once; notices delivered ${waited} ms after the burst; ` +
        `server notices per order ${JSON.stringify(counts.reduce<Record<number, number>>((h, n) => ((h[n] = (h[n] ?? 0) + 1), h), {}))}; jobs per notice ${JSON.stringify(l.jobsPerNotice)}`,
    );
  }, 420_000);
});
