// Starts the production build (`next start`) as a child process for end-to-end tests and waits until
// /api/health answers. Its stdout/stderr go to a log file that the log audit reads afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { waitFor } from "../../tests/support/wait-for";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export type AppProcess = { url: string; port: number; child: ChildProcess; stop: () => Promise<void> };

export async function startApp(opts: { port: number; env: Record<string, string>; logFile: string }): Promise<AppProcess> {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const logStream = createWriteStream(opts.logFile, { flags: "a" });
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(opts.port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, NODE_ENV: "production", PORT: String(opts.port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(logStream);
  child.stderr!.pipe(logStream);
  const url = `http://127.0.0.1:${opts.port}`;
  let exited = false;
  child.once("exit", () => (exited = true));
  await waitFor(
    `the app to become healthy; see ${opts.logFile}`,
    async () => {
      if (exited) throw new Error(`app exited during start; see ${opts.logFile}`);
      return (await fetch(`${url}/api/health`).catch(() => null))?.status === 200; // null: not listening yet
    },
    60_000,
    250,
  );
  return {
    url,
    port: opts.port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
