// The payment-attempts migration (issue 13 item 3) on a database holding payments and notices of the old shape
// (docs/DATABASE.md): built from the migrations before it, filled with payments in every state and their
// notices, then migrated. Every old payment becomes attempt 1 with no stored form (a repeat of it goes to its
// invoice by id, or rebuilds the form as before: lib/checkout/checkout-repeat.ts); the unique key moves from
// (shop, transaction) to (shop, transaction, attempt), so a cancelled transaction can take a second attempt;
// the notice states gain SUPERSEDED and keep their values.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrationDirectories } from "./db-migrations";
import { dropDatabase } from "../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../tests/support/test-env";

const MIGRATION = "payment_attempts_and_invoice_fields";
const DB = `im_test_mig_attempts_${process.pid}`;

let client: pg.Client;

async function applyMigrations(which: "before" | "from"): Promise<string[]> {
  const dirs = await listMigrationDirectories();
  const at = dirs.findIndex((d) => d.path.endsWith(`_${MIGRATION}`));
  if (at < 0) throw new Error(`migration *_${MIGRATION} not found`);
  const chosen = which === "before" ? dirs.slice(0, at) : dirs.slice(at);
  for (const d of chosen) await client.query(d.migrationFile.content.value);
  return chosen.map((d) => d.path);
}

const OLD = [
  { key: "created", status: "CREATED", imPaymentId: "3000000001", notice: null },
  { key: "createdNoId", status: "CREATED", imPaymentId: null, notice: null },
  { key: "paid", status: "PAID", imPaymentId: "3000000002", notice: { paid: 1, state: "DELIVERED" } },
  { key: "cancelled", status: "CANCELLED", imPaymentId: "3000000003", notice: { paid: 0, state: "PENDING" } },
  { key: "failedNotice", status: "PAID", imPaymentId: "3000000004", notice: { paid: 1, state: "FAILED" } },
] as const;

const ids: Record<string, string> = {};
let shopId = "";

async function insertPayment(id: string, tx: string, extra: { attempt?: number } = {}) {
  const columns = extra.attempt === undefined ? "" : `, "attempt"`;
  const values = extra.attempt === undefined ? "" : `, ${extra.attempt}`;
  await client.query(
    `INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "description", "verifiedBy",
       "legalForm", "imOrderId", "eshopId", "currency", "amountKopecks", "updatedAt"${columns})
     VALUES ($1, $2, $3, '4343001', '700.00', 'key', '9001', 'Заказ', 'signature', 'ORGANIZATION', $4, '17354', 'RUB', 70000, now()${values})`,
    [id, shopId, tx, `${tx}-${id.slice(0, 8)}`],
  );
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${DB}"`);
  await admin.end();
  client = new pg.Client({ connectionString: databaseUrl(DB) });
  await client.connect();

  expect(await applyMigrations("before")).not.toHaveLength(0);
  shopId = randomUUID();
  await client.query(`INSERT INTO "Shop" ("id", "insalesId", "host", "updatedAt") VALUES ($1, '4343001', 'old-attempts.myinsales.ru', now())`, [shopId]);
  let n = 0;
  for (const p of OLD) {
    n += 1;
    const id = randomUUID();
    ids[p.key] = id;
    await insertPayment(id, `tx-${n}`);
    await client.query(`UPDATE "Payment" SET "status" = $2::"PaymentStatus", "imPaymentId" = $3 WHERE "id" = $1`, [id, p.status, p.imPaymentId]);
    if (p.notice) {
      await client.query(
        `INSERT INTO "InsalesNotice" ("id", "shopId", "paymentId", "paid", "state", "updatedAt") VALUES ($1, $2, $3, $4, $5::"DeliveryState", now())`,
        [randomUUID(), shopId, id, p.notice.paid, p.notice.state],
      );
    }
  }
  // Before: one payment per transaction, whatever happened to it.
  await expect(insertPayment(randomUUID(), "tx-4")).rejects.toThrow(/duplicate key/);

  expect(await applyMigrations("from")).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`_${MIGRATION}$`))]));
});

afterAll(async () => {
  await client?.end();
  await dropDatabase(DB);
});

describe(`migration ${MIGRATION} on payments of the old shape`, () => {
  it("makes every old payment attempt 1 with no stored form, changing nothing else", async () => {
    const { rows } = await client.query<{ id: string; attempt: number; invoiceFields: unknown; status: string; imPaymentId: string | null }>(
      `SELECT "id", "attempt", "invoiceFields", "status", "imPaymentId" FROM "Payment"`,
    );
    expect(rows).toHaveLength(OLD.length);
    for (const p of OLD) {
      const row = rows.find((r) => r.id === ids[p.key])!;
      expect([row.attempt, row.invoiceFields, row.status, row.imPaymentId], p.key).toEqual([1, null, p.status, p.imPaymentId]);
    }
  });

  it("keeps the notice states and takes the new SUPERSEDED one", async () => {
    const { rows } = await client.query<{ paymentId: string; state: string }>(`SELECT "paymentId", "state"::text AS state FROM "InsalesNotice"`);
    expect(rows.find((r) => r.paymentId === ids.paid)!.state).toBe("DELIVERED");
    expect(rows.find((r) => r.paymentId === ids.cancelled)!.state).toBe("PENDING");
    expect(rows.find((r) => r.paymentId === ids.failedNotice)!.state).toBe("FAILED");
    await client.query(`UPDATE "InsalesNotice" SET "state" = 'SUPERSEDED' WHERE "paymentId" = $1`, [ids.cancelled]);
    await client.query(`UPDATE "Payment" SET "noticeState" = 'SUPERSEDED' WHERE "id" = $1`, [ids.cancelled]);
    expect((await client.query(`SELECT "noticeState"::text AS s FROM "Payment" WHERE "id" = $1`, [ids.cancelled])).rows[0].s).toBe("SUPERSEDED");
  });

  it("lets a cancelled transaction take a second attempt, and still refuses a second row for the same attempt", async () => {
    await insertPayment(randomUUID(), "tx-4", { attempt: 2 });
    await expect(insertPayment(randomUUID(), "tx-4", { attempt: 2 })).rejects.toThrow(/duplicate key/);
    await expect(insertPayment(randomUUID(), "tx-1")).rejects.toThrow(/duplicate key/);
    const { rows } = await client.query<{ attempt: number }>(`SELECT "attempt" FROM "Payment" WHERE "transactionId" = 'tx-4' ORDER BY "attempt"`);
    expect(rows.map((r) => r.attempt)).toEqual([1, 2]);
  });
});
