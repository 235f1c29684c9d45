// The `sync-widget` job: runs sync-widget.ts for one shop (queued by sync-widget-queue.ts).
import { registerWorker } from "../jobs/workers";
import { log } from "../log";
import { syncWidget } from "./sync-widget";
import { markWidgetFailed } from "./widget-store";
import { SYNC_WIDGET_QUEUE, type SyncWidgetJob } from "./sync-widget-queue";

/** The job body (exported for tests): expected failures are stored on the widget row, not retried here. */
export async function runSyncWidgetJob(data: SyncWidgetJob): Promise<void> {
  try {
    await syncWidget(data.shopId);
  } catch (error) {
    log.error({ shopId: data.shopId, err: (error as Error).message }, "sync-widget: unexpected error");
    await markWidgetFailed(data.shopId, "Не удалось установить виджет на странице заказа, попробуем ещё раз позже").catch(() => undefined);
    throw error; // pg-boss retries with back-off
  }
}

registerWorker({
  name: SYNC_WIDGET_QUEUE,
  start: (boss) =>
    boss.work<SyncWidgetJob>(SYNC_WIDGET_QUEUE, async ([job]) => {
      await runSyncWidgetJob(job.data);
    }),
});
