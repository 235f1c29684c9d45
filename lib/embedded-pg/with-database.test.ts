// scripts/with-database.ts as a real child process: kill -9 recovery, signal forwarding, DATABASE_URL.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clusterProcesses, isAlive, postmasterPid, signal, waitUntil } from "./cluster-processes";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { query, runWithDatabase, tempDataDir } from "../../tests/support/embedded-pg-test-support";

// The command the wrapper runs: writes a row through DATABASE_URL, then serves until killed.
const SERVE_FOREVER = `
const pg = require("pg");
const c = new pg.Client(process.env.DATABASE_URL);
(async () => {
  await c.connect();
  await c.query("CREATE TABLE IF NOT EXISTS marks (note text)");
  await c.query("INSERT INTO marks VALUES ($1)", [process.argv[1]]);
  const m = await c.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL").catch(() => ({ rows: [{ n: -1 }] }));
  console.log("serving pid=" + process.pid + " migrations=" + m.rows[0].n);
  process.on("SIGTERM", () => setTimeout(() => { console.log("command got SIGTERM"); process.exit(3); }, 200));
  setInterval(() => c.query("SELECT 1"), 100);
})();
`;

const dir = tempDataDir();
afterAll(() => dir.cleanup());

function commandPid(stdout: string): number {
  return Number(/serving pid=(\d+)/.exec(stdout)![1]);
}

describe("scripts/with-database.ts with the embedded server", () => {
  it("starts it, migrates, runs the command; after kill -9 of wrapper and postmaster the next start recovers the data", async () => {
    const run = runWithDatabase([`--data-dir=${dir.rel}`, "--", "node", "-e", SERVE_FOREVER, "before-kill"], {});
    await run.waitFor("serving", 60_000);
    const port = Number(readFileSync(path.join(dir.abs, "port"), "utf8"));
    expect(run.stderr()).toContain(`database: embedded PostgreSQL at ${dir.rel} (port ${port})`);
    expect(run.stdout()).toMatch(/migrations=[1-9]/);

    const postmaster = postmasterPid(dir.cluster)!;
    expect(isAlive(postmaster)).toBe(true);
    signal(run.child.pid!, "SIGKILL");
    signal(postmaster, "SIGKILL");
    signal(commandPid(run.stdout()), "SIGKILL");
    await run.exited;

    const messages: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: (m) => messages.push(m) });
    try {
      expect(messages.join("\n")).toMatch(/recovered after an unclean shutdown/);
      expect(await query(again.url, "SELECT note FROM marks")).toEqual([{ note: "before-kill" }]);
    } finally {
      await again.stop();
    }
  });

  it("after kill -9 of the wrapper alone, the next start stops the server it left running and takes over", async () => {
    const run = runWithDatabase(["--no-migrate", `--data-dir=${dir.rel}`, "--", "node", "-e", SERVE_FOREVER, "orphaned"], {});
    await run.waitFor("serving");
    const orphan = postmasterPid(dir.cluster)!;
    signal(run.child.pid!, "SIGKILL");
    signal(commandPid(run.stdout()), "SIGKILL");
    await run.exited;
    expect(isAlive(orphan)).toBe(true);

    const messages: string[] = [];
    const again = await startEmbeddedPostgres({ dataDir: dir.rel, onMessage: (m) => messages.push(m) });
    try {
      expect(messages.join("\n")).toContain(`stopping the server (pid ${orphan}) that an earlier run left running`);
      expect(isAlive(orphan)).toBe(false);
      expect(await query(again.url, "SELECT note FROM marks ORDER BY note")).toEqual([{ note: "before-kill" }, { note: "orphaned" }]);
    } finally {
      await again.stop();
    }
  });

  it("passes SIGTERM to the command, exits with its code, and then stops the server cleanly", async () => {
    const run = runWithDatabase(["--no-migrate", `--data-dir=${dir.rel}`, "--", "node", "-e", SERVE_FOREVER, "sigterm"], {});
    await run.waitFor("serving");
    const postmaster = postmasterPid(dir.cluster)!;
    signal(run.child.pid!, "SIGTERM");
    const { code } = await run.exited;
    expect(code).toBe(3);
    expect(run.stdout()).toContain("command got SIGTERM");
    expect(isAlive(postmaster)).toBe(false);
    expect(clusterProcesses(dir.cluster)).toEqual([]);
    expect(readFileSync(path.join(dir.abs, "postgres.log"), "utf8")).toContain("database system is shut down");
  });

  it("exits with the command's exit code", async () => {
    const run = runWithDatabase(["--no-migrate", `--data-dir=${dir.rel}`, "--", "node", "-e", "process.exit(5)"], {});
    expect((await run.exited).code).toBe(5);
    expect(clusterProcesses(dir.cluster)).toEqual([]);
  });
});

describe("scripts/with-database.ts with DATABASE_URL set", () => {
  it("uses it, prints it without credentials, and starts no embedded server", async () => {
    const unused = tempDataDir();
    // Never connected to (--no-migrate): only what the wrapper prints and passes on matters here.
    const given = "postgresql://shop_app:s3cret-pw@127.0.0.1:6543/shopdb?sslmode=disable&password=also-secret";
    const run = runWithDatabase(
      ["--no-migrate", `--data-dir=${unused.rel}`, "--", "node", "-e", "console.log('URL=' + process.env.DATABASE_URL)"],
      { DATABASE_URL: given },
    );
    expect((await run.exited).code).toBe(0);
    expect(run.stderr()).toContain("database: postgresql://127.0.0.1:6543/shopdb\n");
    expect(run.stderr()).not.toContain("s3cret");
    expect(run.stderr()).not.toContain("also-secret");
    expect(run.stderr()).not.toContain("embedded");
    expect(run.stdout()).toContain(`URL=${given}`);
    expect(existsSync(unused.abs)).toBe(false);
    expect(clusterProcesses(unused.cluster)).toEqual([]);
  });

  it("--test: points TEST_ADMIN_DATABASE_URL at DATABASE_URL's server, database postgres", async () => {
    const run = runWithDatabase(
      ["--test", "--", "node", "-e", "console.log('ADMIN=' + process.env.TEST_ADMIN_DATABASE_URL)"],
      { DATABASE_URL: "postgresql://u:pw@127.0.0.1:6543/app" },
    );
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toContain("ADMIN=postgresql://u:pw@127.0.0.1:6543/postgres");
    expect(run.stderr()).toContain("test database server: postgresql://127.0.0.1:6543/postgres");
  });

  it("stops before the command when the migrations fail, with their exit code", async () => {
    const run = runWithDatabase(["--", "node", "-e", "console.log('RAN')"], { DATABASE_URL: "postgresql://nobody@127.0.0.1:1/nothing" });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.stdout()).not.toContain("RAN");
    expect(run.stderr()).toContain("migrations failed");
  }, 60_000);
});

describe("scripts/with-database.ts arguments", () => {
  it("refuses to run without a command", async () => {
    const run = runWithDatabase(["--test"], {});
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain("usage:");
  });
});

// Guard against leaving servers behind if an assertion failed midway.
afterAll(async () => {
  await waitUntil(() => clusterProcesses(dir.cluster).length === 0, 5_000);
});
