// Seeds the payments journal benchmark: one shop with 10 000 payments (three events each) spread over
// 180 days, every status and notice state, plus a second shop with 2 000 look-alike payments so tenant
// scoping is part of what is measured. Bulk createMany in chunks.
//   node --import tsx scripts/seed-journal.ts            (database im_journal_bench on 127.0.0.1)
//   JOURNAL_BENCH_DATABASE_URL=postgresql://… node --import tsx scripts/seed-journal.ts
// The database is created and migrated when missing; the bench shops are replaced on every run.
// Then: node --import tsx scripts/bench-journal.ts
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Prisma } from "../lib/generated/prisma/client";
import type { NoticeSummary, PaymentStatus } from "../lib/generated/prisma/enums";
import { formatKopecks } from "../lib/money";
import { benchDatabase, BENCH_INSALES_ID, BENCH_OTHER_INSALES_ID, PAYMENTS } from "./journal-bench-db";

const CHUNK = 1000;
const DAYS = 180;
const STATUSES: PaymentStatus[] = ["PAID", "PAID", "PAID", "PAID", "CREATED", "CREATED", "CANCELLED", "HELD", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "REFUNDED"];

function noticeFor(status: PaymentStatus, i: number): NoticeSummary {
  if (status === "CREATED" || status === "HELD") return "NONE";
  if (i % 97 === 0) return "FAILED";
  if (i % 53 === 0) return "PENDING";
  return "DELIVERED";
}

async function seedShop(prisma: Awaited<ReturnType<typeof benchDatabase>>["prisma"], insalesId: string, count: number): Promise<string> {
  const old = await prisma.shop.findUnique({ where: { insalesId }, select: { id: true } });
  if (old) {
    await prisma.paymentEvent.deleteMany({ where: { shopId: old.id } });
    await prisma.problem.deleteMany({ where: { shopId: old.id } });
    await prisma.insalesNotice.deleteMany({ where: { shopId: old.id } });
    await prisma.payment.deleteMany({ where: { shopId: old.id } });
    await prisma.shop.delete({ where: { id: old.id } });
  }
  const shop = await prisma.shop.create({ data: { insalesId, host: `${insalesId}.myinsales.ru`, title: "Журнал (бенчмарк)" } });
  const now = Date.now();
  for (let start = 0; start < count; start += CHUNK) {
    const payments: Prisma.PaymentCreateManyInput[] = [];
    const events: Prisma.PaymentEventCreateManyInput[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const id = randomUUID();
      const status = STATUSES[i % STATUSES.length];
      // Spread evenly over DAYS, newest last; a little jitter so days are not perfectly uniform.
      const createdAt = new Date(now - Math.floor(((count - i) / count) * DAYS * 86_400_000) + (i % 7) * 1000);
      const amount = BigInt(10_000 + ((i * 7919) % 500_000));
      const paid = status === "PAID" || status === "REFUNDED" || status === "PARTIALLY_REFUNDED" ? amount : status === "PARTIALLY_PAID" ? amount / 2n : 0n;
      const refunded = status === "REFUNDED" ? amount : status === "PARTIALLY_REFUNDED" ? amount / 3n : 0n;
      payments.push({
        id,
        shopId: shop.id,
        transactionId: `${insalesId}-tx-${i}`,
        insalesShopIdRaw: insalesId,
        amountRaw: formatKopecks(amount),
        orderKey: `key-${i}`,
        insalesOrderId: String(7_000_000 + i),
        orderNumber: String(10_000 + i),
        description: `Оплата заказа ${10_000 + i}`,
        buyerEmail: `buyer${i}@example.com`,
        verifiedBy: i % 10 === 0 ? "api" : "signature",
        legalForm: "ORGANIZATION",
        imOrderId: `${insalesId}-im-${i}`,
        eshopId: "450000",
        currency: "RUB",
        amountKopecks: amount,
        imPaymentId: status === "CREATED" ? null : String(3_000_000_000 + i),
        status,
        paidKopecks: paid,
        refundedKopecks: refunded,
        noticeState: noticeFor(status, i),
        createdAt,
      });
      events.push(
        { shopId: shop.id, paymentId: id, type: "checkout_received", message: `Переход к оплате заказа ${10_000 + i}`, createdAt },
        { shopId: shop.id, paymentId: id, type: "checkout_verified", message: "Подпись InSales проверена", createdAt: new Date(createdAt.getTime() + 5) },
        { shopId: shop.id, paymentId: id, type: "result_applied", message: "Статус платежа изменён", createdAt: new Date(createdAt.getTime() + 60_000) },
      );
    }
    await prisma.payment.createMany({ data: payments });
    await prisma.paymentEvent.createMany({ data: events });
  }
  return shop.id;
}

const started = Date.now();
const { prisma, url } = await benchDatabase({ createIfMissing: true });
try {
  const shopId = await seedShop(prisma, BENCH_INSALES_ID, PAYMENTS);
  await seedShop(prisma, BENCH_OTHER_INSALES_ID, 2000);
  // Fresh statistics, as autovacuum would have them in production.
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('ANALYZE "Payment"; ANALYZE "PaymentEvent"');
  await c.end();
  console.log(`seed-journal: shop ${shopId} with ${PAYMENTS} payments (+2000 in another shop) in ${Date.now() - started} ms`);
} finally {
  await prisma.$disconnect();
}
