// `npm run bench`: the app's production build against the bare-minimum baseline (bench/baseline-server.ts)
// on a fresh database with a few hundred configured shops. Prints, per scenario: requests/s, p50/p99
// latency, errors (non-2xx, connection errors, timeouts), peak RSS of the server's process tree and SQL
// round trips per request; then our figure / the baseline's and the targets of docs/PERFORMANCE.md.
//
// Knobs (environment, all optional): BENCH_SECONDS [10], BENCH_WARMUP [2], BENCH_CONNECTIONS [32],
// BENCH_SHOPS [300], BENCH_JOURNAL [10000], BENCH_POOL [100000 bodies per scenario],
// BENCH_JOBS_WORKERS [on], BENCH_KEEP_DB [unset: the database is dropped at the end],
// BENCH_APP_NODE_OPTIONS [--max-old-space-size=256 like `npm start`; extra Node options for the app only],
// BENCH_CPU_PROF [unset; 1 = a V8 CPU profile of the app per scenario in .data/bench/<scenario>.cpuprofile],
// BENCH_ONLY [unset: all; a comma list of health, checkout, result, journal, widget, plain, baseline to run only those;
//   plain = the app's own checkout and result handlers behind plain node:http (bench/plain-front.ts); widget = the
//   order-card widget's data route under load, its bytes and its time to first paint in Chromium (bench/widget.ts)],
// BENCH_WIDGET_LOADS [10 page loads for the widget's paint times].
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import pg from "pg";
import { mintSessionCookie } from "../lib/auth/mint-session";
import { resetEnvCache } from "../lib/env";
import { ADMIN_DATABASE_URL, databaseUrl, TEST_ENCRYPTION_KEY } from "../tests/support/test-env";
import { migrate } from "../tests/support/test-db";
import { freePort, ROOT, startApp } from "../e2e/support/app-server";
import { checkoutBody, generate, resultBody } from "./bodies";
import { runLoad, type LoadFigures } from "./load";
import { seedJournal, seedResultPool, seedShops } from "./seed";
import { measureWidget, seedWidget, WIDGET_BYTES_LIMIT, widgetDataPath, widgetReport, type WidgetFigures } from "./widget";

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = num("BENCH_SECONDS", 10);
const WARMUP = num("BENCH_WARMUP", 2);
const CONNECTIONS = num("BENCH_CONNECTIONS", 32);
/** The merchant pages (page floor, journal) may be driven at another concurrency than the machine routes. */
const PAGE_CONNECTIONS = num("BENCH_PAGE_CONNECTIONS", CONNECTIONS);
const SHOPS = num("BENCH_SHOPS", 300);
const JOURNAL = num("BENCH_JOURNAL", 10_000);
const POOL = num("BENCH_POOL", 100_000);

const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const runs = (scenario: "health" | "checkout" | "result" | "journal" | "widget" | "plain" | "baseline") => ONLY.size === 0 || ONLY.has(scenario);

const TARGETS = { rps: 1000, p99: 50, ratio: 0.2, journalP99: 150, rssMb: 400 };

/**
 * Routes the bench drives, by their source file: a build that lacks one whose source exists is stale
 * (built before the feature existed). Other code changes are not detected: `npm run build` after them.
 */
const NEEDED_ROUTES: Array<[manifestKey: string, source: string]> = [
  ["/payment.php/route", "app/payment.php/route.ts"],
  ["/api/intellectmoney/result/route", "app/api/intellectmoney/result/route.ts"],
  ["/(merchant)/payments/page", "app/(merchant)/payments/page.tsx"],
  ["/api/widget/order/route", "app/api/widget/order/route.ts"],
];

function ensureBuild(): void {
  const manifest = path.join(ROOT, ".next/app-path-routes-manifest.json");
  const built = existsSync(path.join(ROOT, ".next/BUILD_ID")) && existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as Record<string, string>) : null;
  const fresh = built !== null && NEEDED_ROUTES.every(([key, source]) => key in built || !existsSync(path.join(ROOT, source)));
  if (fresh) return;
  console.log("bench: building the production app (next build)…");
  const build = spawnSync(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (build.status !== 0) throw new Error("next build failed");
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** InSales's server endpoint for the notify-insales jobs: always `{"status":"ok"}`. */
async function insalesSink(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/shops/{shop}`, close: () => server.close() };
}

/** A bench server (bench/baseline-server.ts, bench/plain-front.ts) on `port`, ready when it prints "listening". */
async function startBenchServer(script: string, port: number, env: Record<string, string>): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script), String(port)], {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** One request first: a scenario that answers errors is reported as broken, not measured as fast. */
async function probe(url: string, init: RequestInit, expect: (status: number, body: string) => boolean): Promise<string | null> {
  const r = await fetch(url, init);
  const body = await r.text();
  return expect(r.status, body) ? null : `HTTP ${r.status}: ${body.slice(0, 300).replace(/\s+/g, " ")}`;
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "—");

function table(rows: LoadFigures[]): string {
  const head = "| scenario | req/s | p50 ms | p99 ms | requests | errors | peak RSS MB | SQL/request | server CPU ms/request | postgres CPU ms/request |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map(
    (r) =>
      `| ${r.name}${r.poolExhausted ? " (pool wrapped)" : ""} | ${fmt(r.rps)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.requests} | ${r.errors}${r.errors ? ` ${JSON.stringify(r.statuses)}` : ""} | ${r.peakRssMb} | ${r.sqlPerRequest === null ? "—" : fmt(r.sqlPerRequest, 2)} | ${fmt(r.cpuMsPerRequest, 2)} | ${fmt(r.pgCpuMsPerRequest, 2)} |`,
  );
  return [head, sep, ...lines].join("\n");
}

async function main() {
  ensureBuild();
  const dbName = `im_bench_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${dbName}"`);
  const dbUrl = databaseUrl(dbName);
  const sink = await insalesSink();
  const appPort = await freePort();
  const counterPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const appEnv: Record<string, string> = {
    DATABASE_URL: dbUrl,
    APP_URL: appUrl,
    INSALES_APP_ID: "intellectmoney_bench",
    INSALES_APP_SECRET: "bench-app-secret",
    INSALES_SHOP_URL_TEMPLATE: sink.url,
    INTELLECTMONEY_MERCHANT_URL: "http://127.0.0.1:1/merchant/",
    INTELLECTMONEY_API_URL: "http://127.0.0.1:1/api",
    AUTH_SECRET: "bench-auth-secret-0123456789abcdef",
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: "info",
    JOBS_WORKERS: process.env.BENCH_JOBS_WORKERS ?? "on",
    // The load comes from one address (autocannon on this machine): the per-IP limits would answer 429
    // to most of it. Production keeps them; the bench measures the work behind them.
    RATE_LIMIT_CHECKOUT: "0",
    RATE_LIMIT_RESULT: "0",
    RATE_LIMIT_LOGIN: "0",
    RATE_LIMIT_LIFECYCLE: "0",
  };
  // The bench process seals secrets and mints the session cookie with the app's own configuration.
  Object.assign(process.env, appEnv);
  resetEnvCache();

  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  let baseline: Awaited<ReturnType<typeof startBenchServer>> | null = null;
  let plain: Awaited<ReturnType<typeof startBenchServer>> | null = null;
  try {
    console.log(`bench: migrating and seeding ${dbName} (${SHOPS} shops, ${JOURNAL} journal payments, 2 × ${POOL} pooled payments)…`);
    migrate(dbUrl);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const shops = await seedShops(client, SHOPS);
    await seedJournal(client, shops[0], JOURNAL);
    if (runs("widget")) await seedWidget(client, shops[0]);
    // Results go to shops 1.. (shop 0 keeps exactly its journal).
    const resultShops = shops.slice(1);
    await seedResultPool(client, resultShops, "app-r-", POOL);
    await seedResultPool(client, resultShops, "base-r-", POOL);
    if (runs("plain")) await seedResultPool(client, resultShops, "plain-r-", POOL);
    await client.query("VACUUM ANALYZE");
    await client.end();

    console.log("bench: generating request bodies…");
    const checkoutShops = shops.slice(1);
    const appCheckouts = generate(POOL, (k) => checkoutBody(checkoutShops[k % checkoutShops.length], "app-c-", k));
    const baseCheckouts = generate(POOL, (k) => checkoutBody(checkoutShops[k % checkoutShops.length], "base-c-", k));
    const appResults = generate(POOL, (k) => resultBody(resultShops, "app-r-", k));
    const baseResults = generate(POOL, (k) => resultBody(resultShops, "base-r-", k));
    const plainCheckouts = runs("plain") ? generate(POOL, (k) => checkoutBody(checkoutShops[k % checkoutShops.length], "plain-c-", k)) : [];
    const plainResults = runs("plain") ? generate(POOL, (k) => resultBody(resultShops, "plain-r-", k)) : [];

    const common = { connections: CONNECTIONS, warmupSeconds: WARMUP, seconds: SECONDS, database: dbName };
    const form = { "content-type": "application/x-www-form-urlencoded" };

    // --- the app ---
    app = await startApp({
      port: appPort,
      logFile: path.join(ROOT, ".data/bench/app-server.log"),
      env: {
        ...appEnv,
        BENCH_PG_COUNTER_PORT: String(counterPort),
        NODE_OPTIONS: [
          process.env.NODE_OPTIONS ?? "",
          `--require ${path.join(ROOT, "bench/pg-counter.cjs")}`,
          // The same heap cap as `npm start` (package.json), unless the run asks for something else.
          process.env.BENCH_APP_NODE_OPTIONS ?? "--max-old-space-size=256",
        ].join(" ").trim(),
      },
    });
    const pid = app.child.pid!;
    const counterUrl = `http://127.0.0.1:${counterPort}/`;
    const profDir = path.join(ROOT, ".data/bench");
    const prof = (name: string) => (process.env.BENCH_CPU_PROF ? { profileFile: path.join(profDir, `${name}.cpuprofile`) } : {});
    const ours: LoadFigures[] = [];
    const broken: string[] = [];
    let widget: WidgetFigures | null = null;

    // The floor: Next.js + Prisma answering a one-query route (GET /api/health: SELECT 1).
    const floor = !runs("health") ? null : await runLoad({ ...common, name: "health (framework floor, SELECT 1)", ...prof("health"), url: appUrl, pid, method: "GET", path: "/api/health", counterUrl });
    if (runs("checkout")) {
      const checkoutProbe = await probe(`${appUrl}${appCheckouts[0].path}`, { method: "POST", headers: form, body: checkoutBody(checkoutShops[0], "probe-", 1).body }, (s, b) => s === 200 && b.includes("recipientAmount"));
      if (checkoutProbe) broken.push(`checkout: ${checkoutProbe}`);
      const checkoutCursor = { next: 0, wrapped: false };
      ours.push(await runLoad({ ...common, name: "checkout (new payments)", ...prof("checkout"), url: appUrl, pid, method: "POST", pool: appCheckouts, counterUrl }, checkoutCursor));
    }

    if (runs("result")) {
      const resultProbe = await probe(`${appUrl}${appResults[POOL - 1].path}`, { method: "POST", headers: form, body: appResults[POOL - 1].body }, (s, b) => s === 200 && b === "OK");
      if (resultProbe) broken.push(`result: ${resultProbe}`);
      const resultCursor = { next: 0, wrapped: false };
      ours.push(await runLoad({ ...common, name: "result (new: CREATED → PAID)", ...prof("result-new"), url: appUrl, pid, method: "POST", pool: appResults, counterUrl }, resultCursor));
      // The same notifications again (IntellectMoney retries): acknowledged, nothing changes.
      const applied = appResults.slice(0, Math.max(1, resultCursor.wrapped ? POOL : resultCursor.next));
      ours.push(await runLoad({ ...common, name: "result (repeated)", ...prof("result-repeat"), url: appUrl, pid, method: "POST", pool: applied, counterUrl }));
    }

    if (runs("journal")) {
      // The floor of a merchant page: the proxy (CSP nonce), the root layout and a page with no data.
      ours.push(await runLoad({ ...common, connections: PAGE_CONNECTIONS, name: "page floor (/login-required, no data)", ...prof("page-floor"), url: appUrl, pid, method: "GET", path: "/login-required", counterUrl }));
      const cookie = await mintSessionCookie({ shopId: shops[0].id, insalesId: shops[0].insalesId, host: `bench-0.myinsales.ru`, sessionGeneration: 0 });
      const journalHeaders = { cookie: `${cookie.name}=${cookie.value}` };
      const journalProbe = await probe(`${appUrl}/payments`, { headers: journalHeaders, redirect: "manual" }, (s) => s === 200);
      if (journalProbe) broken.push(`journal: ${journalProbe}`);
      ours.push(await runLoad({ ...common, connections: PAGE_CONNECTIONS, name: `journal page (10 000 payments)${PAGE_CONNECTIONS !== CONNECTIONS ? `, ${PAGE_CONNECTIONS} connections` : ""}`, ...prof("journal"), url: appUrl, pid, method: "GET", path: "/payments", headers: journalHeaders, counterUrl }));
    }
    if (runs("widget")) {
      // The order-card widget (bench/widget.ts): its data route under load (the journal shop's held order, with
      // its 10 000 payments around it), then its bytes and paint times in Chromium, one load at a time.
      const path = widgetDataPath(shops[0]);
      const widgetProbe = await probe(`${appUrl}${path}`, {}, (s, b) => s === 200 && b.includes("Захолдирован"));
      if (widgetProbe) broken.push(`widget: ${widgetProbe}`);
      ours.push(await runLoad({ ...common, connections: PAGE_CONNECTIONS, name: "widget data (one order's summary, JSONP)", ...prof("widget"), url: appUrl, pid, method: "GET", path, counterUrl }));
      widget = await measureWidget(appUrl, shops[0]).catch((error: Error) => {
        broken.push(`widget paint: ${error.message}`);
        return null;
      });
    }
    await app.stop();
    app = null;

    // --- the app's own handlers without Next.js (an experiment: what the framework costs) ---
    const plainRows: LoadFigures[] = [];
    if (runs("plain")) {
      const plainPort = await freePort();
      const plainCounter = await freePort();
      plain = await startBenchServer("bench/plain-front.ts", plainPort, {
        ...appEnv,
        BENCH_PG_COUNTER_PORT: String(plainCounter),
        NODE_OPTIONS: [process.env.NODE_OPTIONS ?? "", `--require ${path.join(ROOT, "bench/pg-counter.cjs")}`, process.env.BENCH_APP_NODE_OPTIONS ?? "--max-old-space-size=256"].join(" ").trim(),
      });
      const plainUrl = `http://127.0.0.1:${plainPort}`;
      const plainPid = plain.child.pid!;
      const counter = `http://127.0.0.1:${plainCounter}/`;
      const plainProbe = await probe(`${plainUrl}${plainCheckouts[0].path}`, { method: "POST", headers: form, body: checkoutBody(checkoutShops[0], "plain-probe-", 1).body }, (s, b) => s === 200 && b.includes("recipientAmount"));
      if (plainProbe) broken.push(`plain checkout: ${plainProbe}`);
      plainRows.push(await runLoad({ ...common, name: "plain front: checkout", ...prof("plain-checkout"), url: plainUrl, pid: plainPid, method: "POST", pool: plainCheckouts, counterUrl: counter }));
      const cursor = { next: 0, wrapped: false };
      plainRows.push(await runLoad({ ...common, name: "plain front: result (new)", ...prof("plain-result-new"), url: plainUrl, pid: plainPid, method: "POST", pool: plainResults, counterUrl: counter }, cursor));
      const applied = plainResults.slice(0, Math.max(1, cursor.wrapped ? POOL : cursor.next));
      plainRows.push(await runLoad({ ...common, name: "plain front: result (repeated)", ...prof("plain-result-repeat"), url: plainUrl, pid: plainPid, method: "POST", pool: applied, counterUrl: counter }));
      await plain.stop();
      plain = null;
    }

    // --- the baseline ---
    const theirs: LoadFigures[] = [];
    if (runs("baseline")) {
      const basePort = await freePort();
      baseline = await startBenchServer("bench/baseline-server.ts", basePort, appEnv);
      const baseUrl = `http://127.0.0.1:${basePort}`;
      const basePid = baseline.child.pid!;
      const baseResultCursor = { next: 0, wrapped: false };
      theirs.push(await runLoad({ ...common, name: "baseline checkout", url: baseUrl, pid: basePid, method: "POST", pool: baseCheckouts }));
      theirs.push(await runLoad({ ...common, name: "baseline result (new)", url: baseUrl, pid: basePid, method: "POST", pool: baseResults }, baseResultCursor));
      const baseApplied = baseResults.slice(0, Math.max(1, baseResultCursor.wrapped ? POOL : baseResultCursor.next));
      theirs.push(await runLoad({ ...common, name: "baseline result (repeated)", url: baseUrl, pid: basePid, method: "POST", pool: baseApplied }));
      await baseline.stop();
      baseline = null;
    }

    console.log(`\n## Figures (${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s each)\n`);
    console.log(table([...(floor ? [floor] : []), ...ours, ...plainRows, ...theirs]));
    const find = (rows: LoadFigures[], prefix: string) => rows.find((r) => r.name.startsWith(prefix));
    const pairs: Array<[LoadFigures | undefined, LoadFigures | undefined]> = [
      [find(ours, "checkout"), find(theirs, "baseline checkout")],
      [find(ours, "result (new"), find(theirs, "baseline result (new")],
      [find(ours, "result (repeated"), find(theirs, "baseline result (repeated")],
    ];
    const ratios = pairs.flatMap(([a, b]): Array<[string, number]> => (a && b ? [[a.name, a.rps / b.rps]] : []));
    if (ratios.length) {
      console.log("\n## Ratio to the baseline (req/s ours / theirs)\n");
      for (const [name, r] of ratios) console.log(`- ${name}: ${fmt(r, 2)}`);
    }

    if (widget) console.log(`\n## The order-card widget\n\n${widgetReport(widget)}`);

    console.log("\n## Targets\n");
    const check = (ok: boolean, text: string) => console.log(`- [${ok ? "x" : " "}] ${text}`);
    for (const r of pairs.flatMap(([a]) => (a ? [a] : []))) {
      check(r.rps >= TARGETS.rps, `${r.name}: ≥ ${TARGETS.rps} req/s (${fmt(r.rps)})`);
      check(r.p99 <= TARGETS.p99, `${r.name}: p99 ≤ ${TARGETS.p99} ms (${fmt(r.p99)})`);
      check(r.errors === 0, `${r.name}: 0 errors (${r.errors})`);
    }
    for (const [name, r] of ratios) check(r >= TARGETS.ratio, `${name}: ratio ≥ ${TARGETS.ratio} (${fmt(r, 2)})`);
    const journal = find(ours, "journal");
    if (journal) check(journal.p99 <= TARGETS.journalP99 && journal.errors === 0, `journal page: p99 ≤ ${TARGETS.journalP99} ms, 0 errors (${fmt(journal.p99)} ms, ${journal.errors} errors)`);
    if (widget) check(widget.codeBytes + widget.dataBytes <= WIDGET_BYTES_LIMIT, `widget: code + data ≤ 30 kB (${((widget.codeBytes + widget.dataBytes) / 1024).toFixed(1)} kB)`);
    const measured = [...(floor ? [floor] : []), ...ours];
    const rss = Math.max(...measured.map((r) => r.peakRssMb));
    if (measured.length) check(rss <= TARGETS.rssMb, `peak RSS ≤ ${TARGETS.rssMb} MB (${rss})`);
    console.log("\nSQL/request counts every pg query of the app process during the run, background job workers included;");
    console.log("the exact per-request counts are asserted in tests/performance/round-trips.test.ts.");
    if (broken.length) {
      console.log("\n## Broken scenarios (the first request did not succeed)\n");
      for (const b of broken) console.log(`- ${b}`);
      process.exitCode = 1;
    }
  } finally {
    await app?.stop();
    await baseline?.stop();
    await plain?.stop();
    sink.close();
    if (!process.env.BENCH_KEEP_DB) await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
