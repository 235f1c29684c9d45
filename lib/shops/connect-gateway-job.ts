// The `connect-gateway` job: runs connect-gateway.ts for one shop (queued by connect-gateway-queue.ts).
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { connectGateway, markGatewayFailedUnexpectedly } from "./connect-gateway";
import { CONNECT_GATEWAY_QUEUE, type ConnectGatewayJob } from "./connect-gateway-queue";

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
