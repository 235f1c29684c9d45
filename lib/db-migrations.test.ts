// Proves prisma/migrations and prisma/schema.prisma agree (docs/DATABASE.md «Prisma without engine downloads»):
// a database built from the migrations and one built from the schema's own diff have the same dump.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { diffSchemas, SCHEMA_PATH } from "./db-migrations";
import { cloneTestDatabase, dropDatabase } from "../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../tests/support/test-env";

// Catalog queries rather than pg_dump: the test may run against an embedded PostgreSQL of another major
// version than the machine's pg_dump (docs/DATABASE.md).
const CATALOG_QUERIES = [
  `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`,
  `SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
     WHERE t.typnamespace = 'public'::regnamespace`,
];

async function describeSchema(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const parts: string[] = [];
    for (const q of CATALOG_QUERIES) {
      const { rows } = await c.query(q);
      parts.push(rows.map((r) => JSON.stringify(r)).sort().join("\n"));
    }
    return parts.join("\n---\n");
  } finally {
    await c.end();
  }
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
      const migrated = await describeSchema(fromMigrations.url);
      expect(migrated).toContain("Payment");
      expect(migrated).toBe(await describeSchema(databaseUrl(fromSchemaName)));
    } finally {
      await admin.end();
      await fromMigrations.drop();
      await dropDatabase(fromSchemaName);
    }
  });
});
