// Applies prisma/migrations with Prisma's WebAssembly schema engine, so no native engine download is
// needed (docs/DATABASE.md «Prisma without engine downloads»). Records migrations in `_prisma_migrations` exactly like
// `prisma migrate deploy`, which operators with network access may use instead.
// The engine's import needs --experimental-wasm-modules on Node 22 before 22.19 (unflagged in 22.19 and
// 24.5); the scripts pass it while `engines` allows 22.12.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { databaseUrlIfSet } from "./env";

const ROOT = path.resolve(import.meta.dirname, "..");
export const SCHEMA_PATH = path.join(ROOT, "prisma", "schema.prisma");
export const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");

type Engine = Awaited<ReturnType<typeof import("@prisma/schema-engine-wasm").SchemaEngine.new>>;

async function openEngine(databaseUrl: string | null, schemaText: string): Promise<Engine> {
  const { SchemaEngine } = await import("@prisma/schema-engine-wasm");
  // The engine opens a connection at start even for schema-to-schema diffs, which then read nothing
  // from it; any reachable database does (the local development server by default).
  const adapter = new PrismaPg({ connectionString: databaseUrl ?? databaseUrlIfSet() ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
  const bound = bindMigrationAwareSqlAdapterFactory(adapter as never);
  return SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schemaText]] }, () => {}, bound);
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** SQL that turns the schema `fromText` (or an empty database when null) into `toText`. */
export async function diffSchemas(fromText: string | null, toText: string): Promise<string> {
  const engine = await openEngine(null, toText);
  try {
    const from = fromText === null
      ? { tag: "empty" as const }
      : { tag: "schemaDatamodel" as const, files: [{ path: SCHEMA_PATH, content: fromText }] };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: toText }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    } as never);
    return (result as { stdout: string }).stdout;
  } finally {
    engine.free();
  }
}

export async function listMigrationDirectories() {
  const entries = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    entries.map(async (dir) => ({
      path: dir,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: await readFile(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8") },
      },
    })),
  );
}

/** Applies every pending migration to `databaseUrl`; returns the names applied now. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const schemaText = await readFile(SCHEMA_PATH, "utf8");
  const engine = await openEngine(databaseUrl, schemaText);
  try {
    const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
    const result = await engine.applyMigrations({
      migrationsList: {
        baseDir: MIGRATIONS_DIR,
        lockfile: { path: "migration_lock.toml", content: await readFile(lockPath, "utf8").catch(() => null) },
        shadowDbInitScript: "",
        migrationDirectories: await listMigrationDirectories(),
      },
      filters: NO_FILTERS,
    } as never);
    return (result as { appliedMigrationNames: string[] }).appliedMigrationNames;
  } finally {
    engine.free();
  }
}
