// Real PostgreSQL for tests: the global setup builds a template database from the migrations once;
// each test file clones it (CREATE DATABASE … TEMPLATE, ~100 ms) and drops its clone afterwards.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ADMIN_DATABASE_URL, databaseUrl } from "./test-env";

export const TEMPLATE_DB = `im_test_template_${process.env.TEST_RUN_ID ?? process.pid}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTemplateDatabase(name = TEMPLATE_DB): Promise<void> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  });
  migrate(databaseUrl(name));
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** A fresh database cloned from the migrated template; returns its URL and a drop function. */
export async function cloneTestDatabase(template = process.env.TEST_TEMPLATE_DB ?? TEMPLATE_DB) {
  const name = `im_test_${randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return { name, url: databaseUrl(name), drop: () => dropDatabase(name) };
}

/** Runs `npm run db:migrate` against `url` in a child process (the WebAssembly engine needs Node's
 * --experimental-wasm-modules flag, which the test runner's own process does not have). */
export function migrate(url: string): void {
  const root = path.resolve(import.meta.dirname, "../..");
  execFileSync(process.execPath, ["--experimental-wasm-modules", "--no-warnings", "--import", "tsx", "scripts/db-migrate.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
