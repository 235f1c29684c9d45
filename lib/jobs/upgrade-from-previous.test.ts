// A deploy must not strand the jobs the previous release queued: after it, this release's pg-boss opens the
// schema the previous one wrote (migrating it if its version moved) and runs those jobs, same queue names,
// same payloads, retries carried on. The previous release's pg-boss is installed beside ours as the
// devDependency `pg-boss-10`. Whoever moves `pg-boss` to a new major moves that alias to the version
// production runs then, and this test says whether the new one can take over: pg-boss 11 and 12 cannot
// start on a pg-boss 10 schema at all («Cannot migrate pg-boss schema from version 24», README «Runtime and
// dependencies»), which a test on a fresh database would never notice.
import PreviousPgBoss from "pg-boss-10";
import { afterEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { waitFor } from "../../tests/support/wait-for";
import { getBoss, stopBoss } from "./queue";
import { QUEUES, type QueueName } from "./queues";
import { workEach } from "./work-each";

const database = useTestDatabase();

afterEach(async () => {
  await stopBoss();
});

type Queued = { queue: QueueName; id: string; data: { probe: string } };

/** What the previous release's start-up and use cases did: its queues created, one job sent to each (and
 *  one that failed once and waits for its retry). */
async function queueWithPreviousRelease(): Promise<{ queued: Queued[]; retried: Queued }> {
  const previous = new PreviousPgBoss({ connectionString: database.url, schema: "pgboss" });
  previous.on("error", () => undefined);
  await previous.start();
  try {
    for (const [name, policy] of Object.entries(QUEUES)) await previous.createQueue(name, { name, ...policy });
    // A job that had already failed once under the previous release: its retry is the new release's to run.
    const failedData = { probe: "failed-once-before-the-deploy" };
    const failedId = (await previous.send("test-echo", failedData, { singletonKey: "failed-once" }))!;
    const [failing] = await previous.fetch("test-echo", { batchSize: 1 });
    expect(failing.id).toBe(failedId);
    await previous.fail("test-echo", failedId, { message: "failed before the deploy" });
    const queued: Queued[] = [];
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      const data = { probe: `${name}-queued-before-the-deploy` };
      const id = await previous.send(name, data, { singletonKey: `before-deploy-${name}` });
      expect(id, `the previous release queued a ${name} job`).toBeTruthy();
      queued.push({ queue: name, id: id!, data });
    }
    return { queued, retried: { queue: "test-echo", id: failedId, data: failedData } };
  } finally {
    await previous.stop({ graceful: false, wait: true });
  }
}

describe("a deploy over the previous release's jobs", () => {
  it("runs every job the previous release's pg-boss queued, with its payload, and carries a failed job's retry on", async () => {
    const { queued, retried } = await queueWithPreviousRelease();
    const boss = await getBoss();
    const ran = new Map<string, { queue: string; data: unknown; retryCount: number }>();
    for (const queue of Object.keys(QUEUES) as QueueName[]) {
      await workEach<{ probe: string }>(boss, queue, { concurrency: 5, pollingIntervalSeconds: 0.5 }, async (job) => {
        ran.set(job.id, { queue, data: job.data, retryCount: job.retryCount });
      });
    }
    const expected = [...queued, retried];
    // test-echo retries after 1 s (lib/jobs/queues.ts).
    await waitFor("every job queued before the deploy to run", () => expected.every((q) => ran.has(q.id)));
    for (const q of queued) expect(ran.get(q.id), q.queue).toEqual({ queue: q.queue, data: q.data, retryCount: 0 });
    expect(ran.get(retried.id)).toEqual({ queue: "test-echo", data: retried.data, retryCount: 1 });
    await waitFor("their completion", async () => {
      const jobs = await Promise.all(expected.map((q) => boss.getJobById(q.queue, q.id)));
      return jobs.every((job) => job?.state === "completed");
    });
  });
});
