// Several instances starting at once on a fresh database (a first deploy, a rolling deploy that adds a
// queue): each one's pg-boss creates the queues. Without serialising that, PostgreSQL detects a deadlock in
// pgboss.create_queue() and the losing instance's start-up hook fails for good (every request then
// answers an error) — found by the multi-instance scenario. Here: four "instances" in one process, each
// with its own pg-boss, started together, on fresh databases, several times.
import { afterAll, describe, expect, it } from "vitest";
import { getBoss, stopBoss } from "@/lib/jobs/queue";
import { QUEUES } from "@/lib/jobs/queues";
import { disconnectDb } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { cloneTestDatabase } from "@/tests/support/test-db";
import { TEST_ENV } from "@/tests/support/test-env";
import type PgBoss from "pg-boss";

const slot = globalThis as unknown as { boss?: Promise<PgBoss> };
const drops: Array<() => Promise<void>> = [];

afterAll(async () => {
  await disconnectDb();
  for (const d of drops) await d();
});

describe("pg-boss start-up on one fresh database", () => {
  it("four instances starting together all come up with every queue", async () => {
    for (let round = 0; round < 3; round++) {
      const db = await cloneTestDatabase();
      drops.push(db.drop);
      Object.assign(process.env, TEST_ENV, { DATABASE_URL: db.url });
      resetEnvCache();
      const starts: Array<Promise<PgBoss>> = [];
      for (let i = 0; i < 4; i++) {
        slot.boss = undefined; // a new process would have no boss yet
        starts.push(getBoss());
      }
      const settled = await Promise.allSettled(starts);
      const failures = settled.filter((s) => s.status === "rejected").map((s) => String((s as PromiseRejectedResult).reason));
      for (const s of settled) if (s.status === "fulfilled") await s.value.stop({ graceful: false, wait: true, timeout: 5_000 });
      slot.boss = undefined;
      expect(failures).toEqual([]);
      const boss = await getBoss();
      for (const name of Object.keys(QUEUES)) expect(await boss.getQueue(name), name).toBeTruthy();
      await stopBoss();
    }
  }, 120_000);
});
