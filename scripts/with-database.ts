// Runs a command with a PostgreSQL database, so that a fresh checkout needs no database setup:
//   node --import tsx scripts/with-database.ts [--test] [--no-migrate] [--data-dir=DIR] -- <command…>
// DATABASE_URL set: used as is. Unset: an embedded PostgreSQL (.data/pg, or EMBEDDED_PG_DATA_DIR) is started, DATABASE_URL points
// at it, and it is stopped after the command. Either way pending migrations are applied first (what
// `npm start` always did), unless --no-migrate. With --test: chooses the server where tests may create
// and drop databases and sets TEST_ADMIN_DATABASE_URL (no migrations: tests build their own template).
// SIGINT/SIGTERM/SIGHUP are passed to the command; the exit code is the command's. See docs/DATABASE.md.
import { spawn } from "node:child_process";
import { canConnect, describeDatabaseUrl } from "../lib/embedded-pg/database-urls";
import { DEFAULT_DATA_DIR, PROJECT_ROOT, startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/embedded-pg/embedded-postgres";
import { chooseTestServer, parseArgs, USAGE } from "../lib/embedded-pg/with-database-plan";
import { constants } from "node:os";

const say = (line: string) => console.error(line);

const parsed = parseArgs(process.argv.slice(2));
if (!parsed.ok) {
  say(`with-database: ${parsed.reason}\n${USAGE}`);
  process.exit(2);
}
const args = parsed.args;

let server: EmbeddedPostgres | null = null;
let command: ReturnType<typeof spawn> | null = null;
let pendingSignal: NodeJS.Signals | null = null;

let finishing: Promise<never> | null = null;
function finish(code: number): Promise<never> {
  finishing ??= stopThenExit(code);
  return finishing;
}
async function stopThenExit(code: number): Promise<never> {
  try {
    await server?.stop();
  } catch (e) {
    say(`with-database: could not stop the embedded PostgreSQL cleanly: ${(e as Error).message}`);
  }
  process.exit(code);
}

const exitCodeFor = (sig: NodeJS.Signals) => 128 + (constants.signals[sig] ?? 1);

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    // The command decides how to shut down; the database is stopped only after it has exited.
    if (command) command.kill(sig);
    else pendingSignal ??= sig;
  });
}
/** A signal that came while we were still preparing: give up before starting the command. */
async function checkInterrupted(): Promise<void> {
  if (pendingSignal) await finish(exitCodeFor(pendingSignal));
}

function runNode(scriptArgs: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, scriptArgs, { cwd: PROJECT_ROOT, env, stdio: "inherit" });
    child.on("error", () => resolve(1));
    child.on("exit", (code, sig) => resolve(code ?? (sig ? exitCodeFor(sig) : 1)));
  });
}

async function startEmbedded(dataDir: string): Promise<EmbeddedPostgres> {
  try {
    return await startEmbeddedPostgres({ dataDir });
  } catch (e) {
    say(`with-database: could not start the embedded PostgreSQL: ${(e as Error).message}`);
    return finish(1);
  }
}

const env: NodeJS.ProcessEnv = { ...process.env };

if (args.test) {
  const choice = await chooseTestServer(process.env, (url) => canConnect(url));
  if (choice.kind === "embedded") {
    const dataDir = args.dataDir ?? ".data/pg-test";
    server = await startEmbedded(dataDir);
    env.TEST_ADMIN_DATABASE_URL = server.adminUrl;
    say(`test database server: embedded PostgreSQL at ${dataDir} (port ${server.port})`);
  } else {
    env.TEST_ADMIN_DATABASE_URL = choice.adminUrl;
    say(`test database server: ${describeDatabaseUrl(choice.adminUrl)}`);
  }
} else {
  if (process.env.DATABASE_URL) {
    say(`database: ${describeDatabaseUrl(process.env.DATABASE_URL)}`);
  } else {
    // EMBEDDED_PG_DATA_DIR lets `npm start` / `npm run sandbox` keep their data elsewhere (the zero-setup
    // e2e test uses a temporary folder so it never touches a developer's .data/pg).
    const dataDir = args.dataDir ?? (process.env.EMBEDDED_PG_DATA_DIR || DEFAULT_DATA_DIR);
    server = await startEmbedded(dataDir);
    env.DATABASE_URL = server.url;
    say(`database: embedded PostgreSQL at ${dataDir} (port ${server.port})`);
  }
  await checkInterrupted();
  if (args.migrate) {
    const code = await runNode(
      ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "scripts/db-migrate.ts"],
      env,
    );
    if (code !== 0) {
      say(`with-database: migrations failed (exit code ${code}); not starting ${args.command[0]}`);
      await finish(code);
    }
  }
}
await checkInterrupted();

const [file, ...rest] = args.command;
command = spawn(file, rest, { env, stdio: "inherit" });
command.on("error", (e) => {
  say(`with-database: cannot run ${file}: ${e.message}`);
  void finish(127);
});
command.on("exit", (code, sig) => void finish(code ?? (sig ? exitCodeFor(sig) : 1)));
