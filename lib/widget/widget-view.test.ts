import { describe, expect, it } from "vitest";
import type { OrderWidgetData, WidgetLatest } from "./widget-query";
import { holdText, renderOrderWidget } from "./widget-view";

const LINKS = { card: (id: string) => `https://app.test/api/insales/login?return_to=/payments/${id}`, paymentLink: "https://app.test/api/insales/login?return_to=/payment-links?order=1" };
const NOW = new Date("2026-12-01T12:00:00Z");

function latest(o: Partial<WidgetLatest> = {}): WidgetLatest {
  return {
    id: "0f8fad5b-d9cb-469f-a165-70867728950e",
    status: "PAID",
    currency: "RUB",
    amountKopecks: 150000n,
    paidKopecks: 150000n,
    refundedKopecks: 0n,
    noticeState: "DELIVERED",
    createdAt: NOW,
    refundsBlockedReason: null,
    events: [{ type: "result_applied", message: "Статус платежа: оплачен", at: new Date("2026-12-01T11:59:00Z") }],
    problem: null,
    hold: null,
    ...o,
  };
}

const render = (d: OrderWidgetData) => renderOrderWidget(d, LINKS, NOW);

describe("the order-card widget's content", () => {
  it("says briefly that the order has no payment of ours, and offers a payment link", () => {
    const html = render({ latest: null, others: [] });
    expect(html).toContain("Платежей IntellectMoney по этому заказу нет.");
    expect(html).toContain(`href="${LINKS.paymentLink.replace(/&/g, "&amp;")}"`);
    expect(html).toContain("Отправить ссылку на оплату");
  });

  it("shows the state, the amounts, the InSales notice, the last events and a link to the card in a new tab", () => {
    const html = render({ latest: latest(), others: [] });
    expect(html).toContain('data-status="PAID">Оплачен</span>');
    expect(html).toContain("Счёт 1\u00a0500,00\u00a0₽ · оплачено 1\u00a0500,00\u00a0₽ · возвращено 0,00\u00a0₽");
    expect(html).toContain("Уведомление InSales: Доставлено");
    expect(html).toContain("01.12.2026, 14:59 — Уведомление IntellectMoney принято: Статус платежа: оплачен");
    expect(html).toContain('target="_blank" rel="noopener noreferrer"');
    expect(html).toContain("Открыть платёж или вернуть деньги");
    expect(html).not.toContain("Отправить ссылку на оплату");
  });

  it("shows a hold's time left from the hours the invoice asked for", () => {
    const heldAt = new Date("2026-12-01T10:00:00Z");
    expect(holdText({ heldAt, hours: 72 }, NOW)).toBe("Холд до 04.12.2026, 13:00 (МСК), осталось 70 ч.");
    expect(holdText({ heldAt, hours: 2 }, NOW)).toBe("Холд до 01.12.2026, 15:00 (МСК), срок истёк.");
    expect(holdText({ heldAt, hours: null }, NOW)).toContain("срок задан в личном кабинете IntellectMoney");
    expect(holdText(null, NOW)).toContain("срок неизвестен");
    const html = render({ latest: latest({ status: "HELD", paidKopecks: 0n, noticeState: "NONE", hold: { heldAt, hours: 72 } }), others: [] });
    expect(html).toContain("Списать или отменить холд");
    expect(html).toContain("осталось 70 ч");
  });

  it("shows an open problem and older payments of the order, and escapes everything", () => {
    const html = render({
      latest: latest({ status: "CANCELLED", paidKopecks: 0n, problem: '<img src=x onerror="alert(1)">', events: [{ type: "x<script>", message: "</li><script>alert(1)</script>", at: NOW }] }),
      others: [{ ...latest(), status: "CANCELLED" }],
    });
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("Проблема: &lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("Прежние платежи по заказу: отменён 1\u00a0500,00\u00a0₽");
    expect(html).toContain("Отправить ссылку на оплату");
  });
});
