// The `sync-account` job: read /admin/account.json after install. The API is locked for a shop until
// InSales has received the install 200 (spec/insales-protocol.md §1 Install), so install only enqueues
// this; the job runs afterwards and retries with back-off (lib/jobs/queues.ts).
import type { Tx } from "../db";
import { enqueue } from "../jobs/queue";
import { registerWorker } from "../jobs/workers";
import { syncShopAccount } from "./sync-account";

export const SYNC_ACCOUNT_QUEUE = "sync-account" as const;

type SyncAccountJob = { shopId: string };

/** Queued in the install transaction (`tx`), one per shop at a time. */
export async function enqueueAccountSync(shopId: string, options: { tx?: Tx } = {}): Promise<void> {
  // A short delay: InSales unlocks the API only after it has our 200.
  await enqueue<SyncAccountJob>(SYNC_ACCOUNT_QUEUE, { shopId }, { tx: options.tx, singletonKey: shopId, startAfter: 2 });
}

registerWorker({
  name: SYNC_ACCOUNT_QUEUE,
  start: (boss) =>
    boss.work<SyncAccountJob>(SYNC_ACCOUNT_QUEUE, async ([job]) => {
      const result = await syncShopAccount(job.data.shopId);
      // Throwing hands the job back to pg-boss's back-off; permanent outcomes (uninstalled, mismatch) end it.
      if (!result.ok && result.retryable) throw new Error(`sync-account: ${result.reason}, will retry`);
    }),
});
