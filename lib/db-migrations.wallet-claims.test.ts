// The wallet-claims migration on a database holding payments of the old shape (docs/DATABASE.md; the
// guide's rule for a migration that transforms data): built from the migrations before it, filled with
// wallet payments whose results were applied without a hash (unverifiedResults true) or not, then migrated.
// Payments that moved money keep «применено без проверки»; a wallet payment still CREATED (only the
// unverifiable status 3 had set the flag) loses it; nothing else changes and no claim appears.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrationDirectories } from "./db-migrations";
import { dropDatabase } from "../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../tests/support/test-env";

const MIGRATION = "wallet_claims";
const DB = `im_test_mig_wallet_${process.pid}`;

let client: pg.Client;

/** Runs, in order, the migrations before ours (`before`) or ours and every later one. */
async function applyMigrations(which: "before" | "from"): Promise<string[]> {
  const dirs = await listMigrationDirectories();
  const at = dirs.findIndex((d) => d.path.endsWith(`_${MIGRATION}`));
  if (at < 0) throw new Error(`migration *_${MIGRATION} not found`);
  const chosen = which === "before" ? dirs.slice(0, at) : dirs.slice(at);
  for (const d of chosen) await client.query(d.migrationFile.content.value);
  return chosen.map((d) => d.path);
}

type OldPayment = { key: string; legalForm: "ORGANIZATION" | "INDIVIDUAL"; status: string; unverified: boolean; paid: bigint; imPaymentId: string | null };

const OLD: OldPayment[] = [
  { key: "walletPaidUnverified", legalForm: "INDIVIDUAL", status: "PAID", unverified: true, paid: 70000n, imPaymentId: "3000000001" },
  { key: "walletCancelledUnverified", legalForm: "INDIVIDUAL", status: "CANCELLED", unverified: true, paid: 0n, imPaymentId: "3000000002" },
  { key: "walletRefundedUnverified", legalForm: "INDIVIDUAL", status: "REFUNDED", unverified: true, paid: 70000n, imPaymentId: "3000000003" },
  { key: "walletCreatedStatus3Only", legalForm: "INDIVIDUAL", status: "CREATED", unverified: true, paid: 0n, imPaymentId: "3000000004" },
  { key: "walletCreatedNothingYet", legalForm: "INDIVIDUAL", status: "CREATED", unverified: false, paid: 0n, imPaymentId: null },
  { key: "walletPaidVerifiedNever", legalForm: "INDIVIDUAL", status: "PAID", unverified: false, paid: 70000n, imPaymentId: "3000000005" },
  { key: "organizationPaid", legalForm: "ORGANIZATION", status: "PAID", unverified: false, paid: 70000n, imPaymentId: "3000000006" },
];

const ids: Record<string, string> = {};
let shopId = "";

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
  await client.query(`INSERT INTO "Shop" ("id", "insalesId", "host", "updatedAt") VALUES ($1, '4242001', 'old-wallet.myinsales.ru', now())`, [shopId]);
  await client.query(
    `INSERT INTO "ShopSettings" ("shopId", "legalForm", "walletFormId", "walletLogin", "secretKeyEnc", "updatedAt") VALUES ($1, 'INDIVIDUAL', '4242', 'wallet@example.com', 'v1.old.org.key.sealed', now())`,
    [shopId],
  );
  let n = 0;
  for (const p of OLD) {
    n += 1;
    const id = randomUUID();
    ids[p.key] = id;
    await client.query(
      `INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber", "description", "verifiedBy",
         "legalForm", "imOrderId", "eshopId", "currency", "amountKopecks", "imPaymentId", "unverifiedResults", "status", "paidKopecks", "refundedKopecks", "noticeState", "updatedAt")
       VALUES ($1, $2, $3, '4242001', '700.00', $4, $5, $6, 'Заказ', 'signature', $7::"LegalForm", $8, $9, 'RUB', 70000, $10, $11, $12::"PaymentStatus", $13, $14, 'NONE', now())`,
      [
        id, shopId, `tx-${n}`, `key-${n}`, `9${n}`, `100${n}`, p.legalForm, `100${n}-tx-${n}`, p.legalForm === "INDIVIDUAL" ? "450157" : "17354", p.imPaymentId, p.unverified, p.status,
        p.paid, p.status === "REFUNDED" ? 70000n : 0n,
      ],
    );
  }
  await client.query(`INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message") VALUES ($1, $2, $3, 'result_unverified', 'old event')`, [randomUUID(), shopId, ids.walletPaidUnverified]);

  expect(await applyMigrations("from")).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`_${MIGRATION}$`))]));
});

afterAll(async () => {
  await client?.end();
  await dropDatabase(DB);
});

describe(`migration ${MIGRATION} on payments of the old shape`, () => {
  it("keeps «применено без проверки» on wallet payments whose money state was applied without a hash", async () => {
    const { rows } = await client.query<{ id: string; unverifiedResults: boolean }>(`SELECT "id", "unverifiedResults" FROM "Payment"`);
    const flag = Object.fromEntries(rows.map((r) => [r.id, r.unverifiedResults]));
    expect(flag[ids.walletPaidUnverified]).toBe(true);
    expect(flag[ids.walletCancelledUnverified]).toBe(true);
    expect(flag[ids.walletRefundedUnverified]).toBe(true);
  });

  it("clears it where only the unverifiable status 3 had set it (still CREATED: no money moved), and leaves unflagged rows unflagged", async () => {
    const { rows } = await client.query<{ id: string; unverifiedResults: boolean }>(`SELECT "id", "unverifiedResults" FROM "Payment"`);
    const flag = Object.fromEntries(rows.map((r) => [r.id, r.unverifiedResults]));
    expect(flag[ids.walletCreatedStatus3Only]).toBe(false);
    expect(flag[ids.walletCreatedNothingYet]).toBe(false);
    expect(flag[ids.walletPaidVerifiedNever]).toBe(false);
    expect(flag[ids.organizationPaid]).toBe(false);
  });

  it("changes nothing else: statuses, amounts, invoice ids, events; no claims, no wallet key", async () => {
    const { rows } = await client.query<{ id: string; status: string; paidKopecks: string; imPaymentId: string | null }>(`SELECT "id", "status", "paidKopecks", "imPaymentId" FROM "Payment"`);
    for (const p of OLD) {
      const row = rows.find((r) => r.id === ids[p.key])!;
      expect([row.status, BigInt(row.paidKopecks), row.imPaymentId], p.key).toEqual([p.status, p.paid, p.imPaymentId]);
    }
    expect((await client.query(`SELECT count(*)::int AS n FROM "PaymentEvent"`)).rows[0].n).toBe(1);
    expect((await client.query(`SELECT count(*)::int AS n FROM "PaymentClaim"`)).rows[0].n).toBe(0);
    const settings = (await client.query(`SELECT "legalForm", "walletFormId", "secretKeyEnc", "walletSecretKeyEnc" FROM "ShopSettings" WHERE "shopId" = $1`, [shopId])).rows[0];
    expect(settings).toEqual({ legalForm: "INDIVIDUAL", walletFormId: "4242", secretKeyEnc: "v1.old.org.key.sealed", walletSecretKeyEnc: null });
  });

  it("takes new claims on the migrated payments", async () => {
    await client.query(
      `INSERT INTO "PaymentClaim" ("id", "shopId", "paymentId", "paymentStatus", "targetStatus", "paidKopecks", "imPaymentId", "dedupeKey", "data", "updatedAt")
       VALUES ($1, $2, $3, '5', 'PAID', 70000, '3000000004', 'k', '{}', now())`,
      [randomUUID(), shopId, ids.walletCreatedStatus3Only],
    );
    const claim = (await client.query(`SELECT "state", "copies" FROM "PaymentClaim"`)).rows[0];
    expect(claim).toEqual({ state: "PENDING", copies: 1 });
  });
});
