// The data migration 20261201142625_refunds_answered_code_1 on a database holding rows of the old shape:
// refunds recorded FAILED by the code that read Result.State.Code 1 («успешно с предупреждениями») as a
// refusal. The database is built from the migrations before this change, the old rows are written with
// the old columns only, then the new migrations run as the deploy would (each file on its own).
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../db-migrations";
import { dropDatabase } from "../../tests/support/test-db";
import { ADMIN_DATABASE_URL, databaseUrl } from "../../tests/support/test-env";

const SCHEMA_CHANGE = "20261201142624_merchant_api_read_back";
const DATA_CHANGE = "20261201142625_refunds_answered_code_1";

const name = `im_test_code1_${process.pid}_${Date.now()}`;
let c: pg.Client;

async function runMigration(dir: string) {
  await c.query(await readFile(path.join(MIGRATIONS_DIR, dir, "migration.sql"), "utf8"));
}

type OldOp = { kind: "CAPTURE" | "RELEASE" | "REFUND"; state: "ACCEPTED" | "FAILED"; amount: bigint | null; message: string };

const shopId = randomUUID();
const payments = { code1: randomUUID(), lookalike: randomUUID(), refused: randomUUID(), capture: randomUUID(), accepted: randomUUID() };
const ops: Record<string, string> = {};

async function oldPayment(id: string, orderNumber: string, status: string) {
  await c.query(
    `INSERT INTO "Payment" (id, "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber", description,
       "verifiedBy", "legalForm", "imOrderId", "eshopId", currency, "amountKopecks", "imPaymentId", status, "paidKopecks", "refundedKopecks", "updatedAt")
     VALUES ($1, $2, $3, '1', '1500.00', $3, $3, $4, 'Заказ', 'signature', 'ORGANIZATION', $3, '450123', 'RUB', 150000, '3000000001', $5, 150000, 0, now())`,
    [id, shopId, `tx-${orderNumber}`, orderNumber, status],
  );
}

async function oldOperation(key: string, paymentId: string, o: OldOp) {
  const id = randomUUID();
  ops[key] = id;
  await c.query(
    `INSERT INTO "PaymentOperation" (id, "shopId", "paymentId", kind, "amountKopecks", state, message, "updatedAt") VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
    [id, shopId, paymentId, o.kind, o.amount, o.state, o.message],
  );
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  c = new pg.Client({ connectionString: databaseUrl(name) });
  await c.connect();
  const dirs = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  expect(dirs).toContain(SCHEMA_CHANGE);
  expect(dirs).toContain(DATA_CHANGE);
  for (const dir of dirs.filter((d) => d < SCHEMA_CHANGE)) await runMigration(dir);

  // Rows exactly as the old code wrote them: no code columns, message = "IntellectMoney отказал: " + the
  // answer's description, or "код N" when it had none.
  await c.query(`INSERT INTO "Shop" (id, "insalesId", host, "updatedAt") VALUES ($1, '777001', 'old.myinsales.ru', now())`, [shopId]);
  await oldPayment(payments.code1, "1001", "PAID");
  await oldPayment(payments.lookalike, "1002", "PARTIALLY_REFUNDED");
  await oldPayment(payments.refused, "1003", "PAID");
  await oldPayment(payments.capture, "1004", "PAID");
  await oldPayment(payments.accepted, "1005", "PARTIALLY_REFUNDED");
  await oldOperation("code1", payments.code1, { kind: "REFUND", state: "FAILED", amount: 50_000n, message: "IntellectMoney отказал: код 1" });
  await oldOperation("retried", payments.code1, { kind: "REFUND", state: "ACCEPTED", amount: 50_000n, message: "Операция принята" });
  await oldOperation("lookalike", payments.lookalike, { kind: "REFUND", state: "FAILED", amount: 20_000n, message: "IntellectMoney отказал: Возврат выполнен успешно, чек не сформирован" });
  await oldOperation("refused", payments.refused, { kind: "REFUND", state: "FAILED", amount: 10_000n, message: "IntellectMoney отказал: Сумма возврата больше суммы, доступной к возврату" });
  await oldOperation("timeout", payments.refused, { kind: "REFUND", state: "FAILED", amount: 10_000n, message: "IntellectMoney не ответил вовремя. Проверьте состояние платежа в личном кабинете IntellectMoney, прежде чем повторять операцию." });
  await oldOperation("capture", payments.capture, { kind: "CAPTURE", state: "FAILED", amount: null, message: "IntellectMoney отказал: код 1" });
  await oldOperation("accepted", payments.accepted, { kind: "REFUND", state: "ACCEPTED", amount: 30_000n, message: "Операция принята" });

  await runMigration(SCHEMA_CHANGE);
  await runMigration(DATA_CHANGE);
});

afterAll(async () => {
  await c?.end();
  await dropDatabase(name);
});

const op = async (key: string) => (await c.query(`SELECT state, message, note, "resultCode" FROM "PaymentOperation" WHERE id = $1`, [ops[key]])).rows[0];
const payment = async (id: string) => (await c.query(`SELECT "refundsBlockedAt", "refundsBlockedReason" FROM "Payment" WHERE id = $1`, [id])).rows[0];
const problems = async (id: string) => (await c.query(`SELECT kind, message, "resolvedAt" FROM "Problem" WHERE "paymentId" = $1`, [id])).rows;

describe(`migration ${DATA_CHANGE} on old rows`, () => {
  it("marks a refund refused with «код 1» as possibly executed, stops refunds and raises a critical problem", async () => {
    expect(await op("code1")).toMatchObject({ state: "UNCERTAIN", resultCode: 1, message: "IntellectMoney отказал: код 1", note: expect.stringMatching(/^Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями» \(код 1\)/) });
    expect(await payment(payments.code1)).toMatchObject({ refundsBlockedAt: expect.any(Date), refundsBlockedReason: expect.stringContaining("Возможно, выполнено") });
    const [problem, ...more] = await problems(payments.code1);
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ kind: "refunds_blocked", resolvedAt: null });
    expect(problem.message).toContain("на возврат 500,00 ₽ по заказу №1001");
    expect(problem.message).toContain("деньги могли вернуться дважды");
    // The merchant's retry that followed stays as it was.
    expect(await op("retried")).toMatchObject({ state: "ACCEPTED", note: null });
  });

  it("marks a refusal whose description reads like a success as possibly executed too", async () => {
    expect(await op("lookalike")).toMatchObject({ state: "UNCERTAIN", resultCode: null, note: expect.stringContaining("похож на «успешно с предупреждениями»") });
    expect(await payment(payments.lookalike)).toMatchObject({ refundsBlockedAt: expect.any(Date) });
    expect(await problems(payments.lookalike)).toEqual([expect.objectContaining({ kind: "refunds_blocked", message: expect.stringContaining("на возврат 200,00 ₽ по заказу №1002") })]);
  });

  it("leaves real refusals, other failures, captures and accepted refunds alone", async () => {
    expect(await op("refused")).toMatchObject({ state: "FAILED", note: null, resultCode: null });
    expect(await op("timeout")).toMatchObject({ state: "FAILED", note: null });
    expect(await op("capture")).toMatchObject({ state: "FAILED", note: null });
    expect(await op("accepted")).toMatchObject({ state: "ACCEPTED", note: null });
    for (const id of [payments.refused, payments.capture, payments.accepted]) {
      expect(await payment(id)).toMatchObject({ refundsBlockedAt: null, refundsBlockedReason: null });
      expect(await problems(id)).toEqual([]);
    }
  });

  it("changes nothing when it runs again", async () => {
    const before = (await c.query(`SELECT count(*)::int AS n FROM "Problem"`)).rows[0].n;
    await runMigration(DATA_CHANGE);
    expect((await c.query(`SELECT count(*)::int AS n FROM "Problem"`)).rows[0].n).toBe(before);
  });
});
