// One load scenario: a warm-up run (discarded), then a measured autocannon run at a fixed number of
// connections, while the server's process tree is sampled for RSS and its SQL round-trip counter is read.
import { readFileSync, readdirSync } from "node:fs";
import autocannon, { type Request } from "autocannon";
import type { BenchRequest } from "./bodies";

export type LoadOptions = {
  name: string;
  url: string;
  pid: number;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  method: "GET" | "POST";
  /** Each request takes the next body; the pool is shared by all connections, so bodies stay distinct. */
  pool?: BenchRequest[];
  /** For GET scenarios. */
  path?: string;
  headers?: Record<string, string>;
  /** Where the server reports its SQL round trips (bench/pg-counter.cjs); optional. */
  counterUrl?: string;
  /** PostgreSQL CPU is counted for the backends of this database only (other work may share the server). */
  database: string;
  /** Write a CPU profile of the measured run here (needs counterUrl). */
  profileFile?: string;
};

export type LoadFigures = {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  peakRssMb: number;
  /** CPU (user + system) per request: the server's process tree, and the database's backends. */
  cpuMsPerRequest: number;
  pgCpuMsPerRequest: number;
  sqlPerRequest: number | null;
  poolExhausted: boolean;
};

type Proc = { pid: number; ppid: number; comm: string; cpuTicks: number; cmdline: string };

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields after comm: state ppid … utime(12) stime(13) (0-based from state)
      const cmdline = comm === "postgres" ? readFileSync(`/proc/${entry}/cmdline`, "utf8") : "";
      out.push({ pid: Number(entry), ppid: Number(f[1]), comm, cpuTicks: Number(f[11]) + Number(f[12]), cmdline });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

function descendants(root: number, all: Proc[]): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = all.filter((p) => p.pid === root);
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

/**
 * CPU ticks so far per process: the process tree of `root`, and the PostgreSQL backends serving
 * `database` (their title is «postgres: <user> <database> …»).
 */
function cpuTicks(root: number, database: string): { server: Map<number, number>; postgres: Map<number, number> } {
  const all = processes();
  const map = (ps: Proc[]) => new Map(ps.map((p) => [p.pid, p.cpuTicks]));
  const backends = all.filter((p) => p.comm === "postgres" && p.cmdline.includes(` ${database} `));
  return { server: map(descendants(root, all)), postgres: map(backends) };
}

/** CPU seconds between two snapshots, per process (a process that exited meanwhile is not counted). */
function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / 100; // USER_HZ = 100 on Linux
}

/** VmRSS of a process and all its descendants, in kB. */
export function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const p of processes()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]);
    } catch {
      /* exited */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function readCounter(url: string | undefined): Promise<number | null> {
  if (!url) return null;
  try {
    return Number(await (await fetch(url)).text());
  } catch {
    return null;
  }
}

function requestsFor(o: LoadOptions, cursor: { next: number; wrapped: boolean }): Request[] {
  const headers = { ...(o.method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}), ...(o.headers ?? {}) };
  if (!o.pool) return [{ method: o.method, path: o.path ?? "/", headers }];
  const pool = o.pool;
  return [
    {
      method: o.method,
      headers,
      setupRequest: (request) => {
        if (cursor.next >= pool.length) {
          cursor.next = 0;
          cursor.wrapped = true;
        }
        const b = pool[cursor.next++];
        return { ...request, path: b.path, body: b.body };
      },
    },
  ];
}

export async function runLoad(o: LoadOptions, cursor = { next: 0, wrapped: false }): Promise<LoadFigures> {
  if (o.warmupSeconds > 0) {
    await autocannon({ url: o.url, connections: o.connections, duration: o.warmupSeconds, requests: requestsFor(o, cursor), timeout: 10 });
  }
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, treeRssKb(o.pid))), 100);
  const before = await readCounter(o.counterUrl);
  const cpuBefore = cpuTicks(o.pid, o.database);
  if (o.profileFile && o.counterUrl) await fetch(new URL("/prof/start", o.counterUrl));
  const result = await autocannon({ url: o.url, connections: o.connections, duration: o.seconds, requests: requestsFor(o, cursor), timeout: 10 });
  if (o.profileFile && o.counterUrl) await fetch(new URL(`/prof/stop?file=${encodeURIComponent(o.profileFile)}`, o.counterUrl));
  const after = await readCounter(o.counterUrl);
  const cpuAfter = cpuTicks(o.pid, o.database);
  clearInterval(sampler);
  peak = Math.max(peak, treeRssKb(o.pid));
  const statuses: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(s.count);
  return {
    name: o.name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts,
    statuses,
    peakRssMb: Math.round(peak / 1024),
    cpuMsPerRequest: (cpuDelta(cpuBefore.server, cpuAfter.server) * 1000) / Math.max(1, result.requests.total),
    pgCpuMsPerRequest: (cpuDelta(cpuBefore.postgres, cpuAfter.postgres) * 1000) / Math.max(1, result.requests.total),
    sqlPerRequest: before !== null && after !== null && result.requests.total > 0 ? (after - before) / result.requests.total : null,
    poolExhausted: cursor.wrapped,
  };
}
