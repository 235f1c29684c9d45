// The `connect-gateway` job: the button and the automatic attempt after the first settings save only
// enqueue it (never block a request on the InSales API). The queue is "stately" with singletonKey = shop
// id (lib/jobs/queues.ts): at most one run per shop at a time and at most one waiting behind it.
import type { Tx } from "../db";
import { db } from "../db";
import { enqueue } from "../jobs/queue";
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { connectGateway, markGatewayFailedUnexpectedly } from "./connect-gateway";

export const CONNECT_GATEWAY_QUEUE = "connect-gateway" as const;

type ConnectGatewayJob = { shopId: string };

/**
 * Marks the gateway CONNECTING and queues the job, in `tx` when given (so the state and the job commit
 * together). A request while a run is waiting adds nothing: pg-boss drops the duplicate.
 */
export async function requestGatewayConnection(shopId: string, options: { tx?: Tx } = {}): Promise<void> {
  const run = async (tx: Tx) => {
    await tx.shopGateway.upsert({
      where: { shopId },
      create: { shopId, state: "CONNECTING" },
      update: { state: "CONNECTING", lastError: null },
    });
    await enqueue<ConnectGatewayJob>(CONNECT_GATEWAY_QUEUE, { shopId }, { tx, singletonKey: shopId });
  };
  if (options.tx) await run(options.tx);
  else await db().$transaction(run);
}

/** The automatic attempt after the first successful settings save: only while never connected. */
export async function requestGatewayConnectionIfNew(shopId: string, options: { tx?: Tx } = {}): Promise<boolean> {
  const client = options.tx ?? db();
  const gateway = await client.shopGateway.findUnique({ where: { shopId }, select: { state: true } });
  if (gateway && gateway.state !== "NOT_CONNECTED") return false;
  await requestGatewayConnection(shopId, options);
  return true;
}

/** The job body (exported for tests): expected failures are stored on the gateway, not retried. */
export async function runConnectGatewayJob(data: ConnectGatewayJob): Promise<void> {
  try {
    await connectGateway(data.shopId);
  } catch (error) {
    log.error({ shopId: data.shopId, err: (error as Error).message }, "connect-gateway: unexpected error");
    await markGatewayFailedUnexpectedly(data.shopId).catch(() => undefined);
    throw error; // pg-boss retries with back-off; a later run sets CONNECTING → CONNECTED/FAILED again
  }
}

registerWorker({
  name: CONNECT_GATEWAY_QUEUE,
  start: (boss) =>
    boss.work<ConnectGatewayJob>(CONNECT_GATEWAY_QUEUE, async ([job]) => {
      await runConnectGatewayJob(job.data);
    }),
});
