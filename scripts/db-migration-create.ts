// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that turns the schema of the previous commit (git HEAD) into the current prisma/schema.prisma.
// Diffing schema files (not a live database) avoids the adapter's `"char"` introspection bug
// (docs/DATABASE.md «Prisma without engine downloads»).
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { diffSchemas, MIGRATIONS_DIR, SCHEMA_PATH } from "../lib/db-migrations";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: npm run db:migration -- <name> [--from <git-rev>]");
  process.exit(1);
}
const fromIdx = process.argv.indexOf("--from");
const rev = fromIdx > 0 ? process.argv[fromIdx + 1] : "HEAD";
let previous: string | null = null;
try {
  previous = execFileSync("git", ["show", `${rev}:prisma/schema.prisma`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
} catch {
  previous = null; // no committed schema yet: migrate from an empty database
}
const sql = await diffSchemas(previous, await readFile(SCHEMA_PATH, "utf8"));
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  console.log("db:migration: schema unchanged, nothing written");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
await writeFile(path.join(MIGRATIONS_DIR, "migration_lock.toml"), 'provider = "postgresql"\n');
console.log(`db:migration: wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
