import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusterProcesses, isAlive } from "./cluster-processes";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { query, tempDataDir } from "../../tests/support/embedded-pg-test-support";

const dir = tempDataDir();
afterAll(() => dir.cleanup());

describe("startEmbeddedPostgres", () => {
  it("initialises once, serves the app database, and a restart reuses the data and the port", async () => {
    const messages: string[] = [];
    const first = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: (m) => messages.push(m) });
    try {
      expect(messages.some((m) => m.startsWith("first start: creating a PostgreSQL cluster"))).toBe(true);
      expect(first.url).toMatch(new RegExp(`^postgresql://postgres:[^@]+@127\\.0\\.0\\.1:${first.port}/intellectmoney$`));
      expect(first.adminUrl).toMatch(/\/postgres$/);
      await query(first.url, "CREATE TABLE kept (note text)");
      await query(first.url, "INSERT INTO kept VALUES ($1)", ["оплачено"]);
      // Unicode-aware case mapping whatever the machine's locales are (builtin C.UTF-8 provider).
      expect((await query<{ l: string }>(first.url, "SELECT lower('ЗАКАЗ') AS l"))[0].l).toBe("заказ");
      // Only the loopback interface.
      expect((await query<{ v: string }>(first.url, "SELECT current_setting('listen_addresses') AS v"))[0].v).toBe("127.0.0.1");
    } finally {
      await first.stop();
    }
    expect(isAlive(first.pid)).toBe(false);
    expect(readFileSync(path.join(dir.abs, "postgres.log"), "utf8")).toContain("database system is shut down");
    if (process.getuid?.() === 0) {
      const pgUid = statSync(path.join(dir.abs, "cluster")).uid;
      expect(pgUid).not.toBe(0);
      expect(statSync(dir.abs).uid).toBe(pgUid);
    }
    expect(statSync(path.join(dir.abs, "password")).mode & 0o077).toBe(0);

    const messagesAgain: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: (m) => messagesAgain.push(m) });
    try {
      expect(messagesAgain).toEqual([]);
      expect(second.port).toBe(first.port);
      expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "оплачено" }]);
    } finally {
      await second.stop();
    }
    expect(clusterProcesses(dir.cluster)).toEqual([]);
  });

  it("refuses a second server on a folder whose server is running, and the first keeps serving", async () => {
    const running = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: () => {} });
    try {
      await expect(startEmbeddedPostgres({ dataDir: dir.rel, onMessage: () => {} })).rejects.toThrow(/is in use by a server/);
      expect(await query(running.url, "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 1 }]);
    } finally {
      await running.stop();
    }
  });

  it("moves to another free port when the last one is taken", async () => {
    const lastPort = Number(readFileSync(path.join(dir.abs, "port"), "utf8"));
    const net = await import("node:net");
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(lastPort, "127.0.0.1", resolve));
    try {
      const moved = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: () => {} });
      try {
        expect(moved.port).not.toBe(lastPort);
        expect(await query(moved.url, "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 1 }]);
      } finally {
        await moved.stop();
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("redoes a first start that was interrupted before the cluster was complete", async () => {
    const fresh = tempDataDir();
    try {
      const { mkdirSync, writeFileSync } = await import("node:fs");
      mkdirSync(path.join(fresh.cluster, "base"), { recursive: true });
      writeFileSync(path.join(fresh.cluster, "PG_VERSION"), "18\n");
      const messages: string[] = [];
      const server = await startEmbeddedPostgres({ dataDir: fresh.rel, onMessage: (m) => messages.push(m) });
      try {
        expect(messages.some((m) => /half-created cluster/.test(m))).toBe(true);
        expect(await query(server.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await server.stop();
      }
      expect(existsSync(path.join(fresh.abs, "initialised"))).toBe(true);
    } finally {
      await fresh.cleanup();
    }
  });
});
