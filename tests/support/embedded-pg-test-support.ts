// Shared by the embedded-pg tests: a throw-away data folder under .data/ and a child-process runner.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { clusterProcesses, signal, waitUntil } from "../../lib/embedded-pg/cluster-processes";
import { PROJECT_ROOT } from "../../lib/embedded-pg/embedded-postgres";

export function tempDataDir(): { rel: string; abs: string; cluster: string; cleanup: () => Promise<void> } {
  const rel = `.data/test-embedded-pg-${randomBytes(4).toString("hex")}`;
  const abs = path.join(PROJECT_ROOT, rel);
  const cluster = path.join(abs, "cluster");
  return {
    rel,
    abs,
    cluster,
    async cleanup() {
      for (const pid of clusterProcesses(cluster)) signal(pid, "SIGKILL");
      await waitUntil(() => clusterProcesses(cluster).length === 0, 5_000);
      rmSync(abs, { recursive: true, force: true });
    },
  };
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export type Running = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout contains `text` (rejects if the process exits first or after `ms`). */
  waitFor: (text: string, ms?: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** `node --import tsx scripts/with-database.ts <args>` with exactly `env` (plus PATH). */
export function runWithDatabase(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/with-database.ts", ...args], {
    cwd: PROJECT_ROOT,
    // Exactly these variables: the test runner's own DATABASE_URL etc. must not leak in.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } as Record<string, string> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, sig) => resolve({ code, signal: sig })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(text, ms = 30_000) {
      const ok = await waitUntil(() => out.includes(text) || done, ms);
      if (!ok || !out.includes(text)) {
        throw new Error(`did not see ${JSON.stringify(text)}; stdout:\n${out}\nstderr:\n${err}`);
      }
    },
  };
}
