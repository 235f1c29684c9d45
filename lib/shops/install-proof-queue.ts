// The sync-account queue and an install candidate's proof job. Kept apart from the worker
// (lib/shops/sync-account-job.ts) so admission and the proof itself can queue the next probe in their own
// transactions without importing the worker.
import type { Tx } from "../db";
import { enqueue } from "../jobs/queue";

/** The queue of lib/jobs/queues.ts «sync-account». */
export const SYNC_ACCOUNT_QUEUE = "sync-account" as const;

export type SyncAccountJob = { candidateId: string };

/** One waiting job per candidate ("stately" + singletonKey), started after `startAfterSeconds`. */
export async function enqueueInstallProof(candidateId: string, options: { tx?: Tx; startAfterSeconds: number }): Promise<void> {
  const data: SyncAccountJob = { candidateId };
  await enqueue([{ name: SYNC_ACCOUNT_QUEUE, data, singletonKey: candidateId, startAfterSeconds: options.startAfterSeconds }], { tx: options.tx });
}
