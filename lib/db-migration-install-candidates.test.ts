// The install-candidates migration on a database of the previous shape: installed and uninstalled shops
// keep everything and start at session generation 0. (Sessions minted before it carry no generation and
// are refused: app/api/insales/install-proof.test.ts «sessions»; README «Upgrading».)
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "./db-migrations";
import { dropDatabase } from "../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../tests/support/test-env";

const NAME = `im_test_mig_install_${process.pid}`;
const MIGRATION = /_install_candidates_session_generation$/;

afterAll(() => dropDatabase(NAME));

describe("migration install_candidates_session_generation", () => {
  it("applies to shops of the old shape and keeps them as they were", async () => {
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${NAME}"`);
    await admin.end();
    const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const target = dirs.findIndex((d) => MIGRATION.test(d));
    expect(target).toBeGreaterThan(0);
    const sql = (dir: string) => readFile(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8");

    const c = new pg.Client({ connectionString: databaseUrl(NAME) });
    await c.connect();
    try {
      for (const dir of dirs.slice(0, target)) await c.query(await sql(dir));
      await c.query(`INSERT INTO "Shop" (id, "insalesId", host, status, "apiPasswordEnc", "updatedAt") VALUES
        ('00000000-0000-0000-0000-0000000000a1', '501', 'old-a.myinsales.ru', 'ACTIVE', 'v1:sealed', now()),
        ('00000000-0000-0000-0000-0000000000a2', '502', 'old-b.myinsales.ru', 'UNINSTALLED', NULL, now())`);
      await c.query(await sql(dirs[target]));
      const rows = await c.query(`SELECT "insalesId", host, status::text AS status, "apiPasswordEnc", "sessionGeneration" FROM "Shop" ORDER BY "insalesId"`);
      expect(rows.rows).toEqual([
        { insalesId: "501", host: "old-a.myinsales.ru", status: "ACTIVE", apiPasswordEnc: "v1:sealed", sessionGeneration: 0 },
        { insalesId: "502", host: "old-b.myinsales.ru", status: "UNINSTALLED", apiPasswordEnc: null, sessionGeneration: 0 },
      ]);
      expect((await c.query(`SELECT count(*)::int AS n FROM "InstallCandidate"`)).rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
