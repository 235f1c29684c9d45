// Bench data: a few hundred configured shops (organization, known secrets, connected payment method),
// one shop with a 10 000-payment journal, and pools of CREATED payments for the result scenarios.
// Written with plain SQL in bulk (generate_series): seeding must take seconds, not minutes.
// Secrets are sealed with lib/crypto.ts so the app decrypts them exactly as in production.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { encryptSecret } from "../lib/crypto";

export type BenchShop = {
  index: number;
  id: string;
  insalesId: string;
  eshopId: string;
  /** The IntellectMoney secret key (result hash, invoice hash). */
  secretKey: string;
  /** The payment method's «Пароль» (checkout signature). */
  gatewayPassword: string;
};

export const shopSecret = (i: number) => `bench-secret-key-${i}`;
export const gatewayPassword = (i: number) => `bench-gateway-password-${i}`;

/** Amount of every pooled payment: 1 500.00 ₽. */
export const POOL_AMOUNT_KOPECKS = 150_000n;
export const POOL_AMOUNT_RAW = "1500.00";

/** BENCH_MAILS=off seeds every shop without letters (to see what the letters cost). */
const withMail = (i: number) => process.env.BENCH_MAILS !== "off" && i % 2 === 0;

export async function seedShops(client: pg.Client, count: number): Promise<BenchShop[]> {
  const shops: BenchShop[] = [];
  for (let i = 0; i < count; i++) {
    shops.push({
      index: i,
      id: randomUUID(),
      insalesId: String(100_000 + i),
      eshopId: String(400_000 + i),
      secretKey: shopSecret(i),
      gatewayPassword: gatewayPassword(i),
    });
  }
  const rows = shops.map((s) => ({
    ...s,
    host: `bench-${s.index}.myinsales.ru`,
    apiPasswordEnc: encryptSecret(`bench-api-${s.index}`),
    secretKeyEnc: encryptSecret(s.secretKey),
    passwordEnc: encryptSecret(s.gatewayPassword),
    // Half the shops have e-mail notifications on (letters 1, 2, 3, 6 to a valid address): the heavier,
    // realistic path through the mail queue; without SMTP_URL they are stored, not sent.
    mailKinds: withMail(s.index) ? [1, 2, 3, 6] : [],
  }));
  await client.query(
    `INSERT INTO "Shop" ("id", "insalesId", "host", "status", "apiPasswordEnc", "title", "ownerEmail", "updatedAt")
     SELECT x.id::uuid, x."insalesId", x.host, 'ACTIVE', x."apiPasswordEnc", 'Bench ' || x."insalesId", 'owner@' || x.host, now()
       FROM json_to_recordset($1::json) AS x(id text, "insalesId" text, host text, "apiPasswordEnc" text)`,
    [JSON.stringify(rows)],
  );
  await client.query(
    `INSERT INTO "ShopSettings" ("shopId", "legalForm", "eshopId", "secretKeyEnc", "testMode", "holdMode", "mailKinds", "notifyEmail", "updatedAt")
     SELECT x.id::uuid, 'ORGANIZATION', x."eshopId", x."secretKeyEnc", false, 'NO_HOLD', x."mailKinds", 'shop@' || x.host, now()
       FROM json_to_recordset($1::json) AS x(id text, "eshopId" text, "secretKeyEnc" text, "mailKinds" int[], host text)`,
    [JSON.stringify(rows)],
  );
  await client.query(
    `INSERT INTO "ShopGateway" ("shopId", "state", "gatewayId", "passwordEnc", "updatedAt")
     SELECT x.id::uuid, 'CONNECTED', (900000 + x.index)::text, x."passwordEnc", now()
       FROM json_to_recordset($1::json) AS x(id text, index int, "passwordEnc" text)`,
    [JSON.stringify(rows)],
  );
  return shops;
}

/** 10 000 payments of one shop over the last 90 days, all statuses, two timeline events each. */
export async function seedJournal(client: pg.Client, shop: BenchShop, count: number): Promise<void> {
  await client.query(
    `INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId",
        "orderNumber", "description", "buyerEmail", "verifiedBy", "legalForm", "imOrderId", "eshopId", "currency",
        "amountKopecks", "imPaymentId", "status", "paidKopecks", "noticeState", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, 'j' || g, $2, (1000 + g % 9000)::text || '.00', md5('key' || g), (5000000 + g)::text,
        (10000 + g)::text, 'Заказ №' || (10000 + g) || ' на сайте bench-0.myinsales.ru', 'buyer' || g || '@example.com',
        'signature', 'ORGANIZATION', (10000 + g) || '-j' || g, $3, 'RUB',
        (1000 + g % 9000) * 100, (3000000000 + g)::text,
        (ARRAY['CREATED','PAID','PAID','PAID','HELD','CANCELLED','REFUNDED','PARTIALLY_PAID'])[1 + g % 8]::"PaymentStatus",
        CASE WHEN g % 8 IN (1,2,3,6) THEN (1000 + g % 9000) * 100 ELSE 0 END,
        CASE WHEN g % 8 IN (1,2,3) THEN 'DELIVERED' ELSE 'NONE' END::"NoticeSummary",
        now() - (g || ' minutes')::interval * 13, now()
       FROM generate_series(1, $4::int) AS g`,
    [shop.id, shop.insalesId, shop.eshopId, count],
  );
  await client.query(
    `INSERT INTO "PaymentEvent" ("id", "shopId", "paymentId", "type", "message", "data", "createdAt")
     SELECT gen_random_uuid(), p."shopId", p.id, t.type, t.message, '{"bench":true}'::jsonb, p."createdAt"
       FROM "Payment" p
       CROSS JOIN (VALUES ('checkout_received', 'Переход к оплате'), ('checkout_verified', 'Подпись InSales проверена')) AS t(type, message)
      WHERE p."shopId" = $1::uuid`,
    [shop.id],
  );
}

/**
 * CREATED payments spread over `shops` (round robin) for result notifications: payment k has imOrderId
 * `${prefix}${k}` in shop k % shops.length. Returns nothing: the bodies are derived from k alone.
 */
export async function seedResultPool(client: pg.Client, shops: BenchShop[], prefix: string, count: number): Promise<void> {
  const ids = shops.map((s) => s.id);
  const eshops = shops.map((s) => s.eshopId);
  const insales = shops.map((s) => s.insalesId);
  await client.query(
    `INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId",
        "orderNumber", "description", "buyerEmail", "verifiedBy", "legalForm", "imOrderId", "eshopId", "currency",
        "amountKopecks", "updatedAt")
     SELECT gen_random_uuid(), ($1::uuid[])[1 + g % $5], $2 || g, ($4::text[])[1 + g % $5], $6, md5('rkey' || g), (7000000 + g)::text,
        (20000 + g)::text, 'Заказ №' || (20000 + g) || ' на сайте bench.myinsales.ru', 'buyer' || g || '@example.com',
        'signature', 'ORGANIZATION', $2 || g, ($3::text[])[1 + g % $5], 'RUB', $7::bigint, now()
       FROM generate_series(0, $8::int - 1) AS g`,
    [ids, prefix, eshops, insales, shops.length, POOL_AMOUNT_RAW, POOL_AMOUNT_KOPECKS.toString(), count],
  );
}
