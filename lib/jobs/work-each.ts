// A pg-boss worker that keeps up to `concurrency` jobs in flight, each completed or failed on its own.
// Why not pg-boss's own `work()`: pg-boss 10 runs one fetch → handler → wait loop per `work()` call. With
// batchSize 1 that is about one job per polling interval, far too slow for the burst of notices that
// follows a sale. With a batch, the next batch is fetched only when every job of the current one is done:
// one shop whose server hangs until our 20 s timeout held up the notices of every other shop queued behind
// it (lib/notices/notify-insales.test.ts «a shop whose InSales hangs»).
// Here: as many jobs are fetched as there are free slots; each runs on its own and is failed (its own retry
// and back-off) as soon as it throws; a freed slot is refilled while the queue has work. Two economies keep
// the database cost per job near the batch's: jobs that succeed within a few milliseconds of each other are
// completed in one statement, and freed slots are refilled together after a few milliseconds, not one
// fetch per slot. A job whose process dies before its completion is written is expired by pg-boss's
// maintenance and runs again, as with `work()` (our handlers skip work already done: a DELIVERED notice,
// a SENT letter).
// Re-checked for the Node 22/24 floor (README «Runtime and dependencies»): pg-boss 12's work() with
// `localConcurrency` does keep N jobs in flight, each settled on its own, but each of its workers waits the
// polling interval after every job unless its cached queue statistics show a backlog (200 jobs of 30 ms,
// 20 workers, 0.5 s polling: 4.6 s, against 0.55 s here), it holds a worker until a hung handler returns,
// and no pg-boss after 10 can migrate pg-boss 10's schema. So this stays.
import type PgBoss from "pg-boss";
import { retryDbWrite } from "../db-retry";
import { log } from "../log";
import { onBossStop } from "./queue";

export type WorkEachOptions = {
  /** Jobs in flight at once in this process. */
  concurrency: number;
  /** Wait between polls while the queue is empty (or the database away). */
  pollingIntervalSeconds: number;
};

/** How long stopping waits for the jobs in flight before it lets pg-boss stop anyway (they then expire). */
const STOP_WAIT_MS = 10_000;
/** pg-boss's own default expiry, should a job come without one. */
const DEFAULT_EXPIRY_MS = 15 * 60_000;
/** Successes within this window are completed together; freed slots within it are refilled together. */
const GATHER_MS = 20;

export async function workEach<T extends object>(
  boss: PgBoss,
  queue: string,
  options: WorkEachOptions,
  handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let endSleep: (() => void) | null = null;
  let wakeOnFreeSlot = false;

  const sleep = (ms: number, untilFreeSlot: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        endSleep = null;
        resolve();
      }
      endSleep = done;
      wakeOnFreeSlot = untilFreeSlot;
    });

  const run = async (job: PgBoss.JobWithMetadata<T>): Promise<void> => {
    // As pg-boss's own work() does: a handler still running when its job expires no longer holds a slot
    // (pg-boss's maintenance expires the job and it is retried); our handlers end long before, by their
    // own timeouts, unless something below them hangs.
    const work = handle(job);
    let timer: NodeJS.Timeout | undefined;
    // pg-boss reads it with EXTRACT(epoch …), which node-postgres hands over as a numeric string.
    const expirySeconds = Number(job.expireInSeconds);
    const expiryMs = Number.isFinite(expirySeconds) && expirySeconds > 0 ? expirySeconds * 1000 : DEFAULT_EXPIRY_MS;
    const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), expiryMs)));
    try {
      if ((await Promise.race([work, expired])) === "expired") {
        work.catch(() => undefined);
        log.error({ queue, jobId: job.id, expireInSeconds: job.expireInSeconds }, "jobs: job still running at its expiry; its slot is freed and pg-boss retries it");
        return;
      }
    } catch (error) {
      const message = (error as Error).message;
      log.warn({ queue, jobId: job.id, err: message }, "jobs: job failed, pg-boss will retry it");
      // The usual cause is the database being away; failing the job must wait for it to come back, or
      // the job stays "active" until it expires (expireInSeconds + maintenance: about 90 s later).
      await retryDbWrite("fail job", () => boss.fail(queue, job.id, { message })).catch((e: Error) =>
        log.error({ queue, jobId: job.id, err: e.message }, "jobs: could not fail the job; it is retried after it expires"),
      );
      return;
    } finally {
      clearTimeout(timer);
    }
    completeSoon(job.id);
  };

  let toComplete: string[] = [];
  let completing: Promise<void> | null = null;
  const flushCompletions = async () => {
    const ids = toComplete;
    toComplete = [];
    await retryDbWrite("complete jobs", () => boss.complete(queue, ids)).catch((e: Error) =>
      log.error({ queue, jobIds: ids, err: e.message }, "jobs: could not complete the jobs; they run again after they expire"),
    );
  };
  const completeSoon = (jobId: string) => {
    toComplete.push(jobId);
    completing ??= new Promise((resolve) => setTimeout(resolve, GATHER_MS)).then(flushCompletions).finally(() => (completing = null));
  };

  let refill: NodeJS.Timeout | null = null;
  const slotFreed = () => {
    if (!wakeOnFreeSlot || refill) return;
    refill = setTimeout(() => {
      refill = null;
      endSleep?.();
    }, GATHER_MS);
  };

  const loop = (async () => {
    while (!stopping) {
      const free = options.concurrency - inFlight.size;
      let fetched = 0;
      if (free > 0) {
        try {
          const jobs = await boss.fetch<T>(queue, { batchSize: free, includeMetadata: true });
          fetched = jobs.length;
          for (const job of jobs) {
            const running: Promise<void> = run(job).finally(() => {
              inFlight.delete(running);
              slotFreed();
            });
            inFlight.add(running);
          }
        } catch (error) {
          if (!stopping) log.warn({ queue, err: (error as Error).message }, "jobs: could not fetch jobs; trying again");
        }
      }
      if (stopping) break;
      // Every slot busy, or just filled (more may be waiting): go on as soon as a slot frees up. Otherwise
      // the queue is empty for now: poll again after the interval.
      const full = free === 0 || (fetched > 0 && fetched === free);
      // Slots freed while we were fetching woke nobody: gather a moment, then fetch for them.
      if (full && inFlight.size < options.concurrency) await sleep(GATHER_MS, false);
      else await sleep(options.pollingIntervalSeconds * 1000, full);
    }
  })();

  // Stopped by stopBoss (tests, the bench), or pg-boss stopping on its own: no more fetching.
  boss.once("stopped", () => {
    stopping = true;
    endSleep?.();
  });
  onBossStop(boss, async () => {
    stopping = true;
    endSleep?.();
    await loop;
    await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    await completing;
    if (toComplete.length > 0) await flushCompletions();
  });
}
