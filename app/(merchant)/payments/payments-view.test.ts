import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NO_FILTERS } from "@/lib/journal/journal-filters";
import type { PaymentList, PaymentListRow, PaymentWithTimeline } from "@/lib/journal/journal-query";
import { PaymentCardView } from "./[id]/payment-card-view";
import { PaymentsView } from "./payments-view";

const row = (over: Partial<PaymentListRow>): PaymentListRow => ({
  id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01",
  createdAt: new Date("2026-03-09T21:00:00Z"),
  orderNumber: "1001",
  insalesOrderId: "555",
  amountKopecks: 150050n,
  paidKopecks: 150050n,
  refundedKopecks: 0n,
  currency: "RUB",
  status: "PAID",
  imOrderId: "im-1",
  imPaymentId: "4400111",
  noticeState: "FAILED",
  unverifiedResults: false,
  pendingClaims: 0,
  ...over,
});

const list = (rows: PaymentListRow[], over: Partial<PaymentList> = {}): PaymentList => ({ rows, total: { count: rows.length, capped: false }, newer: null, older: null, ...over });
const noop = async () => {};

describe("«Платежи» view", () => {
  it("shows the row in Moscow time with Russian labels, the CSV link with the filters, and escapes text", () => {
    const html = renderToStaticMarkup(
      createElement(PaymentsView, {
        filters: { ...NO_FILTERS, statuses: ["PAID"], order: "10" },
        warnings: ["Дата «с» не распознана"],
        list: list([row({ orderNumber: "<script>x</script>" })], { total: { count: 1000, capped: true }, older: { createdAt: new Date(5), id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01" } }),
        problems: { items: [{ id: "p1", kind: "notice_failed", message: "Не удалось сообщить InSales", createdAt: new Date(), paymentId: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01", count: 1, lastSeenAt: new Date() }], total: 1 },
        resolveAction: noop,
      }),
    );
    expect(html).toContain("10.03.2026, 00:00");
    expect(html).toContain("1\u00a0500,50\u00a0₽");
    expect(html).toContain("Оплачен");
    expect(html).toContain("Ошибка");
    expect(html).toContain("Найдено: более 1000");
    expect(html).toContain('href="/payments/export?status=PAID&amp;order=10"');
    expect(html).toContain('href="/payments?status=PAID&amp;order=10&amp;after=5.0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01"');
    expect(html).toContain("Требует внимания");
    expect(html).toContain("Отметить решённой");
    expect(html).toContain("Дата «с» не распознана");
    expect(html).not.toContain("<script>x</script>");
  });

  it("shows a stop of refunds as a critical problem that is cleared on the payment card, not here", () => {
    const html = renderToStaticMarkup(
      createElement(PaymentsView, {
        filters: NO_FILTERS,
        warnings: [],
        list: list([row({})]),
        problems: { items: [{ id: "p2", kind: "refunds_blocked", message: "Возвраты по заказу №1001 остановлены", createdAt: new Date(), paymentId: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01", count: 1, lastSeenAt: new Date() }], total: 1 },
        resolveAction: noop,
      }),
    );
    expect(html).toContain('data-kind="refunds_blocked"');
    expect(html).toContain("Возвраты по заказу №1001 остановлены");
    expect(html).toContain('href="/payments/0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01"');
    expect(html).not.toContain("Отметить решённой");
  });

  it("shows how often a merged problem recurred and when last (issue 12 item 6), and nothing extra for a single one", () => {
    const merged = { id: "p1", kind: "checkout_rejected", message: "Переход к оплате отклонён", createdAt: new Date("2026-03-09T09:00:00Z"), paymentId: null, count: 30, lastSeenAt: new Date("2026-03-09T20:59:00Z") };
    const once = { ...merged, id: "p2", count: 1 };
    const html = renderToStaticMarkup(createElement(PaymentsView, { filters: NO_FILTERS, warnings: [], list: list([]), problems: { items: [merged, once], total: 2 }, resolveAction: noop }));
    expect(html).toContain("повторялось 30 раз, последний раз 09.03.2026, 23:59");
    expect(html.match(/data-testid="problem-count"/g)).toHaveLength(1);
    const twice = renderToStaticMarkup(createElement(PaymentsView, { filters: NO_FILTERS, warnings: [], list: list([]), problems: { items: [{ ...merged, count: 22 }], total: 1 }, resolveAction: noop }));
    expect(twice).toContain("повторялось 22 раза");
  });

  it("has an empty state that differs with and without filters", () => {
    const none = renderToStaticMarkup(createElement(PaymentsView, { filters: NO_FILTERS, warnings: [], list: list([]), problems: { items: [], total: 0 }, resolveAction: noop }));
    expect(none).toContain("Платежей пока нет");
    expect(none).not.toContain("Требует внимания");
    const filtered = renderToStaticMarkup(createElement(PaymentsView, { filters: { ...NO_FILTERS, notice: "FAILED" }, warnings: [], list: list([]), problems: { items: [], total: 0 }, resolveAction: noop }));
    expect(filtered).toContain("Под выбранный фильтр платежей нет");
  });
});

describe("payment card view", () => {
  it("shows the test badge, the unverified warning, notices with attempts and the timeline in Moscow time", () => {
    const data: PaymentWithTimeline = {
      payment: {
        id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01", createdAt: new Date("2026-03-09T20:59:59Z"), updatedAt: new Date(), transactionId: "tx-1", attempt: 1, orderNumber: "1001",
        insalesOrderId: "555", description: "Заказ 1001", buyerEmail: "buyer@example.com", buyerName: null, buyerPhone: null, verifiedBy: "api", legalForm: "INDIVIDUAL",
        imOrderId: "im-1", imPaymentId: null, eshopId: "450000", currency: "TST", amountKopecks: 100n, paidKopecks: 0n, refundedKopecks: 0n, status: "CREATED",
        noticeState: "FAILED", unverifiedResults: true, refundsBlockedAt: null, refundsBlockedReason: null,
      },
      timeline: [{ id: "e1", at: new Date("2026-03-09T20:59:59Z"), source: "event", type: "result_rejected", label: "Уведомление IntellectMoney отклонено", message: "неверная подпись", tone: "danger", details: ["Причина: bad_hash"] }],
      notices: [{ id: "n1", paid: 1, state: "FAILED", attempts: 7, lastError: "InSales ответил 500", deliveredAt: null, createdAt: new Date() }],
      problems: [{ id: "p1", kind: "result_rejected", message: "Уведомление отклонено", createdAt: new Date("2026-03-09T20:00:00Z"), resolvedAt: null, count: 3, lastSeenAt: new Date("2026-03-09T20:59:00Z") }],
      claims: [],
    };
    const html = renderToStaticMarkup(createElement(PaymentCardView, { data, resolveAction: noop }));
    expect(html).toContain("повторялось 3 раза, последний раз 09.03.2026, 23:59");
    expect(html).toContain("Тестовый режим");
    // unverifiedResults: a state applied from an unverifiable wallet notification before claims existed.
    expect(html).toContain("Применено без проверки");
    expect(html).toContain("buyer@example.com");
    expect(html).toContain("проверка заказа через API InSales");
    expect(html).toContain("попыток: 7");
    expect(html).toContain("Последняя ошибка: InSales ответил 500");
    expect(html).toContain("09.03.2026, 23:59:59");
    expect(html).toContain("Причина: bad_hash");
  });

  it("shows a stop of refunds without «Отметить решённой», pointing to the clear button", () => {
    const base = {
      id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01", createdAt: new Date(), updatedAt: new Date(), transactionId: "tx-1", attempt: 1, orderNumber: "1001",
      insalesOrderId: "555", description: "Заказ 1001", buyerEmail: null, buyerName: null, buyerPhone: null, verifiedBy: "signature", legalForm: "ORGANIZATION" as const,
      imOrderId: "im-1", imPaymentId: "3000000001", eshopId: "450000", currency: "RUB", amountKopecks: 100n, paidKopecks: 100n, refundedKopecks: 0n, status: "PAID" as const,
      noticeState: "DELIVERED" as const, unverifiedResults: false, refundsBlockedAt: new Date(), refundsBlockedReason: "проверка не удалась.",
    };
    const data: PaymentWithTimeline = {
      payment: base,
      timeline: [],
      notices: [],
      problems: [{ id: "p1", kind: "refunds_blocked", message: "Возвраты по заказу №1001 остановлены", createdAt: new Date(), resolvedAt: null, count: 1, lastSeenAt: new Date() }],
      claims: [],
    };
    const html = renderToStaticMarkup(createElement(PaymentCardView, { data, resolveAction: noop }));
    expect(html).toContain("Возвраты по заказу №1001 остановлены");
    expect(html).toContain("Снимается кнопкой «Снять остановку возвратов» ниже");
    expect(html).not.toContain("Отметить решённой");
  });
});

describe("«Требует подтверждения» and «Применено без проверки» (unverifiable wallet notifications)", () => {
  it("marks the rows in the list and offers both marks in the status filter", () => {
    const html = renderToStaticMarkup(
      createElement(PaymentsView, {
        filters: { ...NO_FILTERS, flags: ["NEEDS_CONFIRMATION"] },
        warnings: [],
        list: list([row({ status: "CREATED", pendingClaims: 2 }), row({ id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c02", unverifiedResults: true })]),
        problems: { items: [], total: 0 },
        resolveAction: noop,
      }),
    );
    expect(html).toContain('data-flag="NEEDS_CONFIRMATION"');
    expect(html).toContain('data-flag="APPLIED_UNVERIFIED"');
    expect(html).toMatch(/<input type="checkbox" name="status" checked="" value="NEEDS_CONFIRMATION"\/> Требует подтверждения/);
    expect(html).toMatch(/<input type="checkbox" name="status" value="APPLIED_UNVERIFIED"\/> Применено без проверки/);
    expect(html).toContain('href="/payments/export?status=NEEDS_CONFIRMATION"');
  });

  it("shows each claim on the card with its status, amount, invoice and state, and buttons only on pending ones", () => {
    const base = {
      paymentStatus: "5", targetStatus: "PAID" as const, paidKopecks: 70000n, refundKopecks: null, imPaymentId: "3000000077", copies: 1,
      createdAt: new Date("2026-03-09T20:59:59Z"), decidedAt: null, decidedBy: null,
    };
    const data: PaymentWithTimeline = {
      payment: {
        id: "0b8f3c9e-7d0a-4c55-9a3e-2f1d6b7a8c01", createdAt: new Date(), updatedAt: new Date(), transactionId: "tx-1", attempt: 1, orderNumber: "1001",
        insalesOrderId: "555", description: "Заказ 1001", buyerEmail: null, buyerName: null, buyerPhone: null, verifiedBy: "signature", legalForm: "INDIVIDUAL",
        imOrderId: "im-1", imPaymentId: null, eshopId: "450157", currency: "RUB", amountKopecks: 70000n, paidKopecks: 0n, refundedKopecks: 0n, status: "CREATED",
        noticeState: "NONE", unverifiedResults: false, refundsBlockedAt: null, refundsBlockedReason: null,
      },
      timeline: [],
      notices: [],
      problems: [],
      claims: [
        { ...base, id: "c1", paymentStatus: "4", targetStatus: "CANCELLED", state: "REJECTED", decidedAt: new Date("2026-03-09T21:10:00Z"), decidedBy: "Иван, owner@shop.ru" },
        { ...base, id: "c2", state: "PENDING", copies: 2 },
      ],
    };
    const html = renderToStaticMarkup(createElement(PaymentCardView, { data, resolveAction: noop }));
    expect(html).toContain("Требует подтверждения");
    expect(html).toContain("«отменён, 700,00\u00a0₽»</strong> — Отклонено");
    expect(html).toContain("Иван, owner@shop.ru");
    expect(html).toContain("«оплачен, 700,00\u00a0₽»</strong> — Требует подтверждения");
    expect(html).toContain("3000000077");
    expect(html).toContain("получено 2 раза");
    expect(html.match(/>Подтвердить</g)).toHaveLength(1);
    expect(html.match(/>Отклонить</g)).toHaveLength(1);
    expect(html).toContain('name="claimId" value="c2"');
    expect(html).not.toContain('name="claimId" value="c1"');
  });
});
