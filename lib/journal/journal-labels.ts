// Russian labels of the payments journal, shared by the pages and the CSV export so the file says exactly
// what the screen says. The states' own words are the state table's (lib/payments/state.ts), the
// operations' are lib/operations/operation-labels.ts.
import type { ClaimState, DeliveryState, NoticeSummary } from "../generated/prisma/enums";
import { moscowTime } from "../html/moscow-time";

/**
 * Marks next to the status, filtered with the statuses (docs/protocols/intellectmoney.md §2):
 * NEEDS_CONFIRMATION — a wallet notification nobody could verify waits for the merchant (a pending claim);
 * APPLIED_UNVERIFIED — a money state applied from such a notification before claims existed
 * (Payment.unverifiedResults), for the merchant to review.
 */
export const JOURNAL_FLAG_LABELS = {
  NEEDS_CONFIRMATION: "Требует подтверждения",
  APPLIED_UNVERIFIED: "Применено без проверки",
} as const;

export type JournalFlag = keyof typeof JOURNAL_FLAG_LABELS;

export const JOURNAL_FLAGS = Object.keys(JOURNAL_FLAG_LABELS) as JournalFlag[];

/** The marks of one payment, in the order above. */
export function journalFlagsOf(p: { pendingClaims: number; unverifiedResults: boolean }): JournalFlag[] {
  return [...(p.pendingClaims > 0 ? (["NEEDS_CONFIRMATION"] as const) : []), ...(p.unverifiedResults ? (["APPLIED_UNVERIFIED"] as const) : [])];
}

export const CLAIM_STATE_LABELS: Record<ClaimState, string> = {
  PENDING: "Требует подтверждения",
  CONFIRMED: "Подтверждено",
  REJECTED: "Отклонено",
  OUTDATED: "Неактуально",
};

export const NOTICE_SUMMARY_LABELS: Record<NoticeSummary, string> = {
  NONE: "Не требуется",
  PENDING: "Отправляется",
  DELIVERED: "Доставлено",
  FAILED: "Ошибка",
  SUPERSEDED: "Не нужно: новая попытка оплаты",
};

export const NOTICE_SUMMARIES = Object.keys(NOTICE_SUMMARY_LABELS) as NoticeSummary[];

export const NOTICE_STATE_LABELS: Record<DeliveryState, string> = {
  PENDING: "Отправляется",
  DELIVERED: "Доставлено",
  FAILED: "Ошибка",
  SUPERSEDED: "Не отправлено: новая попытка оплаты",
};

export type Tone = "ok" | "warn" | "danger" | "info";

/**
 * Event types written by the use cases (lib/checkout, lib/results, lib/notices, lib/operations).
 * A type missing here (a newer writer) still shows, as «Событие» with its message.
 */
export const EVENT_LABELS: Record<string, { label: string; tone: Tone }> = {
  checkout_received: { label: "Переход к оплате", tone: "info" },
  checkout_verified: { label: "Запрос InSales проверен", tone: "ok" },
  checkout_rejected: { label: "Переход к оплате отклонён", tone: "danger" },
  receipt_attached: { label: "Чек 54-ФЗ приложен к счёту", tone: "info" },
  invoice_created: { label: "Счёт создан в IntellectMoney", tone: "info" },
  result_applied: { label: "Уведомление IntellectMoney принято", tone: "ok" },
  result_unverified: { label: "Непроверенное уведомление IntellectMoney", tone: "warn" },
  claim_recorded: { label: "Уведомление без подписи: требует подтверждения", tone: "warn" },
  claim_repeated: { label: "Уведомление без подписи получено повторно", tone: "warn" },
  claim_confirmed: { label: "Магазин подтвердил уведомление", tone: "ok" },
  claim_rejected: { label: "Магазин отклонил уведомление", tone: "info" },
  claim_outdated: { label: "Неподтверждённое уведомление неактуально", tone: "info" },
  result_ignored: { label: "Повторное уведомление IntellectMoney", tone: "info" },
  result_rejected: { label: "Уведомление IntellectMoney отклонено", tone: "danger" },
  overpaid: { label: "Переплата", tone: "warn" },
  notice_queued: { label: "Уведомление InSales в очереди", tone: "info" },
  notice_delivered: { label: "Уведомление InSales доставлено", tone: "ok" },
  notice_retry: { label: "Уведомление InSales: повтор", tone: "warn" },
  notice_rejected: { label: "InSales отклонил уведомление", tone: "danger" },
  notice_failed: { label: "Уведомление InSales не доставлено", tone: "danger" },
  buyer_returned: { label: "Покупатель вернулся в магазин", tone: "info" },
  refunds_blocked: { label: "Возвраты остановлены", tone: "danger" },
  refunds_unblocked: { label: "Возвраты снова доступны", tone: "info" },
};

export function eventLabel(type: string): { label: string; tone: Tone } {
  return EVENT_LABELS[type] ?? { label: "Событие", tone: "info" };
}

/** Which check admitted the checkout (Payment.verifiedBy). */
export function verifiedByLabel(verifiedBy: string): string {
  if (verifiedBy === "signature") return "подпись InSales";
  if (verifiedBy === "api") return "проверка заказа через API InSales";
  if (verifiedBy === "payment_link") return "ссылка на оплату (заказ и сумма из API InSales)";
  return verifiedBy;
}

/** «раз» or «раза» after a count, as Russian agrees it: 1 раз, 2 раза, 5 раз, 22 раза, 112 раз. */
function timesWord(n: number): string {
  const tens = n % 100;
  const units = n % 10;
  return units >= 2 && units <= 4 && !(tens >= 12 && tens <= 14) ? "раза" : "раз";
}

/**
 * How often a merged problem happened (lib/payments/problem-store.ts), for its line in the journal and on the
 * card: null when once, else «повторялось 30 раз, последний раз 09.03.2026, 23:59».
 */
export function problemRecurrence(p: { count: number; lastSeenAt: Date }): string | null {
  if (p.count <= 1) return null;
  return `повторялось ${p.count} ${timesWord(p.count)}, последний раз ${moscowTime(p.lastSeenAt)}`;
}
