// PostgreSQL refuses to run as root. When we are root (containers, CI) the server runs as the `postgres`
// OS user, which must own the data folder and be able to reach it.
import { execFileSync } from "node:child_process";
import { chownSync, lstatSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export type RunAs = { uid: number; gid: number };

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function lookupUser(name: string): RunAs | null {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** null when not root (the server runs as us); else the ids of `postgres`, creating that system user
 * (no login, no home) when it is missing, as the PostgreSQL packages of every distribution do. */
export function serverIdentity(say: (line: string) => void): RunAs | null {
  if (!isRoot()) return null;
  const existing = lookupUser("postgres");
  if (existing) return existing;
  say("creating the system user «postgres» (PostgreSQL refuses to run as root)");
  try {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/bin/false", "postgres"], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`running as root and the OS user «postgres» does not exist; could not create it (${(e as Error).message.trim()}). Create it, run as another user, or set DATABASE_URL`);
  }
  const created = lookupUser("postgres");
  if (!created) throw new Error("created the OS user «postgres» but cannot look it up");
  return created;
}

/** Gives `dir` and everything in it to `ids` when the folder or its top entries belong to someone else
 * (e.g. it was first created by another user). Returns whether anything changed. */
export function ensureOwnedBy(dir: string, ids: RunAs): boolean {
  const owned = (p: string) => {
    const s = lstatSync(p);
    return s.uid === ids.uid && s.gid === ids.gid;
  };
  const top = [dir, ...readdirSync(dir).map((n) => path.join(dir, n))];
  if (top.every(owned)) return false;
  chownRecursive(dir, ids);
  return true;
}

function chownRecursive(p: string, ids: RunAs): void {
  const s = lstatSync(p);
  if (s.isSymbolicLink()) return;
  chownSync(p, ids.uid, ids.gid);
  if (s.isDirectory()) for (const name of readdirSync(p)) chownRecursive(path.join(p, name), ids);
}

/** Throws a clear error when `ids` cannot enter every folder above `dir` (e.g. a checkout under /root). */
export function assertReachableBy(dir: string, ids: RunAs): void {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const s = statSync(current);
    const canEnter =
      (s.uid === ids.uid && s.mode & 0o100) || (s.gid === ids.gid && s.mode & 0o010) || s.mode & 0o001;
    if (!canEnter) {
      throw new Error(
        `PostgreSQL runs as the OS user «postgres», which cannot enter ${current}; move the project, or allow it (chmod o+x ${current}), or set DATABASE_URL`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
