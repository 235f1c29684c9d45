// Every queue with its retry policy. pg-boss 10 needs queues created before use (lib/jobs/queue.ts does).
// Workers live next to their use case and are registered in lib/jobs/workers.ts.
import type PgBoss from "pg-boss";

type Policy = Omit<PgBoss.Queue, "name">;

export const QUEUES = {
  /** Example/test queue used by the queue's own tests. */
  "test-echo": { retryLimit: 2, retryDelay: 1, retryBackoff: false },
} satisfies Record<string, Policy>;

export type QueueName = keyof typeof QUEUES;
