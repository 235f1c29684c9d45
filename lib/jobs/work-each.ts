// A pg-boss worker that fetches a batch and handles its jobs concurrently, each failing on its own.
// Why: pg-boss 10 runs one fetch → handler → wait loop per `work()` call and, after a batch, sleeps for
// the rest of `pollingIntervalSeconds`. With batchSize 1 that is about one job per second per worker,
// far too slow for the burst of notices that follows a sale. With a batch, pg-boss completes or fails
// the whole batch together; here each job that throws is failed by id (its own retry and back-off), and
// pg-boss then completes only the jobs still active (its complete query filters on state = 'active').
import type PgBoss from "pg-boss";
import { retryDbWrite } from "../db-retry";
import { log } from "../log";

export type WorkEachOptions = {
  /** Jobs fetched (and handled at once) per poll. */
  batchSize: number;
  /** Wait between polls when the queue was empty (pg-boss's minimum is 0.5 s). */
  pollingIntervalSeconds: number;
};

export async function workEach<T extends object>(
  boss: PgBoss,
  queue: string,
  options: WorkEachOptions,
  handle: (job: PgBoss.JobWithMetadata<T>) => Promise<void>,
): Promise<string> {
  return boss.work<T>(queue, { batchSize: options.batchSize, pollingIntervalSeconds: options.pollingIntervalSeconds, includeMetadata: true as const }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
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
        }
      }),
    );
  });
}
