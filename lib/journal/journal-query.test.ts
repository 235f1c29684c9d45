// The payments journal against a real PostgreSQL: filters, keyset pages, the capped count, the CSV file
// and tenant isolation (docs/PRODUCT.md flow 10 and «Non-negotiables»).
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { CSV_BOM, CSV_HEADER } from "./journal-csv";
import { NO_FILTERS, parseJournalFilters, type JournalFilters } from "./journal-filters";
import { exportPaymentsCsv } from "./journal-csv";
import { COUNT_CAP, countPayments, getPaymentWithTimeline, listPayments, PAGE_SIZE } from "./journal-query";
import { listOpenProblems, resolveProblem } from "./journal-problems";

useTestDatabase();

let seq = 0;
function paymentData(shopId: string, over: Partial<Prisma.PaymentCreateManyInput> = {}): Prisma.PaymentCreateManyInput {
  seq += 1;
  return {
    id: randomUUID(),
    shopId,
    transactionId: `tx-${seq}`,
    insalesShopIdRaw: "1",
    amountRaw: "1500.00",
    orderKey: `key-${seq}`,
    insalesOrderId: `9${seq}`,
    orderNumber: `${5000 + seq}`,
    description: `Заказ ${5000 + seq}`,
    verifiedBy: "signature",
    legalForm: "ORGANIZATION",
    imOrderId: `im-${seq}`,
    eshopId: "450000",
    currency: "RUB",
    amountKopecks: 150000n,
    createdAt: new Date(Date.UTC(2026, 0, 1) + seq * 60_000),
    ...over,
  };
}

async function newShop(name: string): Promise<string> {
  const shop = await db().shop.create({ data: { insalesId: `${name}-${randomUUID()}`, host: `${name}.myinsales.ru` } });
  return shop.id;
}

const filters = (over: Partial<JournalFilters>): JournalFilters => ({ ...NO_FILTERS, ...over });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; text: string }> {
  const buf = Buffer.from(await new Response(stream).arrayBuffer());
  return { bytes: buf, text: buf.toString("utf8") };
}

describe("listPayments filters", () => {
  let shopA: string;
  let shopB: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    shopA = await newShop("journal-a");
    shopB = await newShop("journal-b");
    const rows = [
      // 23:59:59 and 00:00:00 Moscow time on either side of midnight 9→10 March 2026 (UTC+3).
      { key: "lateMar9", orderNumber: "1001", status: "PAID", createdAt: new Date("2026-03-09T20:59:59.999Z"), noticeState: "DELIVERED", imPaymentId: "4400111" },
      { key: "earlyMar10", orderNumber: "1002", status: "CREATED", createdAt: new Date("2026-03-09T21:00:00.000Z") },
      { key: "held", orderNumber: "1005", status: "HELD", createdAt: new Date("2026-03-10T10:00:00Z"), noticeState: "FAILED" },
      { key: "refunded", orderNumber: "2100", status: "REFUNDED", createdAt: new Date("2026-03-11T10:00:00Z"), noticeState: "PENDING", imOrderId: "im-special-77" },
      { key: "wildcard", orderNumber: "10_5", status: "CANCELLED", createdAt: new Date("2026-03-12T10:00:00Z") },
    ] as const;
    for (const r of rows) {
      const { key, ...over } = r;
      const data = paymentData(shopA, over);
      ids[key] = data.id as string;
      await db().payment.create({ data });
    }
    // Shop B has look-alikes of everything: same order numbers, same statuses, same dates.
    for (const r of rows) {
      const { key, imOrderId, ...over } = r as (typeof rows)[number] & { imOrderId?: string };
      void imOrderId;
      const data = paymentData(shopB, over);
      ids[`b_${key}`] = data.id as string;
      await db().payment.create({ data: { ...data, imPaymentId: null } });
    }
    await db().payment.create({ data: paymentData(shopB, { orderNumber: "1001", imOrderId: "im-special-77-b", imPaymentId: "4400111-b" }) });
  });

  const orders = async (shopId: string, f: Partial<JournalFilters>) => (await listPayments(shopId, filters(f))).rows.map((r) => r.orderNumber);

  it("lists the shop's payments newest first with the table's fields only", async () => {
    const list = await listPayments(shopA, NO_FILTERS);
    expect(list.rows.map((r) => r.orderNumber)).toEqual(["10_5", "2100", "1005", "1002", "1001"]);
    expect(list.total).toEqual({ count: 5, capped: false });
    expect(Object.keys(list.rows[0]).sort()).toEqual(
      ["amountKopecks", "createdAt", "currency", "id", "imOrderId", "imPaymentId", "insalesOrderId", "noticeState", "orderNumber", "paidKopecks", "pendingClaims", "refundedKopecks", "status", "unverifiedResults"].sort(),
    );
    expect(list.rows[0]).not.toHaveProperty("buyerEmail");
    expect(list.newer).toBeNull();
    expect(list.older).toBeNull();
  });

  it("filters by one status and by several", async () => {
    expect(await orders(shopA, { statuses: ["PAID"] })).toEqual(["1001"]);
    expect(await orders(shopA, { statuses: ["HELD", "REFUNDED", "CREATED"] })).toEqual(["2100", "1005", "1002"]);
  });

  it("takes dates as Moscow days: 23:59:59.999 MSK belongs to the 9th, 00:00 MSK to the 10th", async () => {
    expect(await orders(shopA, { from: "2026-03-10", to: "2026-03-10" })).toEqual(["1005", "1002"]);
    expect(await orders(shopA, { to: "2026-03-09" })).toEqual(["1001"]);
    expect(await orders(shopA, { from: "2026-03-09", to: "2026-03-09" })).toEqual(["1001"]);
    expect(await orders(shopA, { from: "2026-03-11" })).toEqual(["10_5", "2100"]);
  });

  it("finds an order by exact number, by prefix, by IntellectMoney invoice or payment id, and treats _ literally", async () => {
    expect(await orders(shopA, { order: "1001" })).toEqual(["1001"]);
    expect(await orders(shopA, { order: "100" })).toEqual(["1005", "1002", "1001"]);
    expect(await orders(shopA, { order: "im-special-77" })).toEqual(["2100"]);
    expect(await orders(shopA, { order: "4400111" })).toEqual(["1001"]);
    // "10_" must not match 1001/1002/1005 as a LIKE wildcard would.
    expect(await orders(shopA, { order: "10_" })).toEqual(["10_5"]);
    expect(await orders(shopA, { order: "10%" })).toEqual([]);
    expect(await orders(shopA, { order: "nothing-like-this" })).toEqual([]);
  });

  it("filters by the state of the notice to InSales and combines filters", async () => {
    expect(await orders(shopA, { notice: "FAILED" })).toEqual(["1005"]);
    expect(await orders(shopA, { notice: "NONE" })).toEqual(["10_5", "1002"]);
    expect(await orders(shopA, { notice: "DELIVERED", statuses: ["PAID"], from: "2026-03-09", order: "100" })).toEqual(["1001"]);
    expect(await orders(shopA, { notice: "DELIVERED", statuses: ["HELD"] })).toEqual([]);
  });

  it("filters by «Требует подтверждения» (a pending claim) and «Применено без проверки», alone or or-ed with statuses", async () => {
    const pendingClaim = async (shopId: string, paymentId: string, state: "PENDING" | "REJECTED") =>
      db().paymentClaim.create({
        data: { shopId, paymentId, paymentStatus: "5", targetStatus: "PAID", paidKopecks: 150000n, imPaymentId: "3000000001", dedupeKey: randomUUID(), data: {}, state },
      });
    await pendingClaim(shopA, ids.earlyMar10, "PENDING");
    await pendingClaim(shopA, ids.held, "REJECTED");
    await pendingClaim(shopB, ids.b_refunded, "PENDING");
    await db().payment.update({ where: { id: ids.wildcard }, data: { unverifiedResults: true } });
    try {
      expect(await orders(shopA, { flags: ["NEEDS_CONFIRMATION"] })).toEqual(["1002"]);
      expect(await orders(shopA, { flags: ["APPLIED_UNVERIFIED"] })).toEqual(["10_5"]);
      expect(await orders(shopA, { flags: ["NEEDS_CONFIRMATION"], statuses: ["PAID"] })).toEqual(["1002", "1001"]);
      expect(await orders(shopA, { flags: ["NEEDS_CONFIRMATION", "APPLIED_UNVERIFIED"], order: "10" })).toEqual(["10_5", "1002"]);
      const rows = (await listPayments(shopA, NO_FILTERS)).rows;
      expect(rows.find((r) => r.id === ids.earlyMar10)?.pendingClaims).toBe(1);
      expect(rows.find((r) => r.id === ids.held)?.pendingClaims).toBe(0);
      expect(parseJournalFilters({ status: ["NEEDS_CONFIRMATION", "PAID", "APPLIED_UNVERIFIED"] }).filters).toMatchObject({ statuses: ["PAID"], flags: ["NEEDS_CONFIRMATION", "APPLIED_UNVERIFIED"] });
      const csv = (await readAll(exportPaymentsCsv(shopA, filters({ flags: ["NEEDS_CONFIRMATION", "APPLIED_UNVERIFIED"] })))).text;
      expect(csv).toContain(";Создан;Требует подтверждения;");
      expect(csv).toContain(";Отменён;Применено без проверки;");
    } finally {
      await db().paymentClaim.deleteMany({});
      await db().payment.update({ where: { id: ids.wildcard }, data: { unverifiedResults: false } });
    }
  });

  it("never returns another shop's rows, whatever the filter", async () => {
    const mine = new Set(Object.entries(ids).filter(([k]) => !k.startsWith("b_")).map(([, v]) => v));
    for (const f of [{}, { order: "1001" }, { order: "4400111-b" }, { order: "im-special-77-b" }, { statuses: ["PAID" as const] }, { notice: "NONE" as const }]) {
      const list = await listPayments(shopA, filters(f));
      for (const r of list.rows) expect(mine.has(r.id)).toBe(true);
    }
    expect(await orders(shopA, { order: "4400111-b" })).toEqual([]);
    expect((await listPayments(shopB, NO_FILTERS)).total.count).toBe(6);
  });

  it("returns a payment with its timeline only to its own shop", async () => {
    expect(await getPaymentWithTimeline(shopB, ids.lateMar9)).toBeNull();
    expect(await getPaymentWithTimeline(shopA, ids.b_lateMar9)).toBeNull();
    expect(await getPaymentWithTimeline(shopA, "not-a-uuid")).toBeNull();
    expect(await getPaymentWithTimeline(shopA, randomUUID())).toBeNull();
    const own = await getPaymentWithTimeline(shopA, ids.lateMar9);
    expect(own?.payment.orderNumber).toBe("1001");
    expect(own?.payment).not.toHaveProperty("orderKey");
  });

  it("exports only the shop's filtered rows", async () => {
    const { text } = await readAll(exportPaymentsCsv(shopA, filters({ statuses: ["PAID", "HELD"] })));
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(";1005;");
    expect(lines[2]).toContain(";1001;");
    const all = await readAll(exportPaymentsCsv(shopA, NO_FILTERS));
    expect(all.text.slice(1).trimEnd().split("\r\n")).toHaveLength(6);
    expect(all.text).not.toContain("4400111-b");
    expect(all.text).not.toContain("im-special-77-b");
  });
});

describe("listPayments pages", () => {
  let shop: string;
  let all: string[];

  beforeAll(async () => {
    shop = await newShop("journal-pages");
    const base = Date.UTC(2026, 4, 1);
    // 120 payments; every 3 share one millisecond, so ties are broken by id.
    const rows = Array.from({ length: 120 }, (_, i) => paymentData(shop, { createdAt: new Date(base + Math.floor(i / 3) * 1000) }));
    await db().payment.createMany({ data: rows });
    all = rows
      .slice()
      .sort((a, b) => (b.createdAt as Date).getTime() - (a.createdAt as Date).getTime() || (a.id! < b.id! ? 1 : -1))
      .map((r) => r.id as string);
  });

  it("walks older and back newer without gaps or repeats", async () => {
    const p1 = await listPayments(shop, NO_FILTERS);
    expect(p1.rows).toHaveLength(PAGE_SIZE);
    expect(p1.newer).toBeNull();
    const p2 = await listPayments(shop, NO_FILTERS, { after: p1.older });
    const p3 = await listPayments(shop, NO_FILTERS, { after: p2.older });
    expect(p3.rows).toHaveLength(20);
    expect(p3.older).toBeNull();
    expect([...p1.rows, ...p2.rows, ...p3.rows].map((r) => r.id)).toEqual(all);
    expect(p1.total).toEqual({ count: 120, capped: false });

    const back2 = await listPayments(shop, NO_FILTERS, { before: p3.newer });
    expect(back2.rows.map((r) => r.id)).toEqual(p2.rows.map((r) => r.id));
    expect(back2.newer).not.toBeNull();
    expect(back2.older).not.toBeNull();
    const back1 = await listPayments(shop, NO_FILTERS, { before: back2.newer });
    expect(back1.rows.map((r) => r.id)).toEqual(p1.rows.map((r) => r.id));
    expect(back1.newer).toBeNull();
  });

  it("caps the count: exact up to the cap, «more than» beyond it", async () => {
    expect(COUNT_CAP).toBe(10_000);
    expect(await countPayments(shop, NO_FILTERS, 120)).toEqual({ count: 120, capped: false });
    expect(await countPayments(shop, NO_FILTERS, 119)).toEqual({ count: 119, capped: true });
    expect(await countPayments(shop, NO_FILTERS, 50)).toEqual({ count: 50, capped: true });
    expect(await countPayments(shop, filters({ statuses: ["PAID"] }), 50)).toEqual({ count: 0, capped: false });
  });
});

describe("exportPaymentsCsv", () => {
  it("writes a BOM, `;` cells, comma decimals, Moscow time, quotes and a formula guard", async () => {
    const shop = await newShop("journal-csv");
    await db().payment.createMany({
      data: [
        paymentData(shop, {
          orderNumber: "=HYPERLINK(\"http://evil\";\"x\")",
          buyerEmail: "@SUM(1+1)",
          amountKopecks: 123456789n,
          paidKopecks: 50n,
          createdAt: new Date("2026-03-09T21:00:05Z"),
          status: "PARTIALLY_PAID",
          noticeState: "FAILED",
          imPaymentId: "+79990001122",
          verifiedBy: "api",
        }),
        paymentData(shop, { orderNumber: "-2+3", buyerEmail: "a;b\"c\nd", createdAt: new Date("2026-03-08T10:00:00Z") }),
      ],
    });
    const { bytes, text } = await readAll(exportPaymentsCsv(shop, NO_FILTERS));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.startsWith(CSV_BOM)).toBe(true);
    const body = text.slice(1);
    expect(body.split("\r\n")[0]).toBe(CSV_HEADER.join(";"));
    expect(body.endsWith("\r\n")).toBe(true);
    const first = body.split("\r\n")[1];
    expect(first.startsWith("10.03.2026 00:00:05;")).toBe(true);
    // A formula start gets a ' and the cell is quoted because it contains " and ;.
    expect(first).toContain(`;"'=HYPERLINK(""http://evil"";""x"")";`);
    expect(first).toContain(";1234567,89;0,50;0,00;RUB;Частично оплачен;");
    expect(first).toContain(";'+79990001122;Ошибка;проверка заказа через API InSales;'@SUM(1+1)");
    // Quotes doubled, ; and newline kept inside one quoted cell.
    expect(body).toContain(`;'-2+3;`);
    expect(body).toContain(`"a;b""c\nd"\r\n`);
  });

  it("streams more rows than one batch in order", async () => {
    const shop = await newShop("journal-csv-big");
    await db().payment.createMany({ data: Array.from({ length: 1203 }, (_, i) => paymentData(shop, { orderNumber: `N${i}`, createdAt: new Date(Date.UTC(2026, 1, 1) + i * 1000) })) });
    const { text } = await readAll(exportPaymentsCsv(shop, NO_FILTERS));
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines).toHaveLength(1204);
    expect(lines[1]).toContain(";N1202;");
    expect(lines[1203]).toContain(";N0;");
    expect(new Set(lines).size).toBe(1204);
  });
});

describe("getPaymentWithTimeline", () => {
  it("merges events and operations in time order with labels; lists notices and problems", async () => {
    const shop = await newShop("journal-timeline");
    const other = await newShop("journal-timeline-other");
    const data = paymentData(shop, { status: "PAID", paidKopecks: 150000n, buyerEmail: "buyer@example.com", currency: "TST", unverifiedResults: true });
    await db().payment.create({ data });
    const paymentId = data.id as string;
    const t = (s: number) => new Date(Date.UTC(2026, 5, 1, 12, 0, s));
    await db().paymentEvent.createMany({
      data: [
        { shopId: shop, paymentId, type: "checkout_received", message: "Переход к оплате заказа 1", createdAt: t(0) },
        { shopId: shop, paymentId, type: "result_rejected", message: "Уведомление IntellectMoney отклонено: неверная подпись", data: { reason: "bad_hash", hash: "deadbeef" }, createdAt: t(10) },
        { shopId: shop, paymentId, type: "notice_retry", message: "Уведомление InSales не доставлено", data: { attempts: 2, retryInSeconds: 60, paid: 1 }, createdAt: t(30) },
        { shopId: shop, paymentId, type: "brand_new_type", message: "Что-то новое", createdAt: t(40) },
        // Written with another shop's id: must not show (belt and braces).
        { shopId: other, paymentId, type: "checkout_received", message: "ЧУЖОЕ", createdAt: t(5) },
      ],
    });
    await db().paymentOperation.create({ data: { shopId: shop, paymentId, kind: "REFUND", amountKopecks: 5000n, state: "FAILED", message: "недостаточно средств", createdAt: t(20) } });
    await db().insalesNotice.create({ data: { shopId: shop, paymentId, paid: 1, state: "FAILED", attempts: 7, lastError: "InSales ответил 500" } });
    await db().problem.create({ data: { shopId: shop, paymentId, kind: "notice_failed", message: "Не удалось сообщить InSales" } });

    const card = await getPaymentWithTimeline(shop, paymentId);
    expect(card).not.toBeNull();
    expect(card!.timeline.map((i) => i.label)).toEqual([
      "Переход к оплате",
      "Уведомление IntellectMoney отклонено",
      "Возврат",
      "Уведомление InSales: повтор",
      "Событие",
    ]);
    expect(card!.timeline[1].details).toEqual(["Причина: bad_hash"]);
    expect(JSON.stringify(card!.timeline)).not.toContain("deadbeef");
    expect(card!.timeline[2]).toMatchObject({ source: "operation", tone: "danger" });
    expect(card!.timeline[2].message).toContain("ошибка — недостаточно средств");
    expect(card!.timeline[3].details).toEqual(["Попытка: 2", "Повтор через 60 с", "Уведомление: «оплачен»"]);
    expect(JSON.stringify(card!.timeline)).not.toContain("ЧУЖОЕ");
    expect(card!.notices).toMatchObject([{ paid: 1, state: "FAILED", attempts: 7, lastError: "InSales ответил 500" }]);
    expect(card!.problems).toHaveLength(1);
    expect(card!.payment).toMatchObject({ buyerEmail: "buyer@example.com", currency: "TST", unverifiedResults: true, verifiedBy: "signature" });
  });
});

describe("problems", () => {
  it("lists the shop's open problems and resolves only the shop's own", async () => {
    const shop = await newShop("journal-problems");
    const other = await newShop("journal-problems-other");
    const mine = await db().problem.create({ data: { shopId: shop, kind: "checkout_rejected", message: "Мой" } });
    const theirs = await db().problem.create({ data: { shopId: other, kind: "checkout_rejected", message: "Чужой" } });
    await db().problem.create({ data: { shopId: shop, kind: "x", message: "Решённый", resolvedAt: new Date() } });

    expect((await listOpenProblems(shop)).items.map((p) => p.message)).toEqual(["Мой"]);
    expect(await resolveProblem(shop, theirs.id)).toEqual({ ok: false, reason: "not_found" });
    expect((await db().problem.findUniqueOrThrow({ where: { id: theirs.id } })).resolvedAt).toBeNull();
    expect(await resolveProblem(shop, "garbage")).toEqual({ ok: false, reason: "not_found" });
    expect(await resolveProblem(shop, mine.id)).toEqual({ ok: true });
    expect(await resolveProblem(shop, mine.id)).toEqual({ ok: true });
    expect(await listOpenProblems(shop)).toEqual({ items: [], total: 0 });
  });
});

describe("parseJournalFilters", () => {
  it("keeps good values, drops bad ones with a Russian note, never throws", () => {
    const { filters: f, warnings } = parseJournalFilters({ status: ["PAID", "HACK", "PAID", "HELD"], from: "2026-02-30", to: "2026-03-01", order: "  №1001 ", notice: "NOPE" });
    expect(f).toEqual({ statuses: ["PAID", "HELD"], flags: [], from: null, to: "2026-03-01", order: "1001", notice: null });
    expect(warnings).toEqual([
      "Неизвестный статус в фильтре пропущен.",
      "Дата «с» не распознана (нужен формат ГГГГ-ММ-ДД), фильтр по ней не применён.",
      "Неизвестное состояние уведомления в фильтре пропущено.",
    ]);
    expect(parseJournalFilters(new URLSearchParams("from=2026-03-10&to=2026-03-01&notice=FAILED&order=x".replace("x", "a".repeat(101)))).filters).toEqual({
      statuses: [],
      flags: [],
      from: "2026-03-01",
      to: "2026-03-10",
      order: null,
      notice: "FAILED",
    });
    expect(parseJournalFilters({}).filters).toEqual(NO_FILTERS);
    expect(parseJournalFilters({ status: "", from: "", order: "" })).toEqual({ filters: NO_FILTERS, warnings: [] });
  });
});
