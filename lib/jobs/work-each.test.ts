// workEach against a real PostgreSQL and pg-boss, on the test queue: each job completed or failed on its
// own, and a job that never ends does not keep its slot past its expiry.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { waitFor } from "../../tests/support/wait-for";
import { getBoss, stopBoss } from "./queue";
import { workEach } from "./work-each";

useTestDatabase();

afterEach(async () => {
  await stopBoss();
});

async function jobState(id: string): Promise<string | undefined> {
  const rows = await db().$queryRaw<Array<{ state: string }>>`SELECT state::text AS state FROM pgboss.job WHERE name = 'test-echo' AND id = ${id}::uuid`;
  return rows[0]?.state;
}

describe("workEach", () => {
  it("completes a job that succeeds and fails one that throws, each on its own", async () => {
    const boss = await getBoss();
    const ok = (await boss.send("test-echo", { n: 1 }))!;
    const bad = (await boss.send("test-echo", { n: 2 }))!;
    const seen: number[] = [];
    await workEach<{ n: number }>(boss, "test-echo", { concurrency: 5, pollingIntervalSeconds: 0.5 }, async (job) => {
      seen.push(job.data.n);
      if (job.data.n === 2) throw new Error("handler refused");
    });
    await waitFor("the successful job's completion", async () => (await jobState(ok)) === "completed");
    // test-echo retries twice, a second apart (lib/jobs/queues.ts): the failure went to pg-boss's retry.
    await waitFor("the failing job's retry", async () => ["retry", "active", "failed"].includes((await jobState(bad)) ?? ""));
    const failed = await db().$queryRaw<Array<{ output: { message?: string } }>>`SELECT output FROM pgboss.job WHERE id = ${bad}::uuid`;
    expect(failed[0].output.message).toBe("handler refused");
    expect(seen).toContain(1);
    expect(seen).toContain(2);
  });

  it("frees the slot of a job still running at its expiry, so the jobs behind it are handled", async () => {
    const boss = await getBoss();
    const hanging = (await boss.send("test-echo", { n: 1 }, { expireInSeconds: 1 }))!;
    const handled: number[] = [];
    // One slot: without the expiry, the hanging job would hold it for good.
    await workEach<{ n: number }>(boss, "test-echo", { concurrency: 1, pollingIntervalSeconds: 0.5 }, async (job) => {
      if (job.data.n === 1) return new Promise<void>(() => undefined);
      handled.push(job.data.n);
    });
    await waitFor("the hanging job to be taken", async () => (await jobState(hanging)) === "active");
    await boss.send("test-echo", { n: 2 });
    await waitFor("the job queued behind it", () => handled.includes(2));
  });
});
