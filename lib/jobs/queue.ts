// Durable jobs in PostgreSQL with pg-boss (docs/ARCHITECTURE.md convention 7).
// - enqueue() is the one way the app queues jobs. A job caused by a state change is queued either inside
//   the Prisma transaction that makes the change (pg-boss's INSERT runs through it, so both commit or roll
//   back together: settings → connect-gateway, install → sync-account, a notice's retry, letters written by
//   queuePaymentMails), or — on the hot paths, whose statements are single statements without a transaction
//   (lib/checkout, lib/results) — right after the commit, with a sweeper queueing what a crash in between
//   left without a job (lib/notices/notice-sweeper.ts, lib/mail/mail-sweeper.ts).
// - Several app instances may run: pg-boss hands each job to one worker (SKIP LOCKED).
// Queue names and their retry policies are declared once in lib/jobs/queues.ts; each queue's payload and
// job request are built by a `-queue.ts` module beside its worker.
import PgBoss from "pg-boss";
import pg from "pg";
import { db, type Tx } from "../db";
import { Prisma } from "../generated/prisma/client";
import { env } from "../env";
import { log } from "../log";
import { QUEUES, type QueueName } from "./queues";

const globalForBoss = globalThis as unknown as { boss?: Promise<PgBoss>; bossUrl?: string; stopHooks?: Array<{ boss: PgBoss; stop: () => Promise<void> }> };

/** Advisory lock key serialising queue creation between instances ("imqueues" in ASCII). */
const QUEUE_SETUP_LOCK = 0x696d717565756573n;

async function createBoss(url: string): Promise<PgBoss> {
  // Maintenance (once per cluster, under pg-boss's own lock) is what fails the jobs of an instance that
  // died mid-job (kill -9, OOM) once they pass expireInSeconds, so they are retried. pg-boss's default of
  // 120 s left a paid notice stuck up to ~4 minutes after such a crash (tests/reliability/multi-instance).
  const boss = new PgBoss({ connectionString: url, schema: "pgboss", max: 4, application_name: "intellectmoney-jobs", maintenanceIntervalSeconds: 30 });
  boss.on("error", (error) => log.error({ err: error.message }, "jobs: pg-boss error"));
  // pgboss.create_queue() creates a partition per queue; two instances starting at once on a fresh
  // database (or a rolling deploy that adds a queue) deadlock in it, and the loser's start-up hook fails
  // for good (found by tests/reliability/multi-instance.test.ts). One instance at a time, then — and that
  // includes boss.start() itself: its cron timekeeper creates pg-boss's own `__pgboss__send-it` queue
  // there, outside any lock of pg-boss's (tests/reliability/concurrent-start.test.ts caught one such
  // deadlock in four runs before start() moved under the lock).
  const lock = new pg.Client({ connectionString: url, application_name: "intellectmoney-jobs-setup" });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [QUEUE_SETUP_LOCK.toString()]);
    await boss.start();
    for (const [name, policy] of Object.entries(QUEUES)) {
      // createQueue leaves an existing queue as it was; updateQueue carries retry and expiry changes of
      // lib/jobs/queues.ts to databases created by an earlier release — only when they differ, so a normal
      // start writes nothing to pgboss.queue (another instance's maintenance may be updating those rows).
      // (A queue's `policy` must never change: pg-boss builds the partition's indexes from it.)
      const existing = await boss.getQueue(name);
      if (!existing) await boss.createQueue(name, { name, ...policy });
      else if (policyDiffers(existing, policy)) await boss.updateQueue(name, { name, ...policy });
    }
  } finally {
    await lock.end(); // ends the session: the advisory lock goes with it
  }
  return boss;
}

type QueuePolicy = (typeof QUEUES)[QueueName];

function policyDiffers(existing: PgBoss.QueueResult, wanted: QueuePolicy): boolean {
  const w = wanted as Partial<PgBoss.Queue>;
  return (
    (w.retryLimit !== undefined && existing.retryLimit !== w.retryLimit) ||
    (w.retryDelay !== undefined && existing.retryDelay !== w.retryDelay) ||
    (w.retryBackoff !== undefined && existing.retryBackoff !== w.retryBackoff) ||
    (w.expireInSeconds !== undefined && existing.expireInSeconds !== w.expireInSeconds)
  );
}

/** The process's pg-boss instance (started, queues created). */
export function getBoss(): Promise<PgBoss> {
  const url = env().DATABASE_URL;
  if (!globalForBoss.boss || globalForBoss.bossUrl !== url) {
    globalForBoss.bossUrl = url;
    globalForBoss.boss = createBoss(url).catch((error) => {
      globalForBoss.boss = undefined;
      throw error;
    });
  }
  return globalForBoss.boss;
}

/** One job: its queue, its payload, at most one waiting per `singletonKey` ("stately" queues), a delay. */
export type JobRequest = { name: QueueName; data: object; singletonKey?: string; startAfterSeconds?: number };

/**
 * Queues `jobs` in one INSERT (pg-boss's insert, with each queue's policy: a "stately" queue drops a second
 * waiting job of the same singletonKey). With `tx` through that Prisma transaction: the jobs exist only if
 * it commits. Without, through the app's pool rather than pg-boss's own: its named prepared statements
 * (lib/db.ts) let PostgreSQL reuse the plan of the INSERT (half its database CPU, 1.4 → 0.7 ms measured,
 * docs/PERFORMANCE.md), and pg-boss's small pool stays free for its workers.
 */
export async function enqueue(jobs: readonly JobRequest[], options: { tx?: Tx } = {}): Promise<void> {
  if (jobs.length === 0) return;
  const client = options.tx ?? db();
  const rows = jobs.map((j) => ({
    name: j.name,
    data: j.data,
    ...(j.singletonKey !== undefined ? { singletonKey: j.singletonKey } : {}),
    ...(j.startAfterSeconds ? { startAfter: String(j.startAfterSeconds) } : {}),
  }));
  await (await getBoss()).insert(rows, { db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await client.$queryRawUnsafe<unknown[]>(text, ...values) }) } });
}

/**
 * SQL for the sweepers' stores: no job of `queue` with singleton key `key` that pg-boss may still run —
 * created (perhaps with a future startAfter), waiting for a retry, or running.
 */
export function noLiveJobSql(queue: QueueName, key: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`NOT EXISTS (
        SELECT 1 FROM pgboss.job j
        WHERE j.name = ${queue} AND j.singleton_key = ${key}
          AND j.state IN ('created', 'retry', 'active')
      )`;
}

/** Our own worker loops (lib/jobs/work-each.ts) stop, and wait for their jobs, before pg-boss stops. */
export function onBossStop(boss: PgBoss, stop: () => Promise<void>): void {
  (globalForBoss.stopHooks ??= []).push({ boss, stop });
}

export async function stopBoss(): Promise<void> {
  const boss = await globalForBoss.boss?.catch(() => undefined);
  globalForBoss.boss = undefined;
  const hooks = (globalForBoss.stopHooks ?? []).filter((h) => h.boss === boss);
  globalForBoss.stopHooks = (globalForBoss.stopHooks ?? []).filter((h) => h.boss !== boss);
  await Promise.all(hooks.map((h) => h.stop()));
  await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
}
