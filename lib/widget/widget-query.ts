// What the order-card widget shows about one InSales order (lib/widget/widget-view.ts renders it): the shop's
// payments of that order, newest first, and for the newest its last events, its open problem and, while it is
// held, when the hold was made and for how many hours it was asked. Scoped by the shop the widget secret belongs
// to (lib/widget/order-widget.ts): another shop's order id finds nothing.
import { db } from "../db";
import type { NoticeSummary, PaymentStatus } from "../generated/prisma/enums";

/** Payments of one order listed at most (a new attempt after each cancelled one; payment links). */
export const WIDGET_PAYMENTS = 5;
/** Timeline lines shown for the newest payment. */
export const WIDGET_EVENTS = 3;

export type WidgetPayment = {
  id: string;
  status: PaymentStatus;
  currency: string;
  amountKopecks: bigint;
  paidKopecks: bigint;
  refundedKopecks: bigint;
  noticeState: NoticeSummary;
  createdAt: Date;
  refundsBlockedReason: string | null;
};

export type WidgetLatest = WidgetPayment & {
  events: Array<{ type: string; message: string; at: Date }>;
  /** The newest open problem's text, if any. */
  problem: string | null;
  /** When IntellectMoney's «held» arrived, and the hold's hours the invoice asked for (`holdTime`); null when unknown. */
  hold: { heldAt: Date; hours: number | null } | null;
};

export type OrderWidgetData = { latest: WidgetLatest | null; others: WidgetPayment[] };

const PAYMENT_SELECT = {
  id: true,
  status: true,
  currency: true,
  amountKopecks: true,
  paidKopecks: true,
  refundedKopecks: true,
  noticeState: true,
  createdAt: true,
  refundsBlockedReason: true,
  invoiceFields: true,
} as const;

/** The invoice's `holdTime` (hours) as posted to IntellectMoney, when the payment asked for a hold. */
function holdHoursOf(invoiceFields: unknown): number | null {
  if (!Array.isArray(invoiceFields)) return null;
  const pair = invoiceFields.find((f): f is [string, string] => Array.isArray(f) && f[0] === "holdTime" && typeof f[1] === "string");
  const hours = pair ? Number(pair[1]) : NaN;
  return Number.isInteger(hours) && hours > 0 ? hours : null;
}

export async function loadOrderWidget(shopId: string, insalesOrderId: string): Promise<OrderWidgetData> {
  const rows = await db().payment.findMany({
    where: { shopId, insalesOrderId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: WIDGET_PAYMENTS,
    select: PAYMENT_SELECT,
  });
  if (rows.length === 0) return { latest: null, others: [] };
  const strip = ({ invoiceFields: _fields, ...p }: (typeof rows)[number]): WidgetPayment => p;
  const newest = rows[0];
  const [events, problem, held] = await Promise.all([
    db().paymentEvent.findMany({ where: { paymentId: newest.id }, orderBy: { createdAt: "desc" }, take: WIDGET_EVENTS, select: { type: true, message: true, createdAt: true } }),
    db().problem.findFirst({ where: { shopId, paymentId: newest.id, resolvedAt: null }, orderBy: { lastSeenAt: "desc" }, select: { message: true } }),
    newest.status === "HELD"
      ? db().paymentEvent.findFirst({ where: { paymentId: newest.id, type: "result_applied", data: { path: ["to"], equals: "HELD" } }, orderBy: { createdAt: "asc" }, select: { createdAt: true } })
      : Promise.resolve(null),
  ]);
  return {
    latest: {
      ...strip(newest),
      events: events.map((e) => ({ type: e.type, message: e.message, at: e.createdAt })),
      problem: problem?.message ?? null,
      hold: held ? { heldAt: held.createdAt, hours: holdHoursOf(newest.invoiceFields) } : null,
    },
    others: rows.slice(1).map(strip),
  };
}
