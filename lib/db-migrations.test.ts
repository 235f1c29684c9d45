// Proves prisma/migrations and prisma/schema.prisma agree (../shared/guide/prisma-offline.md §5):
// a database built from the migrations and one built from the schema's own diff have the same dump.
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { diffSchemas, SCHEMA_PATH } from "./db-migrations";
import { cloneTestDatabase, dropDatabase } from "./testing/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "./testing/test-env";

function dumpSchema(url: string): string {
  const out = execFileSync("pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "--schema=public", "--exclude-table=_prisma_migrations", url], { encoding: "utf8" });
  return out.split("\n").filter((l) => !l.startsWith("--") && !/^\\(un)?restrict /.test(l) && l.trim() !== "").sort().join("\n");
}

describe("migrations", () => {
  it("build the same database as schema.prisma describes", async () => {
    const fromMigrations = await cloneTestDatabase();
    const fromSchemaName = `im_test_schema_${process.pid}`;
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${fromSchemaName}"`);
      await admin.query(`CREATE DATABASE "${fromSchemaName}"`);
      const sql = await diffSchemas(null, await readFile(SCHEMA_PATH, "utf8"));
      const c = new pg.Client({ connectionString: databaseUrl(fromSchemaName) });
      await c.connect();
      await c.query(sql);
      await c.end();
      expect(dumpSchema(fromMigrations.url)).toBe(dumpSchema(databaseUrl(fromSchemaName)));
    } finally {
      await admin.end();
      await fromMigrations.drop();
      await dropDatabase(fromSchemaName);
    }
  });
});
