// The bare minimum that does the essential work of the two hot paths, to compare the app with:
// plain node:http + pg, shop secrets decrypted once at start, no framework, no journal, no mail.
//   POST /payment.php?shop=<insales_id>            verify the InSales MD5 → one INSERT … ON CONFLICT → the form
//   POST /api/intellectmoney/result?shop=<id>      verify the IntellectMoney MD5 → one conditional UPDATE → OK
// Run: DATABASE_URL=… ENCRYPTION_KEY=… (the app's env) node --import tsx bench/baseline-server.ts <port>
import { randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { decryptSecret, hexEquals } from "../lib/crypto";
import { env } from "../lib/env";
import { checkoutSignature, type CheckoutFields } from "../lib/insales/signatures";
import { invoiceFormHash, resultNotificationHash } from "../lib/intellectmoney/signatures";
import { formatKopecks, parseKopecks } from "../lib/money";

type Secrets = { id: string; eshopId: string; secretKey: string; password: string };

const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 10 });

async function loadShops(): Promise<Map<string, Secrets>> {
  const { rows } = await pool.query<{ id: string; insalesId: string; eshopId: string; secretKeyEnc: string; passwordEnc: string }>(
    `SELECT s.id, s."insalesId", st."eshopId", st."secretKeyEnc", g."passwordEnc"
       FROM "Shop" s JOIN "ShopSettings" st ON st."shopId" = s.id JOIN "ShopGateway" g ON g."shopId" = s.id
      WHERE s.status = 'ACTIVE' AND st."secretKeyEnc" IS NOT NULL AND g."passwordEnc" IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.insalesId, { id: r.id, eshopId: r.eshopId, secretKey: decryptSecret(r.secretKeyEnc), password: decryptSecret(r.passwordEnc) }]));
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const SIGNED: Array<keyof CheckoutFields> = [
  "shop_id", "amount", "transaction_id", "key", "description", "order_id", "phone", "email",
  "original_currency", "convert_currency", "original_amount", "conversion_rate", "order_json",
];

async function checkout(shop: Secrets, form: URLSearchParams): Promise<[number, string]> {
  const fields = Object.fromEntries(SIGNED.map((k) => [k, form.get(k) ?? ""])) as CheckoutFields;
  if (!hexEquals(checkoutSignature(fields, shop.password), form.get("signature") ?? "")) return [403, "bad signature"];
  const kopecks = parseKopecks(fields.amount);
  if (kopecks === null || kopecks < 100n) return [422, "bad amount"];
  const orderId = `${fields.order_id}-${fields.transaction_id}`.slice(0, 50);
  await pool.query(
    `INSERT INTO "Payment" ("id", "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId",
        "description", "buyerEmail", "verifiedBy", "legalForm", "imOrderId", "eshopId", "currency", "amountKopecks", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'signature', 'ORGANIZATION', $10, $11, 'RUB', $12, now())
     ON CONFLICT ("shopId", "transactionId", "attempt") DO NOTHING`,
    [randomUUID(), shop.id, fields.transaction_id, fields.shop_id, fields.amount, fields.key, fields.order_id, fields.description, fields.email || null, orderId, shop.eshopId, kopecks.toString()],
  );
  const amount = formatKopecks(kopecks);
  const hash = invoiceFormHash({ eshopId: shop.eshopId, orderId, serviceName: fields.description, recipientAmount: amount, recipientCurrency: "RUB" }, shop.secretKey);
  const inputs = [["eshopId", shop.eshopId], ["orderId", orderId], ["serviceName", fields.description], ["recipientAmount", amount], ["recipientCurrency", "RUB"], ["hash", hash]]
    .map(([n, v]) => `<input type="hidden" name="${n}" value="${esc(v)}">`)
    .join("");
  return [200, `<!doctype html><meta charset="utf-8"><form method="post" action="https://merchant.intellectmoney.ru/ru/">${inputs}<button>Оплатить</button></form>`];
}

async function result(shop: Secrets, form: URLSearchParams): Promise<[number, string]> {
  const g = (k: string) => form.get(k) ?? "";
  const f = {
    eshopId: g("eshopId"), orderId: g("orderId"), serviceName: g("serviceName"), eshopAccount: g("eshopAccount"), recipientAmount: g("recipientAmount"),
    recipientCurrency: g("recipientCurrency"), paymentStatus: g("paymentStatus"), userName: g("userName"), userEmail: g("userEmail"), paymentData: g("paymentData"),
  };
  if (f.eshopId !== shop.eshopId || !hexEquals(resultNotificationHash(f, shop.secretKey), g("hash"))) return [403, "bad_hash"];
  const paid = parseKopecks(f.recipientAmount);
  if (paid === null || f.paymentStatus !== "5") return [400, "bad_request"];
  // Forward only: a repeat matches no row and is still OK.
  await pool.query(
    `UPDATE "Payment" SET "status" = 'PAID', "paidKopecks" = $3, "imPaymentId" = COALESCE("imPaymentId", $4), "updatedAt" = now()
      WHERE "shopId" = $1 AND "imOrderId" = $2 AND "status" IN ('CREATED', 'HELD', 'PARTIALLY_PAID') AND "amountKopecks" = $3 AND "currency" = $5`,
    [shop.id, f.orderId, paid.toString(), g("paymentId"), f.recipientCurrency],
  );
  return [200, "OK"];
}

async function main() {
  const port = Number(process.argv[2] ?? 0);
  const shops = await loadShops();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const reply = (status: number, body: string, type: string) => {
        res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
        res.end(body);
      };
      if (url.pathname === "/health") return reply(200, "ok", "text/plain");
      const shop = shops.get(url.searchParams.get("shop") ?? "");
      if (req.method !== "POST" || !shop) return reply(404, "not found", "text/plain");
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      const work = url.pathname === "/payment.php" ? checkout(shop, form) : url.pathname === "/api/intellectmoney/result" ? result(shop, form) : null;
      if (!work) return reply(404, "not found", "text/plain");
      work.then(
        ([status, body]) => reply(status, body, url.pathname === "/payment.php" ? "text/html; charset=utf-8" : "text/plain"),
        (error: Error) => reply(500, error.message, "text/plain"),
      );
    });
  });
  server.listen(port, "127.0.0.1", () => {
    const address = server.address() as { port: number };
    process.stdout.write(`baseline listening on ${address.port}\n`);
  });
  const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
