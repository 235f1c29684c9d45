// Several instances, and a crash (issue 5 parts 2–3; docs/PRODUCT.md «Non-negotiables»: a payment result
// that arrived is applied exactly once and reaches InSales eventually, across restarts and with several
// app instances running).
//
// Runs the PRODUCTION BUILD (`next start`, two processes on one fresh database) — `npm test` builds before
// vitest runs, so this lives in vitest; alone: `npm run build && npx vitest run tests/reliability/multi-instance.test.ts`.
// Fails with a clear message when .next/BUILD_ID is missing. The test plays IntellectMoney: every
// notification is sent again until it is answered `OK` (docs/protocols/intellectmoney.md §3).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "@/e2e/support/app-server";
import { cloneTestDatabase } from "@/tests/support/test-db";
import { checkout, ledger, pool, sql, readyShop, requireProductionBuild, serverNoticesPerOrder, startCluster, type Cluster, type MadePayment, type ShopRef } from "./support/app-cluster";
import { waitFor } from "../support/wait-for";

const SHOPS = 10;
const PAYMENTS = Number(process.env.REL_PAYMENTS ?? 200);
const COPIES = 5;
const CONCURRENCY = 32;

let cluster: Cluster;
let drop: () => Promise<void>;
let shops: ShopRef[] = [];
const results: string[] = [];

beforeAll(async () => {
  requireProductionBuild();
  const db = await cloneTestDatabase();
  drop = db.drop;
  cluster = await startCluster({ databaseUrl: db.url, instances: 2, logDir: path.join(ROOT, ".data", "reliability", "multi-instance") });
  shops = [];
  for (let i = 0; i < SHOPS; i++) shops.push(await readyShop(cluster, i));
}, 120_000);

afterAll(async () => {
  console.log(results.join("\n"));
  await cluster?.close();
  await drop?.();
});

async function makePayments(count: number, offset: number): Promise<MadePayment[]> {
  const made: MadePayment[] = new Array(count);
  await pool([...Array(count).keys()], CONCURRENCY, async (i) => {
    const inst = cluster.instances.filter((x) => x.app)[i % 2] ?? cluster.instances[0];
    made[i] = await checkout(cluster, shops[(offset + i) % SHOPS], `http://127.0.0.1:${inst.port}`, `${100 + offset + i}.50`);
  });
  return made;
}

/** The final notification of each payment, COPIES times, all interleaved, through the load balancer. */
async function burst(made: MadePayment[], during?: (sent: number) => Promise<void> | void): Promise<{ ms: number; nonOk: number }> {
  const sends = made.flatMap((m) => Array.from({ length: COPIES }, () => m.imPaymentId));
  for (let i = sends.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [sends[i], sends[j]] = [sends[j], sends[i]];
  }
  const start = Date.now();
  let sent = 0;
  let nonOk = 0;
  await pool(sends, CONCURRENCY, async (id) => {
    const n = ++sent;
    if (during) await during(n);
    const answer = await cluster.im.notify(id, "5");
    if (answer.httpStatus !== 200 || answer.body !== "OK") nonOk += 1;
  });
  return { ms: Date.now() - start, nonOk };
}

async function expectAllPaidAndNotifiedOnce(made: MadePayment[], waitMs: number) {
  const wanted = made.length;
  const since = Date.now();
  await waitFor("every notice delivered", async () => (await ledger(cluster.databaseUrl)).delivered >= wanted, waitMs, 500);
  const waited = Date.now() - since;
  const l = await ledger(cluster.databaseUrl);
  expect(l.byStatus).toEqual({ PAID: wanted });
  expect(l.notices).toBe(wanted);
  expect(l.delivered).toBe(wanted);
  expect(l.appliedEventsPerPayment).toEqual({ "1": wanted });
  // Give a doubled job the time to show itself at InSales before counting.
  await new Promise((r) => setTimeout(r, 3_000));
  const perOrder = serverNoticesPerOrder(cluster);
  const counts = made.map((m) => perOrder.get(m.transactionId) ?? 0);
  return { waited, l: await ledger(cluster.databaseUrl), counts };
}

describe("two instances, one database", () => {
  it(`${PAYMENTS} payments, ${PAYMENTS * COPIES} result notifications spread over both: each applied once, one notice each`, async () => {
    const t0 = Date.now();
    const made = await makePayments(PAYMENTS, 0);
    const checkoutMs = Date.now() - t0;
    const { ms, nonOk } = await burst(made);
    expect(nonOk).toBe(0); // the sender retries; every copy ends with `OK`
    const { waited, l, counts } = await expectAllPaidAndNotifiedOnce(made, 150_000);
    expect(counts.every((n) => n === 1)).toBe(true);
    expect(l.jobsPerNotice).toEqual({ "1": PAYMENTS });
    results.push(
      `multi-instance: ${PAYMENTS} checkouts in ${checkoutMs} ms; ${PAYMENTS * COPIES} notifications (${cluster.stats.retried} resent) in ${ms} ms over 2 instances; ` +
        `all ${l.delivered} notices delivered ${waited} ms later; server notices per order ${JSON.stringify(histogram(counts))}; jobs per notice ${JSON.stringify(l.jobsPerNotice)}`,
    );
  }, 240_000);
});

describe("kill -9 of one instance in the middle of a burst", () => {
  it("every notification answered OK is applied and notified; the others are resent until OK, then applied", async () => {
    // A new batch on the same cluster: the earlier payments are done and stay as they are.
    const before = await ledger(cluster.databaseUrl);
    const batch = Math.min(100, PAYMENTS);
    const made = await makePayments(batch, PAYMENTS);
    const retriedBefore = cluster.stats.retried;
    let killedAt = 0;
    let restarted: Promise<void> | null = null;
    const { ms, nonOk } = await burst(made, (n) => {
      if (n === Math.floor((batch * COPIES) / 2)) {
        killedAt = n;
        cluster.kill("B");
        // Back after a moment, as a supervisor would restart it.
        restarted = new Promise((r) => setTimeout(r, 1_000)).then(() => cluster.restart("B"));
      }
    });
    await restarted;
    expect(killedAt).toBeGreaterThan(0);
    expect(nonOk).toBe(0);
    const total = before.payments + batch;
    // A notify-insales job that was running in the killed process is retried by pg-boss after it expires.
    const since = Date.now();
    await waitFor("every notice delivered after the crash", async () => (await ledger(cluster.databaseUrl)).delivered >= total, 300_000, 500).catch(async (e) => {
      const jobs = await sql(cluster.databaseUrl, `SELECT state, count(*)::int n, min(expire_in)::text expire, max(retry_count) retries FROM pgboss.job WHERE name = 'notify-insales' GROUP BY 1`);
      throw new Error(`${(e as Error).message}; ledger ${JSON.stringify(await ledger(cluster.databaseUrl))}; jobs ${JSON.stringify(jobs)}`);
    });
    const recovered = Date.now() - since;
    const l = await ledger(cluster.databaseUrl);
    expect(l.byStatus).toEqual({ PAID: total });
    expect(l.notices).toBe(total);
    expect(l.appliedEventsPerPayment).toEqual({ "1": total });
    const perOrder = serverNoticesPerOrder(cluster);
    const counts = made.map((m) => perOrder.get(m.transactionId) ?? 0);
    // Every payment reached InSales. Exactly once, unless the kill hit a notice between InSales's answer and
    // our commit: then it is sent again (at-least-once; InSales accepts a repeated paid=1, §2).
    expect(counts.every((n) => n >= 1)).toBe(true);
    results.push(
      `crash: ${batch} payments, ${batch * COPIES} notifications in ${ms} ms, instance B killed (SIGKILL) after ${killedAt} sends and restarted; ` +
        `${cluster.stats.retried - retriedBefore} resent by the sender; all applied once; all notices delivered ${recovered} ms after the burst; server notices per order ${JSON.stringify(histogram(counts))}; jobs per notice ${JSON.stringify(l.jobsPerNotice)}`,
    );
  }, 420_000);
});

function histogram(xs: number[]): Record<string, number> {
  const h: Record<string, number> = {};
  for (const x of xs) h[x] = (h[x] ?? 0) + 1;
  return h;
}
