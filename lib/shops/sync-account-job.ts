// The `sync-account` worker: proves one install candidate by reading /admin/account.json with it, which
// also stores the shop's title and owner e-mail (lib/shops/sync-account.ts). The API is locked for a shop
// until InSales has received our install 200 (docs/protocols/insales.md §1 Install), so install only
// queues this; a probe that may yet succeed (401 while locked, timeouts, 5xx, 429) queues the next one
// itself, on a back-off, until the proof window ends. pg-boss's own retries only cover a crash or an
// unexpected error inside the worker.
import { workEach } from "../jobs/work-each";
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { SYNC_ACCOUNT_QUEUE, type SyncAccountJob } from "./install-proof-queue";
import { proveInstallCandidate } from "./sync-account";

registerWorker({
  name: SYNC_ACCOUNT_QUEUE,
  start: (boss) =>
    // A few probes at once: each waits at most its 10 s timeout, and forged calls queued before a genuine
    // one must not hold its proof up for long.
    workEach<Partial<SyncAccountJob>>(boss, SYNC_ACCOUNT_QUEUE, { concurrency: 5, pollingIntervalSeconds: 1 }, async (job) => {
      // Jobs of the earlier release ({ shopId }: sync an installed shop) have nothing left to do.
      if (!job.data.candidateId) {
        log.info({ jobId: job.id }, "sync-account: job of an earlier release, nothing to do");
        return;
      }
      await proveInstallCandidate(job.data.candidateId);
    }),
});
