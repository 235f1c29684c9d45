// What scripts/with-database.ts does, decided from its arguments and environment (kept apart from the
// process plumbing so it can be tested without starting anything).
import { withDatabaseName } from "./database-urls";

export type WithDatabaseArgs = {
  test: boolean;
  migrate: boolean;
  /** Embedded server folder; default .data/pg, or .data/pg-test with --test. */
  dataDir: string | null;
  command: string[];
};

export const USAGE =
  "usage: node --import tsx scripts/with-database.ts [--test] [--no-migrate] [--data-dir=DIR] -- <command> [args…]";

export function parseArgs(argv: string[]): { ok: true; args: WithDatabaseArgs } | { ok: false; reason: string } {
  const sep = argv.indexOf("--");
  if (sep === -1 || sep === argv.length - 1) return { ok: false, reason: "no command given after --" };
  const args: WithDatabaseArgs = { test: false, migrate: true, dataDir: null, command: argv.slice(sep + 1) };
  for (const flag of argv.slice(0, sep)) {
    if (flag === "--test") args.test = true;
    else if (flag === "--no-migrate") args.migrate = false;
    else if (flag.startsWith("--data-dir=") && flag.length > "--data-dir=".length) args.dataDir = flag.slice("--data-dir=".length);
    else return { ok: false, reason: `unknown option ${flag}` };
  }
  return { ok: true, args };
}

export const LOCAL_TEST_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

export type TestServerChoice =
  | { kind: "given"; adminUrl: string; from: "TEST_ADMIN_DATABASE_URL" | "DATABASE_URL" }
  | { kind: "local"; adminUrl: string }
  | { kind: "embedded" };

/**
 * Where tests create and drop their databases: TEST_ADMIN_DATABASE_URL as given; else DATABASE_URL's
 * server, database `postgres`; else a PostgreSQL on 127.0.0.1:5432 that lets `postgres` in; else an
 * embedded server (the caller starts it).
 */
export async function chooseTestServer(
  env: Record<string, string | undefined>,
  probe: (url: string) => Promise<boolean>,
): Promise<TestServerChoice> {
  if (env.TEST_ADMIN_DATABASE_URL) return { kind: "given", adminUrl: env.TEST_ADMIN_DATABASE_URL, from: "TEST_ADMIN_DATABASE_URL" };
  if (env.DATABASE_URL) return { kind: "given", adminUrl: withDatabaseName(env.DATABASE_URL, "postgres"), from: "DATABASE_URL" };
  if (await probe(LOCAL_TEST_SERVER)) return { kind: "local", adminUrl: LOCAL_TEST_SERVER };
  return { kind: "embedded" };
}
