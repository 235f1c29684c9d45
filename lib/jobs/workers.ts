// Starts every job worker of this process (called once from instrumentation.ts at server start, unless
// JOBS_WORKERS=off). Each use case exports its handler; this file only wires names to handlers.
import { env } from "../env";
import { log } from "../log";
import { getBoss } from "./queue";

type Registration = { name: string; start: (boss: Awaited<ReturnType<typeof getBoss>>) => Promise<unknown> };

const registrations: Registration[] = [];

/** Use cases add their workers here (see lib/register-workers.ts). */
export function registerWorker(registration: Registration): void {
  if (!registrations.some((r) => r.name === registration.name)) registrations.push(registration);
}

/** A job that runs on a cron schedule (pg-boss runs each tick once across all instances). */
export function registerScheduledWorker(name: string, cron: string, run: () => Promise<unknown>): void {
  registerWorker({
    name,
    start: async (boss) => {
      await boss.schedule(name, cron);
      return boss.work(name, async () => {
        await run();
      });
    },
  });
}

export async function startWorkers(): Promise<void> {
  if (env().JOBS_WORKERS === "off") {
    log.info("jobs: workers disabled in this process (JOBS_WORKERS=off)");
    return;
  }
  const boss = await getBoss();
  for (const r of registrations) {
    await r.start(boss);
  }
  log.info({ workers: registrations.map((r) => r.name) }, "jobs: workers started");
}
