// The merchant's payments journal: the list, one payment with its timeline.
// Tenant isolation: every query here is scoped by the session's shopId, never by a row id alone
// (one shop never sees another shop's data).
import { db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import type {
  ClaimState,
  DeliveryState,
  LegalForm,
  NoticeSummary,
  OperationKind,
  OperationState,
  PaymentStatus,
} from "../generated/prisma/enums";
import { formatRubles } from "../money";
import { paymentsWhere, type JournalFilters } from "./journal-filters";
import { OPERATION_KIND_LABELS, OPERATION_STATE_LABELS } from "../operations/operation-labels";
import { isUuid } from "../uuid";
import { eventLabel, type Tone } from "./journal-labels";

export const PAGE_SIZE = 50;
/**
 * Counting stops here, so the count's cost stays bounded however many payments a shop has; the page
 * shows «более 10000». An exact count of a 10 000-payment shop takes ~1.3 ms (scripts/bench-journal.ts),
 * so shops of that size still see exact numbers.
 */
export const COUNT_CAP = 10_000;

/** A position in the list: the (createdAt, id) of a row; the order is createdAt desc, id desc. */
export type Cursor = { createdAt: Date; id: string };

/** "<epoch ms>.<uuid>" — opaque enough, and strict to parse: anything else means «first page». */
export function encodeCursor(c: Cursor): string {
  return `${c.createdAt.getTime()}.${c.id}`;
}

export function decodeCursor(raw: string | string[] | undefined | null): Cursor | null {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  const m = /^(\d{1,15})\.([0-9a-f-]{36})$/i.exec(value);
  if (!m || !isUuid(m[2])) return null;
  const createdAt = new Date(Number(m[1]));
  if (Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id: m[2].toLowerCase() };
}

/** `after`: the page older than that row; `before`: the page newer than it. None: the newest page. */
export type PageRequest = { after?: Cursor | null; before?: Cursor | null };

/** The columns of a journal row (the CSV export adds its own: journal-csv.ts). */
export const LIST_SELECT = {
  id: true,
  createdAt: true,
  orderNumber: true,
  insalesOrderId: true,
  amountKopecks: true,
  paidKopecks: true,
  refundedKopecks: true,
  currency: true,
  status: true,
  imOrderId: true,
  imPaymentId: true,
  noticeState: true,
  unverifiedResults: true,
  _count: { select: { claims: { where: { state: "PENDING" } } } },
} satisfies Prisma.PaymentSelect;

type ListRecord = Prisma.PaymentGetPayload<{ select: typeof LIST_SELECT }>;

/** A journal row; `pendingClaims` > 0 shows «Требует подтверждения» (lib/results/claims.ts). */
export type PaymentListRow = Omit<ListRecord, "_count"> & { pendingClaims: number };

function listRow({ _count, ...row }: ListRecord): PaymentListRow {
  return { ...row, pendingClaims: _count.claims };
}

export type PaymentList = {
  rows: PaymentListRow[];
  /** `capped`: there are more than `count` (shown as «1000+»). */
  total: { count: number; capped: boolean };
  /** Cursors for «← Новее» / «Старее →»; null when there is no such page. */
  newer: Cursor | null;
  older: Cursor | null;
};

/** The rows after `c` in the journal's order (createdAt desc, id desc): the next page, the next CSV batch. */
export function olderThan(c: Cursor): Prisma.PaymentWhereInput {
  // createdAt <= c narrows the index range; the OR breaks ties within one millisecond by id.
  return { createdAt: { lte: c.createdAt }, OR: [{ createdAt: { lt: c.createdAt } }, { id: { lt: c.id } }] };
}

function newerThan(c: Cursor): Prisma.PaymentWhereInput {
  return { createdAt: { gte: c.createdAt }, OR: [{ createdAt: { gt: c.createdAt } }, { id: { gt: c.id } }] };
}

const keyOf = (r: { createdAt: Date; id: string }): Cursor => ({ createdAt: r.createdAt, id: r.id });

export async function countPayments(shopId: string, filters: JournalFilters, cap: number = COUNT_CAP): Promise<{ count: number; capped: boolean }> {
  // count with take = SELECT count(*) FROM (SELECT … LIMIT n): stops reading at the cap.
  const n = await db().payment.count({ where: paymentsWhere(shopId, filters), take: cap + 1 });
  return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
}

/** One page of the shop's payments, newest first (keyset pagination: stable while payments arrive). */
export async function listPayments(shopId: string, filters: JournalFilters, page: PageRequest = {}): Promise<PaymentList> {
  const where = paymentsWhere(shopId, filters);
  const total = countPayments(shopId, filters);

  if (page.before && !page.after) {
    const rows = await db().payment.findMany({
      where: { AND: [where, newerThan(page.before)] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: PAGE_SIZE + 1,
      select: LIST_SELECT,
    });
    // Fewer than a page above the cursor: that is the newest page; show it in full instead.
    if (rows.length <= PAGE_SIZE) return listPayments(shopId, filters, {});
    const pageRows = rows.slice(0, PAGE_SIZE).reverse().map(listRow);
    return { rows: pageRows, total: await total, newer: keyOf(pageRows[0]), older: keyOf(pageRows[pageRows.length - 1]) };
  }

  const rows = await db().payment.findMany({
    where: page.after ? { AND: [where, olderThan(page.after)] } : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE + 1,
    select: LIST_SELECT,
  });
  const pageRows = rows.slice(0, PAGE_SIZE).map(listRow);
  return {
    rows: pageRows,
    total: await total,
    newer: page.after && pageRows.length > 0 ? keyOf(pageRows[0]) : null,
    older: rows.length > PAGE_SIZE ? keyOf(pageRows[pageRows.length - 1]) : null,
  };
}

const CARD_SELECT = {
  id: true,
  createdAt: true,
  updatedAt: true,
  transactionId: true,
  attempt: true,
  orderNumber: true,
  insalesOrderId: true,
  description: true,
  buyerEmail: true,
  buyerName: true,
  buyerPhone: true,
  verifiedBy: true,
  legalForm: true,
  imOrderId: true,
  imPaymentId: true,
  eshopId: true,
  currency: true,
  amountKopecks: true,
  paidKopecks: true,
  refundedKopecks: true,
  status: true,
  noticeState: true,
  unverifiedResults: true,
  refundsBlockedAt: true,
  refundsBlockedReason: true,
} satisfies Prisma.PaymentSelect;

export type PaymentCard = {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  transactionId: string;
  /** 1, or the how-manieth invoice of this transaction (a new one after a cancelled one). */
  attempt: number;
  orderNumber: string | null;
  insalesOrderId: string;
  description: string;
  buyerEmail: string | null;
  buyerName: string | null;
  buyerPhone: string | null;
  verifiedBy: string;
  legalForm: LegalForm;
  imOrderId: string;
  imPaymentId: string | null;
  eshopId: string;
  currency: string;
  amountKopecks: bigint;
  paidKopecks: bigint;
  refundedKopecks: bigint;
  status: PaymentStatus;
  noticeState: NoticeSummary;
  unverifiedResults: boolean;
  refundsBlockedAt: Date | null;
  refundsBlockedReason: string | null;
};

export type TimelineItem = {
  id: string;
  at: Date;
  source: "event" | "operation";
  type: string;
  label: string;
  message: string;
  tone: Tone;
  /** Short facts from the event's data, whitelisted (event data also holds raw protocol fields). */
  details: string[];
};

export type NoticeView = {
  id: string;
  paid: number;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

export type ProblemView = { id: string; kind: string; message: string; createdAt: Date; resolvedAt: Date | null; count: number; lastSeenAt: Date };

/** An unverifiable wallet notification and the merchant's decision on it (lib/results/claims.ts). */
export type ClaimView = {
  id: string;
  paymentStatus: string;
  targetStatus: PaymentStatus;
  paidKopecks: bigint;
  refundKopecks: bigint | null;
  /** The IntellectMoney invoice (СКО) it names: what to look up in the account. */
  imPaymentId: string;
  copies: number;
  state: ClaimState;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
};

export type PaymentWithTimeline = {
  payment: PaymentCard;
  timeline: TimelineItem[];
  notices: NoticeView[];
  problems: ProblemView[];
  /** Oldest first; the pending ones carry «Подтвердить» / «Отклонить» on the card. */
  claims: ClaimView[];
};

function eventDetails(data: Prisma.JsonValue | null): string[] {
  if (!data || typeof data !== "object" || Array.isArray(data)) return [];
  const d = data as Record<string, Prisma.JsonValue>;
  const out: string[] = [];
  if (typeof d.reason === "string") out.push(`Причина: ${d.reason}`);
  if (typeof d.attempts === "number") out.push(`Попытка: ${d.attempts}`);
  if (typeof d.retryInSeconds === "number") out.push(`Повтор через ${d.retryInSeconds} с`);
  if (d.paid === 1 || d.paid === 0) out.push(d.paid === 1 ? "Уведомление: «оплачен»" : "Уведомление: «не оплачен»");
  return out;
}

function operationItem(
  op: { id: string; kind: OperationKind; state: OperationState; amountKopecks: bigint | null; message: string | null; note: string | null; createdAt: Date },
  currency: string,
): TimelineItem {
  const tone: Tone = op.state === "FAILED" ? "danger" : op.state === "UNCERTAIN" ? "warn" : op.state === "ACCEPTED" ? "ok" : "info";
  const amount = op.amountKopecks !== null ? ` на ${formatRubles(op.amountKopecks, currency)}` : "";
  return {
    id: op.id,
    at: op.createdAt,
    source: "operation",
    type: `operation_${op.kind.toLowerCase()}`,
    label: OPERATION_KIND_LABELS[op.kind],
    message: `${OPERATION_KIND_LABELS[op.kind]}${amount}: ${OPERATION_STATE_LABELS[op.state]}${op.message ? ` — ${op.message}` : ""}`,
    tone,
    // What the app learned afterwards (the read-back of a refund, a data migration), as its own line.
    details: op.note ? [op.note] : [],
  };
}

/**
 * The payment card and everything that happened to it, oldest first. Null when the id is not a
 * payment of this shop — the caller answers 404 and learns nothing about other shops' ids.
 */
export async function getPaymentWithTimeline(shopId: string, paymentId: string): Promise<PaymentWithTimeline | null> {
  if (!isUuid(shopId) || !isUuid(paymentId)) return null;
  const payment = await db().payment.findFirst({ where: { id: paymentId, shopId }, select: CARD_SELECT });
  if (!payment) return null;
  // shopId on the children too: belt and braces should a row ever be written with a wrong pair.
  const [events, operations, notices, problems, claims] = await Promise.all([
    db().paymentEvent.findMany({
      where: { paymentId, shopId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, type: true, message: true, data: true, createdAt: true },
    }),
    db().paymentOperation.findMany({
      where: { paymentId, shopId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, kind: true, state: true, amountKopecks: true, message: true, note: true, createdAt: true },
    }),
    db().insalesNotice.findMany({
      where: { paymentId, shopId },
      orderBy: { createdAt: "asc" },
      select: { id: true, paid: true, state: true, attempts: true, lastError: true, deliveredAt: true, createdAt: true },
    }),
    db().problem.findMany({
      where: { paymentId, shopId },
      orderBy: { createdAt: "desc" },
      select: { id: true, kind: true, message: true, createdAt: true, resolvedAt: true, count: true, lastSeenAt: true },
    }),
    db().paymentClaim.findMany({
      where: { paymentId, shopId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: {
        id: true, paymentStatus: true, targetStatus: true, paidKopecks: true, refundKopecks: true, imPaymentId: true, copies: true, state: true,
        createdAt: true, decidedAt: true, decidedBy: true,
      },
    }),
  ]);
  const timeline: TimelineItem[] = [
    ...events.map((e) => {
      const { label, tone } = eventLabel(e.type);
      return { id: e.id, at: e.createdAt, source: "event" as const, type: e.type, label, message: e.message, tone, details: eventDetails(e.data) };
    }),
    ...operations.map((op) => operationItem(op, payment.currency)),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  return { payment, timeline, notices, problems, claims };
}
