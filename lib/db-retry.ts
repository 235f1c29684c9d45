// Retrying a database write that must not be lost after something irreversible already happened outside
// the database (InSales accepted a notice, a letter left through SMTP). Without it, a PostgreSQL restart
// of a few seconds fails the job after the fact and its retry repeats the irreversible part (measured:
// 5 of 40 orders got their notice twice in tests/reliability/postgres-restart.test.ts). Only for
// idempotent writes (guarded by the row's state), since a write may have committed before the error.
import { log } from "./log";

/** Waits before the attempts after the first: ~15 s in all, longer than a typical failover or restart. */
const DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000];

export async function retryDbWrite<T>(what: string, write: () => Promise<T>, delaysMs: readonly number[] = DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= delaysMs.length) throw error;
      log.warn({ what, attempt: attempt + 1, err: (error as Error).message }, "db: write failed, retrying");
      await new Promise((r) => setTimeout(r, delaysMs[attempt]));
    }
  }
}
