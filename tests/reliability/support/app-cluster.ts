// A small production-like world for the reliability scenarios (issue 5 parts 2–3): N `next start`
// processes of the production build on one database, the InSales stand-in (install, payments API, the
// external-payment notice endpoint) and an IntellectMoney stand-in whose notifications go through a
// router we control — spread over the instances like a load balancer, retried until `OK` like
// IntellectMoney does (docs/protocols/intellectmoney.md §3).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { freePort, ROOT, startApp, type AppProcess } from "../../../e2e/support/app-server";
import { startInsalesStandIn, type InsalesStandIn } from "../../../e2e/stand-ins/insales-stand-in";
import { installPaymentsApi, type PaymentsApi } from "../../../e2e/stand-ins/insales-payments-api";
import { installExternalPayments, type ExternalPayments } from "../../../e2e/stand-ins/insales-external-payments";
import { IntellectMoneyStandIn, type ImStatus } from "../../../e2e/stand-ins/intellectmoney-stand-in";
import { encryptSecret } from "../../../lib/crypto";
import { resetEnvCache } from "../../../lib/env";
import { TEST_ENCRYPTION_KEY, TEST_ENV } from "../../support/test-env";
import { waitForProvenInstall } from "../../../e2e/support/proven-install";

export const APP_ID = "intellectmoney_rel";
export const APP_SECRET = "rel-app-secret";

/** The scenarios run the production build; they never build (it would race with other work). */
export function requireProductionBuild(): void {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error(
      "tests/reliability: the production build is missing (.next/BUILD_ID). `npm test` builds before it runs vitest; " +
        "run `npm run build` first when running this file alone.",
    );
  }
}

export type Instance = { name: string; app: AppProcess | null; port: number; logFile: string; env: Record<string, string> };

export type Cluster = {
  instances: Instance[];
  insales: InsalesStandIn;
  api: PaymentsApi;
  ext: ExternalPayments;
  im: IntellectMoneyStandIn;
  appUrl: string;
  databaseUrl: string;
  /** Deliveries of result notifications: attempts, and what each final answer was. */
  stats: { attempts: number; retried: number; answeredOk: number };
  kill(name: string): void;
  /** Graceful stop (SIGTERM), e.g. to restart with another configuration (change `instance.env` first). */
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  close(): Promise<void>;
};

export async function startCluster(opts: { databaseUrl: string; instances: number; logDir: string; env?: Record<string, string>; maxAttempts?: number }): Promise<Cluster> {
  requireProductionBuild();
  mkdirSync(opts.logDir, { recursive: true });
  const ports = [] as number[];
  for (let i = 0; i < opts.instances; i++) ports.push(await freePort());
  const appUrl = `http://127.0.0.1:${ports[0]}`;
  const insales = await startInsalesStandIn({ appUrl, appId: APP_ID, appSecret: APP_SECRET });
  const api = installPaymentsApi(insales);
  const ext = installExternalPayments(insales);

  const instances: Instance[] = [];
  const stats = { attempts: 0, retried: 0, answeredOk: 0 };
  let turn = 0;
  const alive = () => instances.filter((i) => i.app !== null);

  // The load balancer in front of the instances: round robin over the live ones.
  const route = (request: Request, attempt: number): Request => {
    const live = alive();
    const target = live.length ? live[(turn++ + attempt) % live.length] : instances[0];
    const u = new URL(request.url);
    u.host = `127.0.0.1:${target.port}`;
    return new Request(u, request);
  };

  // IntellectMoney: anything but 200 `OK` (an error answer, a reset connection) is sent again later.
  const deliver = async (request: Request): Promise<Response> => {
    const body = await request.text();
    for (let attempt = 0; ; attempt++) {
      stats.attempts += 1;
      if (attempt > 0) stats.retried += 1;
      try {
        const r = await fetch(route(new Request(request.url, { method: "POST", headers: request.headers, body }), attempt), { signal: AbortSignal.timeout(30_000) });
        const text = await r.text();
        if (r.status === 200 && text === "OK") {
          stats.answeredOk += 1;
          return new Response(text, { status: r.status, headers: r.headers });
        }
      } catch {
        /* connection refused or reset: the instance is down */
      }
      if (attempt + 1 >= (opts.maxAttempts ?? 200)) return new Response("gave up", { status: 599 });
      await new Promise((r) => setTimeout(r, Math.min(250 * (attempt + 1), 2_000)));
    }
  };
  const im = await new IntellectMoneyStandIn({ deliver }).start();

  const baseEnv: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    APP_URL: appUrl,
    INSALES_APP_ID: APP_ID,
    INSALES_APP_SECRET: APP_SECRET,
    INSALES_SHOP_URL_TEMPLATE: insales.shopUrlTemplate,
    INTELLECTMONEY_MERCHANT_URL: im.merchantUrl,
    INTELLECTMONEY_API_URL: `${im.url}/api`,
    AUTH_SECRET: TEST_ENV.AUTH_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: "warn",
    ...opts.env,
  };
  for (let i = 0; i < opts.instances; i++) {
    const name = String.fromCharCode(65 + i);
    const logFile = path.join(opts.logDir, `app-${name}.log`);
    instances.push({ name, app: null, port: ports[i], logFile, env: { ...baseEnv } });
  }
  // One after the other: a build older than the queue-setup lock in lib/jobs/queue.ts deadlocks when two
  // instances create pg-boss's queues together (tests/reliability/concurrent-start.test.ts proves the fix
  // without a build). Starting in turn keeps this scenario about payments, whatever build it runs.
  for (const inst of instances) inst.app = await startApp({ port: inst.port, env: inst.env, logFile: inst.logFile });

  const byName = (name: string) => instances.find((i) => i.name === name)!;
  return {
    instances,
    insales,
    api,
    ext,
    im,
    appUrl,
    databaseUrl: opts.databaseUrl,
    stats,
    kill(name) {
      const inst = byName(name);
      inst.app?.child.kill("SIGKILL");
      inst.app = null;
    },
    async stop(name) {
      const inst = byName(name);
      await inst.app?.stop();
      inst.app = null;
    },
    async restart(name) {
      const inst = byName(name);
      inst.app = await startApp({ port: inst.port, env: inst.env, logFile: inst.logFile });
    },
    async close() {
      await Promise.all(instances.map((i) => i.app?.stop()));
      await im.close();
      await insales.close();
    },
  };
}

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i], i);
      }
    }),
  );
}

export async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

export type ShopRef = { host: string; insalesId: string; shopId: string; eshopId: string; secretKey: string };

/**
 * A shop as a merchant leaves it: installed through the InSales stand-in (which calls our install URL),
 * IntellectMoney settings saved and the payment method connected (written straight to the database,
 * sealed with the app's key, as the settings screen and the connect job would).
 */
export async function readyShop(c: Cluster, n: number): Promise<ShopRef> {
  const host = `rel-${process.pid}-${n}.myinsales.ru`;
  const insalesId = String(5_000_000 + (process.pid % 10_000) * 100 + n);
  const installed = await c.insales.install({ host, insalesId });
  if (installed.status !== 200) throw new Error(`install: ${installed.status} ${installed.body}`);
  // The app takes an install on only once its job has proven it against the shop's account.
  await waitForProvenInstall(c.databaseUrl, { host, insalesId });
  const eshopId = String(400_000 + n);
  const secretKey = `rel-secret-${n}`;
  c.im.registerShop(eshopId, secretKey);
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: c.databaseUrl, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  resetEnvCache();
  const password = `rel-gateway-pass-${n}`;
  const gatewayId = 800_000 + n;
  c.insales.mustShop(host).gateways.push({
    id: gatewayId, type: "PaymentGateway::External", title: "IntellectMoney", url: `${c.appUrl}/payment.php`, shop_id: insalesId, password,
    success_url: "", fail_url: "", server_url: "", delivery_variant_ids: [1001],
  });
  const [{ id: shopId }] = await sql<{ id: string }>(c.databaseUrl, `SELECT id FROM "Shop" WHERE "insalesId" = $1`, [insalesId]);
  await sql(c.databaseUrl,
    `INSERT INTO "ShopSettings" ("shopId", "legalForm", "eshopId", "secretKeyEnc", "testMode", "holdMode", "updatedAt")
     VALUES ($1, 'ORGANIZATION', $2, $3, false, 'NO_HOLD', now())
     ON CONFLICT ("shopId") DO UPDATE SET "legalForm" = 'ORGANIZATION', "eshopId" = EXCLUDED."eshopId", "secretKeyEnc" = EXCLUDED."secretKeyEnc", "updatedAt" = now()`,
    [shopId, eshopId, encryptSecret(secretKey)]);
  await sql(c.databaseUrl,
    `INSERT INTO "ShopGateway" ("shopId", state, "gatewayId", "passwordEnc", "updatedAt") VALUES ($1, 'CONNECTED', $2, $3, now())
     ON CONFLICT ("shopId") DO UPDATE SET state = 'CONNECTED', "gatewayId" = EXCLUDED."gatewayId", "passwordEnc" = EXCLUDED."passwordEnc", "updatedAt" = now()`,
    [shopId, String(gatewayId), encryptSecret(password)]);
  return { host, insalesId, shopId, eshopId, secretKey };
}

function formFields(html: string): Array<[string, string]> {
  const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return [...html.matchAll(/<input[^>]*\bname="([^"]*)"[^>]*\bvalue="([^"]*)"[^>]*>/g)].map((m) => [decode(m[1]), decode(m[2])]);
}

export type MadePayment = { imPaymentId: string; orderKey: string; transactionId: string; host: string };

/**
 * One real checkout: the stand-in signs it, the buyer's browser posts it to `instanceUrl`/payment.php,
 * the invoice form goes to the IntellectMoney stand-in, which creates the invoice and notifies status 3.
 */
export async function checkout(c: Cluster, shop: ShopRef, instanceUrl: string, amount: string): Promise<MadePayment> {
  const signed = c.api.signedCheckout(shop.host, { amount });
  const r = await fetch(`${instanceUrl}/payment.php`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(signed.fields).toString() });
  const html = await r.text();
  if (r.status !== 200) throw new Error(`checkout answered ${r.status}: ${html.slice(0, 300)}`);
  const fields = formFields(html);
  const invoice = await fetch(c.im.merchantUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(), redirect: "manual" });
  if (invoice.status !== 303) throw new Error(`invoice refused: ${invoice.status} ${await invoice.text()}`);
  const orderId = fields.find(([k]) => k === "orderId")![1];
  const inv = c.im.findInvoice(orderId)!;
  return { imPaymentId: inv.paymentId, orderKey: signed.order.key, transactionId: signed.order.client_transaction_id ?? "", host: shop.host };
}

export async function notify(c: Cluster, imPaymentId: string, status: ImStatus) {
  return c.im.notify(imPaymentId, status);
}

export type Ledger = {
  payments: number;
  byStatus: Record<string, number>;
  notices: number;
  delivered: number;
  /** notify-insales jobs per notice (live and archived), as a histogram: { "1": 200 } is perfect. */
  jobsPerNotice: Record<string, number>;
  appliedEventsPerPayment: Record<string, number>;
};

export async function ledger(url: string): Promise<Ledger> {
  const [row] = await sql<{ l: Ledger }>(url, `
    SELECT jsonb_build_object(
      'payments', (SELECT count(*) FROM "Payment"),
      'byStatus', (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status::text, count(*) n FROM "Payment" GROUP BY 1) s),
      'notices', (SELECT count(*) FROM "InsalesNotice"),
      'delivered', (SELECT count(*) FROM "InsalesNotice" WHERE state = 'DELIVERED'),
      'jobsPerNotice', (SELECT coalesce(jsonb_object_agg(jobs, n), '{}') FROM (
          SELECT jobs::text, count(*) n FROM (
            SELECT n.id, (SELECT count(*) FROM pgboss.job j WHERE j.name = 'notify-insales' AND j.singleton_key = n.id::text)
                       + (SELECT count(*) FROM pgboss.archive a WHERE a.name = 'notify-insales' AND a.singleton_key = n.id::text) AS jobs
            FROM "InsalesNotice" n) per GROUP BY 1) h),
      'appliedEventsPerPayment', (SELECT coalesce(jsonb_object_agg(k, n), '{}') FROM (
          SELECT k::text, count(*) n FROM (SELECT p.id, (SELECT count(*) FROM "PaymentEvent" e WHERE e."paymentId" = p.id AND e.type = 'result_applied') k FROM "Payment" p) x GROUP BY 1) y)
    ) AS l`);
  return row.l;
}

/** Valid server-to-server notices the InSales stand-in received, per order (by transaction id). */
export function serverNoticesPerOrder(c: Cluster): Map<string, number> {
  const out = new Map<string, number>();
  for (const shop of c.insales.shops.values()) {
    for (const order of shop.orders) {
      if (!order.client_transaction_id) continue;
      out.set(order.client_transaction_id, order.notices.filter((n) => n.channel === "server" && n.valid).length);
    }
  }
  return out;
}
