// The migration that lets identical problems merge (issue 12 item 6), run on a database that already holds
// problems of the old shape — as every installed shop's database does. Built from the migrations before
// it, filled with old rows, then migrated; the old rows must read as «happened once, when created» and the
// merging must work beside them.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../db";
import { MIGRATIONS_DIR } from "../db-migrations";
import { resetEnvCache } from "../env";
import { dropDatabase } from "../../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl, TEST_ENV } from "../../tests/support/test-env";
import { resolveProblem } from "../journal/journal-problems";
import { recordProblem } from "./problem-store";

const MIGRATION = "problem_merge_and_call_budget";
const name = `im_test_problem_merge_${process.pid}`;
let client: pg.Client;

/** The SQL of the migrations before this one (`before`), or of this one and every later one. */
async function migrationSql(part: "before" | "from"): Promise<string[]> {
  const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const mine = dirs.findIndex((d) => d.endsWith(`_${MIGRATION}`));
  if (mine < 0) throw new Error(`migration ${MIGRATION} not found`);
  const chosen = part === "before" ? dirs.slice(0, mine) : dirs.slice(mine);
  return Promise.all(chosen.map((d) => readFile(path.join(MIGRATIONS_DIR, d, "migration.sql"), "utf8")));
}

const SHOP = "6d0f7a5e-1b2c-4d3e-8f90-0a1b2c3d4e5f";
const OLD_OPEN = "11111111-1111-4111-8111-111111111111";
const OLD_RESOLVED = "22222222-2222-4222-8222-222222222222";

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  // Every migration before this one, as deployed databases have them.
  for (const sql of await migrationSql("before")) await client.query(sql);
  await client.query(`INSERT INTO "Shop" (id, "insalesId", host, "updatedAt") VALUES ($1, '900001', 'old.myinsales.ru', now())`, [SHOP]);
  await client.query(
    `INSERT INTO "Problem" (id, "shopId", kind, message, "createdAt", "resolvedAt") VALUES
       ($1, $3, 'checkout_rejected', 'Переход к оплате заказа 1 отклонён', '2026-11-01 10:00:00', NULL),
       ($2, $3, 'checkout_rejected', 'Переход к оплате заказа 2 отклонён', '2026-11-02 10:00:00', '2026-11-03 10:00:00')`,
    [OLD_OPEN, OLD_RESOLVED, SHOP],
  );
  // This migration and any after it: the database as the current code expects it.
  for (const sql of await migrationSql("from")) await client.query(sql);
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: databaseUrl(name) });
  resetEnvCache();
});

afterAll(async () => {
  await disconnectDb();
  await client?.end();
  await dropDatabase(name);
});

describe(`migration ${MIGRATION} on a database with problems of the old shape`, () => {
  it("reads old problems as having happened once, when they were created, and never merges into them", async () => {
    const rows = await client.query(`SELECT id, count, "lastSeenAt" = "createdAt" AS "seenWhenCreated", "openCause" FROM "Problem" ORDER BY "createdAt"`);
    expect(rows.rows).toEqual([
      { id: OLD_OPEN, count: 1, seenWhenCreated: true, openCause: null },
      { id: OLD_RESOLVED, count: 1, seenWhenCreated: true, openCause: null },
    ]);
  });

  it("merges new problems beside the old ones, and the old ones still resolve", async () => {
    const first = await recordProblem(db(), { shopId: SHOP, paymentId: null, kind: "checkout_rejected", cause: "bad_signature", message: "первый" });
    const again = await recordProblem(db(), { shopId: SHOP, paymentId: null, kind: "checkout_rejected", cause: "bad_signature", message: "второй" });
    expect(again).toEqual({ id: first.id, count: 2 });
    const other = await recordProblem(db(), { shopId: SHOP, paymentId: null, kind: "checkout_rejected", cause: "api_busy", message: "третий" });
    expect(other.id).not.toBe(first.id);
    expect(await resolveProblem(SHOP, OLD_OPEN)).toEqual({ ok: true });
    const open = await db().problem.findMany({ where: { shopId: SHOP, resolvedAt: null }, orderBy: { createdAt: "asc" } });
    expect(open.map((p) => [p.message, p.count])).toEqual([["второй", 2], ["третий", 1]]);
  });

  it("adds the per-shop call budget table", async () => {
    const rows = await client.query(`SELECT count(*)::int AS n FROM "ShopCallBudget"`);
    expect(rows.rows[0].n).toBe(0);
  });
});
