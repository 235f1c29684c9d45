// A pg-boss worker that keeps up to `concurrency` jobs in flight, each completed or failed on its own.
// Why not pg-boss's own `work()`: pg-boss 10 runs one fetch → handler → wait loop per `work()` call. With
// batchSize 1 that is about one job per polling interval, far too slow for the burst of notices that
// follows a sale. With a batch, the next batch is fetched only when every job of the current one is done:
// one shop whose server hangs until our 20 s timeout held up the notices of every other shop queued behind
// it (lib/payments/notify-insales.test.ts «a shop whose InSales hangs»).
// Here: as many jobs are fetched as there are free slots; each runs on its own and is completed as soon as
// it succeeds, or failed (its own retry and back-off) as soon as it throws; a freed slot is refilled at once
// while the queue has work. A job whose process dies is expired by pg-boss's maintenance and retried, as
// with `work()`.
import { randomUUID } from "node:crypto";
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

export async function workEach<T extends object>(
  boss: PgBoss,
  queue: string,
  options: WorkEachOptions,
  handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>,
): Promise<string> {
  const id = randomUUID();
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
    try {
      await handle(job);
    } catch (error) {
      const message = (error as Error).message;
      log.warn({ queue, jobId: job.id, err: message }, "jobs: job failed, pg-boss will retry it");
      // The usual cause is the database being away; failing the job must wait for it to come back, or
      // the job stays "active" until it expires (expireInSeconds + maintenance: about 90 s later).
      await retryDbWrite("fail job", () => boss.fail(queue, job.id, { message })).catch((e: Error) =>
        log.error({ queue, jobId: job.id, err: e.message }, "jobs: could not fail the job; it is retried after it expires"),
      );
      return;
    }
    await retryDbWrite("complete job", () => boss.complete(queue, job.id)).catch((e: Error) =>
      log.error({ queue, jobId: job.id, err: e.message }, "jobs: could not complete the job; it runs again after it expires"),
    );
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
              if (wakeOnFreeSlot) endSleep?.();
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
      await sleep(options.pollingIntervalSeconds * 1000, full);
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
  });
  return id;
}
