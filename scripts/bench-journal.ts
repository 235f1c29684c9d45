// Times the journal's queries on the 10 000-payment shop of scripts/seed-journal.ts: listPayments (page
// rows + the capped count) with each filter, a deep keyset page, and an exact count for comparison.
// Prints median and p99 per case. A measurement, not a test.
//   node --import tsx scripts/seed-journal.ts && node --import tsx scripts/bench-journal.ts [runs=200]
import { performance } from "node:perf_hooks";
import { TEST_ENV } from "../tests/support/test-env";
import { benchDatabase, BENCH_INSALES_ID } from "./journal-bench-db";

const runs = Number(process.argv[2] ?? 200);
const { prisma: benchPrisma, url } = await benchDatabase({ createIfMissing: false });
// lib/db.ts reads its URL through env(): point it at the bench database (fake secrets: nothing is signed).
Object.assign(process.env, { ...TEST_ENV, LOG_LEVEL: "silent", DATABASE_URL: url });

const { db, disconnectDb } = await import("../lib/db");
const { NO_FILTERS } = await import("../lib/journal/journal-filters");
const { listPayments, countPayments, getPaymentWithTimeline } = await import("../lib/journal/journal-query");
const { exportPaymentsCsv } = await import("../lib/journal/journal-csv");
type JournalFilters = import("../lib/journal/journal-filters").JournalFilters;

const shop = await benchPrisma.shop.findUnique({ where: { insalesId: BENCH_INSALES_ID }, select: { id: true } });
if (!shop) throw new Error("bench shop missing: run scripts/seed-journal.ts first");
const shopId = shop.id;
const total = await benchPrisma.payment.count({ where: { shopId } });

// A Moscow week in the middle of the seeded 180 days; order numbers that exist.
const mid = new Date(Date.now() - 90 * 86_400_000);
const day = (d: Date) => new Date(d.getTime() + 3 * 3600_000).toISOString().slice(0, 10);
const weekFrom = day(mid);
const weekTo = day(new Date(mid.getTime() + 6 * 86_400_000));
const deep = await benchPrisma.payment.findMany({ where: { shopId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: 9_949, take: 1, select: { id: true, createdAt: true } });
const somePayment = await benchPrisma.payment.findFirst({ where: { shopId, imPaymentId: { not: null } }, select: { id: true, imPaymentId: true } });

const f = (over: Partial<JournalFilters>): JournalFilters => ({ ...NO_FILTERS, ...over });
const cases: Array<[string, () => Promise<unknown>]> = [
  ["list: no filter (page 1)", () => listPayments(shopId, NO_FILTERS)],
  ["list: status PAID", () => listPayments(shopId, f({ statuses: ["PAID"] }))],
  ["list: 3 statuses", () => listPayments(shopId, f({ statuses: ["HELD", "PARTIALLY_PAID", "REFUNDED"] }))],
  [`list: week ${weekFrom}..${weekTo}`, () => listPayments(shopId, f({ from: weekFrom, to: weekTo }))],
  ["list: week + status PAID", () => listPayments(shopId, f({ from: weekFrom, to: weekTo, statuses: ["PAID"] }))],
  ["list: order exact 15000", () => listPayments(shopId, f({ order: "15000" }))],
  ["list: order prefix 150", () => listPayments(shopId, f({ order: "150" }))],
  ["list: IM payment id", () => listPayments(shopId, f({ order: somePayment!.imPaymentId! }))],
  ["list: order not found", () => listPayments(shopId, f({ order: "nope" }))],
  ["list: notice FAILED", () => listPayments(shopId, f({ notice: "FAILED" }))],
  ["list: notice FAILED + status PAID", () => listPayments(shopId, f({ notice: "FAILED", statuses: ["PAID"] }))],
  ["list: deep page (after row 9 950)", () => listPayments(shopId, NO_FILTERS, { after: deep[0] })],
  ["count capped (1000+), no filter", () => countPayments(shopId, NO_FILTERS)],
  ["count exact, no filter", () => db().payment.count({ where: { shopId } })],
  ["count exact, status PAID", () => db().payment.count({ where: { shopId, status: "PAID" } })],
  ["card + timeline", () => getPaymentWithTimeline(shopId, somePayment!.id)],
  ["csv export, all 10 000 rows", () => new Response(exportPaymentsCsv(shopId, NO_FILTERS)).arrayBuffer()],
];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

console.log(`bench-journal: shop with ${total} payments, ${runs} runs per case (CSV: ${Math.max(5, Math.floor(runs / 20))})`);
console.log(`${"case".padEnd(42)} ${"median ms".padStart(10)} ${"p99 ms".padStart(10)}`);
for (const [name, run] of cases) {
  const n = name.startsWith("csv") ? Math.max(5, Math.floor(runs / 20)) : runs;
  for (let i = 0; i < Math.min(10, n); i++) await run(); // warm-up: connections, plans
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(42)} ${pct(times, 50).toFixed(2).padStart(10)} ${pct(times, 99).toFixed(2).padStart(10)}`);
}
await disconnectDb();
await benchPrisma.$disconnect();
