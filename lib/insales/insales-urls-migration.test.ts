// The data migration 20261202090000_insales_urls_https on a database holding rows of the old shape: the
// payment-method URLs stored exactly as InSales gave them, http in the vendor's examples
// (docs/protocols/insales.md §2 «http vs https»). The database is built from the migrations before it, the
// old rows written, then the migration runs as the deploy would. The same rule as lib/insales/secure-url.ts.
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../db-migrations";
import { dropDatabase } from "../../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../../tests/support/test-env";
import { secureInsalesUrl } from "./secure-url";

const MIGRATION = "20261202090000_insales_urls_https";
const name = `im_test_https_${process.pid}_${Date.now()}`;
let c: pg.Client;

type Urls = { successUrl: string | null; failUrl: string | null; serverUrl: string | null };

/** Old rows: the vendor's example shape, a mixed-case one, hosts that must stay, and nulls. */
const ROWS: Record<string, Urls> = {
  vendorExample: {
    successUrl: "http://shop.myinsales.ru/payments/external/77/success",
    failUrl: "http://shop.myinsales.ru/payments/external/77/fail",
    serverUrl: "http://shop.myinsales.ru/payments/external/server",
  },
  alreadyHttps: {
    successUrl: "https://shop2.myinsales.ru/payments/external/78/success",
    failUrl: "https://shop2.myinsales.ru/payments/external/78/fail",
    serverUrl: "https://shop2.myinsales.ru/payments/external/server",
  },
  mixed: { successUrl: "HTTP://My-Shop.MyInsales.ru/payments/external/79/success?x=1", failUrl: null, serverUrl: "http://my-shop.myinsales.ru" },
  ownDomain: { successUrl: "http://shop.example.ru/payments/external/80/success", failUrl: "http://www.myinsales.ru.evil.com/x", serverUrl: "http://127.0.0.1:7001/shops/a.myinsales.ru/payments/external/server" },
  portOrUser: { successUrl: "http://shop.myinsales.ru:8080/payments/external/81/success", failUrl: "http://user@shop.myinsales.ru/x", serverUrl: "http://a.b.myinsales.ru/payments/external/server" },
  empty: { successUrl: null, failUrl: null, serverUrl: null },
};
const shopIds: Record<string, string> = {};

async function runMigration(dir: string) {
  await c.query(await readFile(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8"));
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  c = new pg.Client({ connectionString: databaseUrl(name) });
  await c.connect();
  const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  expect(dirs).toContain(MIGRATION);
  for (const dir of dirs.filter((d) => d < MIGRATION)) await runMigration(dir);

  let n = 0;
  for (const [key, urls] of Object.entries(ROWS)) {
    n += 1;
    const id = randomUUID();
    shopIds[key] = id;
    await c.query(`INSERT INTO "Shop" (id, "insalesId", host, "updatedAt") VALUES ($1, $2, $3, now())`, [id, String(880_000 + n), `s${n}.myinsales.ru`]);
    await c.query(
      `INSERT INTO "ShopGateway" ("shopId", state, "gatewayId", "successUrl", "failUrl", "serverUrl", "updatedAt") VALUES ($1, 'CONNECTED', $2, $3, $4, $5, now())`,
      [id, String(n), urls.successUrl, urls.failUrl, urls.serverUrl],
    );
  }
  await runMigration(MIGRATION);
});

afterAll(async () => {
  await c?.end();
  await dropDatabase(name);
});

async function urlsOf(key: string): Promise<Urls> {
  const { rows } = await c.query(`SELECT "successUrl", "failUrl", "serverUrl" FROM "ShopGateway" WHERE "shopId" = $1`, [shopIds[key]]);
  return rows[0] as Urls;
}

describe(`migration ${MIGRATION} on old rows`, () => {
  it("moves the vendor-shaped http URLs on a shop's technical host to https, changing only the scheme", async () => {
    expect(await urlsOf("vendorExample")).toEqual({
      successUrl: "https://shop.myinsales.ru/payments/external/77/success",
      failUrl: "https://shop.myinsales.ru/payments/external/77/fail",
      serverUrl: "https://shop.myinsales.ru/payments/external/server",
    });
    expect(await urlsOf("mixed")).toEqual({ successUrl: "https://My-Shop.MyInsales.ru/payments/external/79/success?x=1", failUrl: null, serverUrl: "https://my-shop.myinsales.ru" });
  });

  it("leaves https URLs, other hosts (a shop's own domain, look-alikes, the local stand-in), ports, user info and nulls alone", async () => {
    for (const key of ["alreadyHttps", "ownDomain", "portOrUser", "empty"]) expect(await urlsOf(key)).toEqual(ROWS[key]);
  });

  it("agrees with secureInsalesUrl, the rule the app applies when it stores and uses URLs", async () => {
    for (const key of Object.keys(ROWS)) {
      const after = await urlsOf(key);
      for (const field of ["successUrl", "failUrl", "serverUrl"] as const) {
        const before = ROWS[key][field];
        expect(after[field], `${key}.${field}`).toBe(before === null ? null : secureInsalesUrl(before));
      }
    }
  });

  it("changes nothing when it runs again", async () => {
    const before = await Promise.all(Object.keys(ROWS).map(urlsOf));
    await runMigration(MIGRATION);
    expect(await Promise.all(Object.keys(ROWS).map(urlsOf))).toEqual(before);
  });
});
