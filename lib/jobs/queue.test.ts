import { describe, expect, it } from "vitest";
import { db } from "../db";
import { useTestDatabase } from "../testing/use-test-database";
import { enqueue, getBoss, stopBoss } from "./queue";

useTestDatabase();

describe("job queue", () => {
  it("keeps a job sent inside a transaction only when the transaction commits", async () => {
    const boss = await getBoss();
    await db().$transaction(async (tx) => {
      await enqueue("test-echo", { n: 1 }, { tx, singletonKey: "committed" });
    });
    await expect(
      db().$transaction(async (tx) => {
        await enqueue("test-echo", { n: 2 }, { tx, singletonKey: "rolled-back" });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const jobs = await boss.fetch<{ n: number }>("test-echo", { batchSize: 10 });
    expect(jobs.map((j) => j.data.n)).toEqual([1]);
    await stopBoss();
  });
});
