// The order-card widget's content (docs/PRODUCT.md flow 11): what the merchant reads at a glance on the InSales
// order card, in Russian — the payment's state, the amounts invoiced, paid and refunded, whether InSales has
// heard, the hold's time left, the last events and any open problem; «Платежей IntellectMoney по этому заказу
// нет» when there is none. Actions are links that open our payment card (or the payment-link screen) in a new
// tab through the «Войти» round trip: the widget's secret only reads (docs/SECURITY.md «The order-card widget»).
// An HTML fragment with the classes of the widget's style (lib/widget/widget-code.ts); every value is escaped.
import type { PaymentStatus } from "../generated/prisma/enums";
import { escapeHtml } from "../html/auto-submit-page";
import { moscowTime } from "../html/moscow-time";
import { eventLabel, NOTICE_SUMMARY_LABELS } from "../journal/journal-labels";
import { formatRubles } from "../money";
import { PAYMENT_STATUS_LABELS } from "../payments/state";
import type { OrderWidgetData, WidgetLatest } from "./widget-query";

/** The badge's colour per state: money that is in (ok), waiting for the merchant (warn), gone (danger). */
const TONE: Record<PaymentStatus, "" | "im-ok" | "im-warn" | "im-danger"> = {
  CREATED: "",
  HELD: "im-warn",
  PARTIALLY_PAID: "im-warn",
  PAID: "im-ok",
  PARTIALLY_REFUNDED: "im-warn",
  REFUNDED: "",
  CANCELLED: "im-danger",
};

/** What the payment-card link is called for the state: the operation waiting there, if any. */
const CARD_LINK: Record<PaymentStatus, string> = {
  CREATED: "Открыть платёж",
  HELD: "Списать или отменить холд",
  PARTIALLY_PAID: "Открыть платёж",
  PAID: "Открыть платёж или вернуть деньги",
  PARTIALLY_REFUNDED: "Открыть платёж или вернуть деньги",
  REFUNDED: "Открыть платёж",
  CANCELLED: "Открыть платёж",
};

/** States in which the order may still be paid by a payment link (nothing captured or held). */
const LINK_OFFERED: ReadonlySet<PaymentStatus> = new Set(["CREATED", "CANCELLED", "PARTIALLY_PAID"]);

export type WidgetLinks = {
  /** «Войти» with a deep link to the payment card (lib/app-urls.ts merchantLoginUrl). */
  card: (paymentId: string) => string;
  /** «Войти» with a deep link to the payment-link screen of this order. */
  paymentLink: string;
};

function link(href: string, text: string, testId: string): string {
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer" data-testid="${testId}">${escapeHtml(text)}</a>`;
}

/** «осталось 71 ч» until the end of the hold the invoice asked for (`holdTime` hours after IntellectMoney's «held»). */
export function holdText(hold: WidgetLatest["hold"], now: Date): string {
  if (!hold) return "Холд: срок неизвестен — спишите или отмените холд в карточке платежа.";
  if (hold.hours === null) return `Холд с ${moscowTime(hold.heldAt)} (МСК); срок задан в личном кабинете IntellectMoney.`;
  const until = new Date(hold.heldAt.getTime() + hold.hours * 3_600_000);
  const leftMs = until.getTime() - now.getTime();
  const left = leftMs <= 0 ? "срок истёк" : leftMs < 3_600_000 ? "осталось меньше часа" : `осталось ${Math.floor(leftMs / 3_600_000)} ч`;
  return `Холд до ${moscowTime(until)} (МСК), ${left}.`;
}

function amounts(p: WidgetLatest): string {
  const m = (k: bigint) => formatRubles(k, p.currency);
  return `Счёт ${m(p.amountKopecks)} · оплачено ${m(p.paidKopecks)} · возвращено ${m(p.refundedKopecks)}`;
}

export function renderOrderWidget(data: OrderWidgetData, links: WidgetLinks, now: Date = new Date()): string {
  const p = data.latest;
  if (!p) {
    return [
      `<h2>IntellectMoney</h2>`,
      `<p data-testid="im-none">Платежей IntellectMoney по этому заказу нет.</p>`,
      `<p class="im-actions">${link(links.paymentLink, "Отправить ссылку на оплату", "im-send-link")}</p>`,
    ].join("");
  }
  const parts: string[] = [
    `<h2>IntellectMoney${p.currency === "TST" ? " (тестовый режим)" : ""}</h2>`,
    `<p><span class="im-badge ${TONE[p.status]}" data-testid="im-status" data-status="${p.status}">${escapeHtml(PAYMENT_STATUS_LABELS[p.status])}</span> ` +
      `<span data-testid="im-amounts">${escapeHtml(amounts(p))}</span></p>`,
    `<p data-testid="im-notice">Уведомление InSales: ${escapeHtml(NOTICE_SUMMARY_LABELS[p.noticeState])}</p>`,
  ];
  if (p.status === "HELD") parts.push(`<p data-testid="im-hold">${escapeHtml(holdText(p.hold, now))}</p>`);
  if (p.problem) parts.push(`<p class="im-problem" data-testid="im-problem">Проблема: ${escapeHtml(p.problem)}</p>`);
  else if (p.refundsBlockedReason) parts.push(`<p class="im-problem" data-testid="im-problem">Возвраты остановлены: ${escapeHtml(p.refundsBlockedReason)}</p>`);
  if (p.events.length > 0) {
    const items = p.events.map((e) => `<li>${escapeHtml(`${moscowTime(e.at)} — ${eventLabel(e.type).label}: ${e.message}`)}</li>`).join("");
    parts.push(`<ul data-testid="im-events">${items}</ul>`);
  }
  if (data.others.length > 0) {
    const others = data.others.map((o) => `${PAYMENT_STATUS_LABELS[o.status].toLowerCase()} ${formatRubles(o.amountKopecks, o.currency)}`).join(", ");
    parts.push(`<p class="im-muted">Прежние платежи по заказу: ${escapeHtml(others)}</p>`);
  }
  const actions = [link(links.card(p.id), CARD_LINK[p.status], "im-open-card")];
  if (LINK_OFFERED.has(p.status)) actions.push(link(links.paymentLink, "Отправить ссылку на оплату", "im-send-link"));
  parts.push(`<p class="im-actions">${actions.join(" ")}</p>`);
  return parts.join("");
}
