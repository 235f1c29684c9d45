// Finding the processes of one PostgreSQL cluster, to recover from a wrapper or server that was killed.
// Every postgres process (postmaster and its children) runs with the data directory as its working
// directory, so on Linux /proc/<pid>/cwd tells exactly which processes belong to a data directory, even
// after the postmaster died and its children were re-parented. Elsewhere (macOS) these helpers find
// nothing and PostgreSQL's own stale-lock handling is all there is.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

const HAS_PROC = existsSync("/proc/self/cwd");

export function clusterProcesses(clusterDir: string): number[] {
  if (!HAS_PROC || !existsSync(clusterDir)) return [];
  const target = realpathSync(clusterDir);
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === target) pids.push(Number(name));
    } catch {
      // gone already, or not ours to inspect
    }
  }
  return pids;
}

/** The postmaster's pid from the first line of `postmaster.pid`, if the file exists. */
export function postmasterPid(clusterDir: string): number | null {
  try {
    const first = readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The kernel still has this pid: running, or a zombie (which PostgreSQL's own lock check counts as a
 * running postmaster). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export const CAN_SEE_PROCESSES = HAS_PROC;

/** Running (a zombie — exited, not yet reaped by whoever inherited it — counts as gone). */
export function isAlive(pid: number): boolean {
  return pidExists(pid) && processState(pid) !== "Z";
}

function processState(pid: number): string | null {
  if (!HAS_PROC) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

/** Parent pid from /proc/<pid>/stat (the field after the parenthesised command name), or null. */
export function parentPid(pid: number): number | null {
  if (!HAS_PROC) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` or `timeoutMs` passes; returns whether it got done. */
export async function waitUntil(done: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}
