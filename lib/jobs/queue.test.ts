import { describe, expect, it } from "vitest";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { enqueue, getBoss, stopBoss } from "./queue";
import { QUEUES } from "./queues";

useTestDatabase();

describe("job queue", () => {
  it("keeps a job sent inside a transaction only when the transaction commits", async () => {
    const boss = await getBoss();
    await db().$transaction(async (tx) => {
      await enqueue([{ name: "test-echo", data: { n: 1 }, singletonKey: "committed" }], { tx });
    });
    await expect(
      db().$transaction(async (tx) => {
        await enqueue([{ name: "test-echo", data: { n: 2 }, singletonKey: "rolled-back" }], { tx });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const jobs = await boss.fetch<{ n: number }>("test-echo", { batchSize: 10 });
    expect(jobs.map((j) => j.data.n)).toEqual([1]);
    await stopBoss();
  });

  it("carries a changed retry/expiry policy to a queue an earlier release created, and leaves equal ones alone", async () => {
    await getBoss();
    await db().$executeRaw`UPDATE pgboss.queue SET expire_seconds = 999, retry_limit = 1 WHERE name = 'notify-insales'`;
    const before = await db().$queryRaw<Array<{ updated: Date }>>`SELECT updated_on AS updated FROM pgboss.queue WHERE name = 'send-mail'`;
    await stopBoss();
    const boss = await getBoss();
    expect(await boss.getQueue("notify-insales")).toMatchObject({ expireInSeconds: QUEUES["notify-insales"].expireInSeconds, retryLimit: QUEUES["notify-insales"].retryLimit });
    const after = await db().$queryRaw<Array<{ updated: Date }>>`SELECT updated_on AS updated FROM pgboss.queue WHERE name = 'send-mail'`;
    expect(after[0].updated.getTime()).toBe(before[0].updated.getTime());
    await stopBoss();
  });
});
