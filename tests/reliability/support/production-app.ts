// One production server started the way `npm start` starts it (the node flags of package.json's `start`
// script, heap cap included), its memory as the kernel reports it, the routes and server actions the build
// itself lists, and request bodies of any size streamed without ever being held in the test's memory.
// For tests/reliability/body-limits.test.ts and manifest-fuzz.test.ts (issue 12 items 5 and 7).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { freePort, ROOT } from "../../../e2e/support/app-server";
import { TEST_ENCRYPTION_KEY, TEST_ENV } from "../../support/test-env";
import { waitFor } from "../../support/wait-for";

const NEXT_DIR = path.join(ROOT, ".next");

/** These tests run the production build; they never build (it would race with other work). */
export function requireBuild(): void {
  if (!existsSync(path.join(NEXT_DIR, "BUILD_ID"))) {
    throw new Error(
      "tests/reliability: the production build is missing (.next/BUILD_ID). `npm test` builds before it runs vitest; " +
        "run `npm run build` first when running this file alone.",
    );
  }
}

/**
 * `npm start` is `… scripts/with-database.ts -- node <flags> node_modules/next/dist/bin/next start`: the node flags
 * (the heap cap) are read from there, so this server runs with whatever production runs with.
 */
export function npmStartCommand(): { nodeFlags: string[]; script: string; args: string[] } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const start = pkg.scripts.start;
  const tail = start.slice(start.indexOf(" -- ") + 4).trim().split(/\s+/);
  if (tail[0] !== "node") throw new Error(`package.json start script no longer runs node directly: ${start}`);
  const nodeFlags = tail.slice(1).filter((t) => t.startsWith("--"));
  const rest = tail.slice(1 + nodeFlags.length);
  return { nodeFlags, script: rest[0], args: rest.slice(1) };
}

export type Memory = { rssKb: number; hwmKb: number };

export type ProductionApp = {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** VmRSS and VmHWM (peak RSS since start) of the server process, from /proc/<pid>/status. */
  memory(): Memory;
  alive(): boolean;
  stop(): Promise<void>;
};

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

export async function startProductionApp(opts: { databaseUrl: string; logName: string; env?: Record<string, string> }): Promise<ProductionApp> {
  requireBuild();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logDir = path.join(ROOT, ".data", "reliability");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${opts.logName}.log`);
  const log = createWriteStream(logFile, { flags: "w" });
  const { nodeFlags, script, args } = npmStartCommand();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TEST_ENV,
    DATABASE_URL: opts.databaseUrl,
    APP_URL: url,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: "warn",
    ...opts.env,
    NODE_ENV: "production",
    PORT: String(port),
  };
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, script), ...args, "-p", String(port), "-H", "127.0.0.1"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited = false;
  child.once("exit", () => (exited = true));
  await waitFor(
    `the app to become healthy; see ${logFile}`,
    async () => {
      if (exited) throw new Error(`the app exited during start; see ${logFile}`);
      return (await fetch(`${url}/api/health`).catch(() => null))?.status === 200; // null: not listening yet
    },
    60_000,
    250,
  );
  return {
    url,
    port,
    pid: child.pid!,
    child,
    logFile,
    memory: () => {
      if (exited) throw new Error(`the server process is gone (exit code ${child.exitCode}, signal ${child.signalCode}); see ${logFile}`);
      return readMemory(child.pid!);
    },
    alive: () => !exited && child.exitCode === null,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

// ---- the build's own lists ---------------------------------------------------------------------------

export type BuiltRoute = {
  /** The URL pattern, e.g. `/payments/[id]`. */
  pattern: string;
  /** `page` (rendered, server actions may post to it) or `route` (a route handler). */
  kind: "page" | "route";
};

/** Every app route of the build (.next/app-path-routes-manifest.json: `/(group)/x/page` → `/x`). */
export function builtRoutes(): BuiltRoute[] {
  const manifest = JSON.parse(readFileSync(path.join(NEXT_DIR, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  return Object.entries(manifest)
    .map(([entry, pattern]) => ({ pattern, kind: entry.endsWith("/route") ? ("route" as const) : ("page" as const) }))
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export type BuiltAction = { id: string; name: string; pages: string[] };

/** Every server action of the build (.next/server/server-reference-manifest.json) and the pages that can run it. */
export function builtActions(): BuiltAction[] {
  const routes = JSON.parse(readFileSync(path.join(NEXT_DIR, "app-path-routes-manifest.json"), "utf8")) as Record<string, string>;
  const manifest = JSON.parse(readFileSync(path.join(NEXT_DIR, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    name: `${entry.filename ?? "?"}#${entry.exportedName ?? "?"}`,
    // Worker keys are `app/<entry>`; the routes manifest maps `/<entry>` to its URL pattern.
    pages: Object.keys(entry.workers)
      .map((w) => routes[w.replace(/^app/, "")])
      .filter((p): p is string => typeof p === "string"),
  }));
}

/** The dynamic segments of a pattern (`[id]`, `[...rest]`, `[[...opt]]`). */
export function dynamicSegments(pattern: string): string[] {
  return pattern.split("/").filter((s) => s.startsWith("["));
}

/** A pattern with its dynamic segments filled in, in order; missing values repeat the last. */
export function fillPattern(pattern: string, values: string[]): string {
  let i = 0;
  return pattern
    .split("/")
    .map((s) => (s.startsWith("[") ? values[Math.min(i++, values.length - 1)] : s))
    .join("/");
}

// ---- bodies of any size, streamed ---------------------------------------------------------------------

export type StreamedAnswer = { status: number; sentBytes: number; error?: string };

/**
 * POSTs `totalBytes` of filler (`fill`, repeated) to `url`, declared with Content-Length or chunked, from
 * one reused 64 KiB buffer with back-pressure: the test holds no more than that. Stops sending as soon
 * as the server answers (as a real client that reads the response would) and returns the status; 0 when
 * the connection ended without an answer. A raw socket, so that an answer sent before the server closes
 * the connection on an unread body is seen even when our next write fails (EPIPE, ECONNRESET).
 */
export function postStreamed(
  url: string,
  opts: {
    totalBytes: number;
    chunked: boolean;
    headers?: Record<string, string>;
    fill?: string;
    method?: string;
    prefix?: string;
    suffix?: string;
    /** Send all but the last byte, then wait for this (a slow client holding its upload open). */
    holdLastByteUntil?: Promise<void>;
  },
): Promise<StreamedAnswer> {
  const target = new URL(url);
  const filler = Buffer.alloc(64 * 1024, opts.fill ?? "a");
  const prefix = Buffer.from(opts.prefix ?? "");
  const suffix = Buffer.from(opts.suffix ?? "");
  const held = opts.holdLastByteUntil ? 1 : 0;
  return new Promise((resolve) => {
    let sent = 0;
    let settled = false;
    let received = "";
    const socket = connect(Number(target.port), target.hostname);
    const finish = (a: StreamedAnswer) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(a);
    };
    const statusSoFar = () => Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
    socket.setTimeout(120_000, () => finish({ status: statusSoFar(), sentBytes: sent, error: "timeout" }));
    socket.on("data", (data) => {
      received += data.toString("latin1");
      if (received.includes("\r\n")) finish({ status: statusSoFar(), sentBytes: sent });
    });
    // A write that fails because the server already answered and closed: give the answer a moment to be read.
    socket.on("error", (e) => setTimeout(() => finish({ status: statusSoFar(), sentBytes: sent, error: (e as NodeJS.ErrnoException).code ?? e.message }), 50));
    socket.on("close", () => setTimeout(() => finish({ status: statusSoFar(), sentBytes: sent, error: statusSoFar() ? undefined : "closed" }), 50));

    const headers: Record<string, string> = { host: target.host, ...opts.headers };
    if (opts.chunked) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = String(opts.totalBytes);
    const head = `${opts.method ?? "POST"} ${target.pathname}${target.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`;
    /** Writes body bytes (framed when chunked); false when the socket wants us to wait for 'drain'. */
    const writeBody = (bytes: Buffer): boolean => {
      sent += bytes.length;
      if (!opts.chunked) return socket.write(bytes);
      return socket.write(Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from("\r\n")]));
    };
    const fillerEnd = opts.totalBytes - suffix.length - held;
    const end = () => {
      if (settled) return;
      const last = Buffer.concat([filler.subarray(0, held), suffix]);
      if (last.length > 0) writeBody(last);
      if (opts.chunked) socket.write("0\r\n\r\n");
    };
    const pump = () => {
      while (!settled && sent < fillerEnd) {
        const n = Math.min(filler.length, fillerEnd - sent);
        if (!writeBody(n === filler.length ? filler : filler.subarray(0, n))) return void socket.once("drain", pump);
      }
      if (settled) return;
      if (opts.holdLastByteUntil) void opts.holdLastByteUntil.then(end);
      else end();
    };
    socket.once("connect", () => {
      socket.write(head);
      if (prefix.length > 0) writeBody(prefix);
      pump();
    });
  });
}
