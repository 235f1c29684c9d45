// The connect-gateway queue and the request for a connection: the button and the automatic attempt after
// the first settings save only mark the gateway CONNECTING and queue the job (never block a request on the
// InSales API; lib/shops/connect-gateway-job.ts runs it). The queue is "stately" with singletonKey = shop id
// (lib/jobs/queues.ts): at most one run per shop at a time and at most one waiting behind it.
import { inTransaction, type Tx } from "../db";
import { enqueue } from "../jobs/queue";
import { gatewayStateOf, markGatewayConnecting } from "./gateway-store";

/** The queue of lib/jobs/queues.ts «connect-gateway». */
export const CONNECT_GATEWAY_QUEUE = "connect-gateway" as const;

export type ConnectGatewayJob = { shopId: string };

/**
 * Marks the gateway CONNECTING and queues the job, in `tx` when given (so the state and the job commit
 * together). A request while a run is waiting adds nothing: pg-boss drops the duplicate.
 */
export async function requestGatewayConnection(shopId: string, options: { tx?: Tx } = {}): Promise<void> {
  const run = async (tx: Tx) => {
    await markGatewayConnecting(tx, shopId);
    const data: ConnectGatewayJob = { shopId };
    await enqueue([{ name: CONNECT_GATEWAY_QUEUE, data, singletonKey: shopId }], { tx });
  };
  if (options.tx) await run(options.tx);
  else await inTransaction(run);
}

/** The automatic attempt after the first successful settings save: only while never connected. */
export async function requestGatewayConnectionIfNew(shopId: string, options: { tx?: Tx } = {}): Promise<boolean> {
  const state = await gatewayStateOf(shopId, options.tx);
  if (state !== null && state !== "NOT_CONNECTED") return false;
  await requestGatewayConnection(shopId, options);
  return true;
}
