// The notify-insales worker's one-statement reads and writes against a real PostgreSQL: the notice with
// what its signature needs, decoded to the model types, and the delivery with the payment's summary.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { recordRoundTrips } from "../../tests/support/count-round-trips";
import { loadNotice, markNoticeDelivered } from "./notice-store";

useTestDatabase();

let shopId: string;
let seq = 0;

beforeAll(async () => {
  const shop = await db().shop.create({ data: { insalesId: `ns-${randomUUID()}`, host: "notice-store.myinsales.ru" } });
  shopId = shop.id;
});

async function paymentWithNotices(...notices: Array<{ paid: number; createdAt: Date }>) {
  seq += 1;
  const payment = await db().payment.create({
    data: {
      shopId,
      transactionId: `ns-tx-${seq}`,
      insalesShopIdRaw: "1",
      amountRaw: "1234.56",
      orderKey: `key-${seq}`,
      insalesOrderId: `7${seq}`,
      orderNumber: `${7000 + seq}`,
      description: "Заказ",
      verifiedBy: "signature",
      legalForm: "ORGANIZATION",
      imOrderId: `ns-im-${seq}`,
      eshopId: "450000",
      currency: "RUB",
      amountKopecks: 123456n,
      paidKopecks: 123456n,
      status: "PAID",
      noticeState: "PENDING",
    },
  });
  const rows = [];
  for (const n of notices) rows.push(await db().insalesNotice.create({ data: { shopId, paymentId: payment.id, paid: n.paid, createdAt: n.createdAt } }));
  return { payment, notices: rows };
}

describe("loadNotice", () => {
  it("reads the notice, its payment and the payment's shop with settings and gateway in one round trip", async () => {
    const { payment, notices } = await paymentWithNotices({ paid: 1, createdAt: new Date() });
    await db().shopGateway.upsert({ where: { shopId }, create: { shopId, serverUrl: "http://127.0.0.1:1/server", passwordEnc: "sealed" }, update: {} });
    const { result: loaded, sql } = await recordRoundTrips(() => loadNotice(notices[0].id));
    expect(sql).toHaveLength(1);
    // The same values, and the same types, as Prisma's own read.
    const viaPrisma = await db().insalesNotice.findUniqueOrThrow({
      where: { id: notices[0].id },
      include: { payment: { include: { shop: { include: { settings: true, gateway: true } } } } },
    });
    expect(loaded).toEqual(viaPrisma);
    expect(loaded!.payment.amountKopecks).toBe(123456n);
    expect(loaded!.payment.id).toBe(payment.id);
    expect(loaded!.payment.shop.gateway?.serverUrl).toBe("http://127.0.0.1:1/server");
  });

  it("answers null for a notice that does not exist", async () => {
    expect(await loadNotice(randomUUID())).toBeNull();
  });
});

describe("markNoticeDelivered", () => {
  it("delivers a PENDING notice once: state, time, the payment's summary and one event", async () => {
    const { payment, notices } = await paymentWithNotices({ paid: 1, createdAt: new Date() });
    const input = { noticeId: notices[0].id, paymentId: payment.id, message: "InSales принял уведомление: заказ «оплачен»", data: { noticeId: notices[0].id, paid: 1, attempts: 1 } };
    const { result: first, sql } = await recordRoundTrips(() => markNoticeDelivered(input));
    expect(first).toBe(true);
    expect(sql).toHaveLength(1);
    expect(await markNoticeDelivered(input)).toBe(false);

    const notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: notices[0].id } });
    expect(notice.state).toBe("DELIVERED");
    expect(notice.deliveredAt).toBeInstanceOf(Date);
    expect(Math.abs(notice.deliveredAt!.getTime() - Date.now())).toBeLessThan(60_000); // stored as UTC, like Prisma
    expect((await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).noticeState).toBe("DELIVERED");
    const events = await db().paymentEvent.findMany({ where: { paymentId: payment.id, type: "notice_delivered" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ shopId, message: input.message, data: input.data });
  });

  it("keeps the summary on the newest notice when an older one is delivered", async () => {
    const older = new Date(Date.now() - 60_000);
    const { payment, notices } = await paymentWithNotices({ paid: 1, createdAt: older }, { paid: 0, createdAt: new Date() });
    expect(await markNoticeDelivered({ noticeId: notices[0].id, paymentId: payment.id, message: "m", data: {} })).toBe(true);
    expect((await db().insalesNotice.findUniqueOrThrow({ where: { id: notices[0].id } })).state).toBe("DELIVERED");
    // The newer paid=0 notice is still waiting: the journal shows «ожидает», not «доставлено».
    expect((await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).noticeState).toBe("PENDING");
  });

  it("writes nothing for a notice that is no longer PENDING", async () => {
    const { payment, notices } = await paymentWithNotices({ paid: 1, createdAt: new Date() });
    await db().insalesNotice.update({ where: { id: notices[0].id }, data: { state: "FAILED" } });
    await db().payment.update({ where: { id: payment.id }, data: { noticeState: "FAILED" } });
    expect(await markNoticeDelivered({ noticeId: notices[0].id, paymentId: payment.id, message: "m", data: {} })).toBe(false);
    expect((await db().insalesNotice.findUniqueOrThrow({ where: { id: notices[0].id } })).state).toBe("FAILED");
    expect((await db().payment.findUniqueOrThrow({ where: { id: payment.id } })).noticeState).toBe("FAILED");
    expect(await db().paymentEvent.count({ where: { paymentId: payment.id } })).toBe(0);
  });
});
