// The journal's filters as they arrive in the URL (a GET form, so links are shareable) and as a Prisma
// `where`. Query parameters are untrusted input: a bad value is ignored with a Russian note for the
// merchant, never a 500 (docs/PRODUCT.md «Non-negotiables»).
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client";
import type { NoticeSummary, PaymentStatus } from "../generated/prisma/enums";
import { PAYMENT_STATUSES } from "../payments/state";
import { JOURNAL_FLAGS, NOTICE_SUMMARIES, type JournalFlag } from "./journal-labels";

export type JournalFilters = {
  statuses: PaymentStatus[];
  /** «Требует подтверждения» / «Применено без проверки»: chosen among the statuses (`status=` too), or-ed with them. */
  flags: JournalFlag[];
  /** Moscow calendar days, "YYYY-MM-DD", both inclusive. */
  from: string | null;
  to: string | null;
  /** Order number (exact or prefix), InSales order id, IntellectMoney invoice or payment id. */
  order: string | null;
  notice: NoticeSummary | null;
};

export const NO_FILTERS: JournalFilters = { statuses: [], flags: [], from: null, to: null, order: null, notice: null };

export type SearchParamsLike = URLSearchParams | Record<string, string | string[] | undefined>;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
  });

const filterQuery = z.object({
  status: z.array(z.string()),
  from: z.string().optional(),
  to: z.string().optional(),
  order: z.string().optional(),
  notice: z.string().optional(),
});

const ORDER_MAX = 100;

function all(params: SearchParamsLike, key: string): string[] {
  if (params instanceof URLSearchParams) return params.getAll(key);
  const v = params[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const first = (params: SearchParamsLike, key: string) => all(params, key)[0];

/** Parses the filter parameters; never throws. `warnings` are Russian, for the filter bar. */
export function parseJournalFilters(params: SearchParamsLike): { filters: JournalFilters; warnings: string[] } {
  const warnings: string[] = [];
  const raw = filterQuery.parse({
    status: all(params, "status"),
    from: first(params, "from"),
    to: first(params, "to"),
    order: first(params, "order"),
    notice: first(params, "notice"),
  });

  const statuses: PaymentStatus[] = [];
  const flags: JournalFlag[] = [];
  for (const s of raw.status) {
    if ((PAYMENT_STATUSES as string[]).includes(s)) {
      if (!statuses.includes(s as PaymentStatus)) statuses.push(s as PaymentStatus);
    } else if ((JOURNAL_FLAGS as string[]).includes(s)) {
      if (!flags.includes(s as JournalFlag)) flags.push(s as JournalFlag);
    } else if (s !== "") warnings.push("Неизвестный статус в фильтре пропущен.");
  }

  const parseDay = (v: string | undefined, name: string): string | null => {
    if (v === undefined || v.trim() === "") return null;
    if (day.safeParse(v.trim()).success) return v.trim();
    warnings.push(`Дата «${name}» не распознана (нужен формат ГГГГ-ММ-ДД), фильтр по ней не применён.`);
    return null;
  };
  let from = parseDay(raw.from, "с");
  let to = parseDay(raw.to, "по");
  if (from && to && from > to) {
    [from, to] = [to, from];
    warnings.push("Дата «с» была позже даты «по» — даты переставлены.");
  }

  // Merchants type "№1001" or "#1001" as they see it in InSales.
  let order: string | null = (raw.order ?? "").trim().replace(/^[№#]\s*/, "");
  if (order === "") order = null;
  else if (order.length > ORDER_MAX) {
    warnings.push(`Номер заказа длиннее ${ORDER_MAX} символов — фильтр по нему не применён.`);
    order = null;
  }

  let notice: NoticeSummary | null = null;
  if (raw.notice !== undefined && raw.notice !== "") {
    if ((NOTICE_SUMMARIES as string[]).includes(raw.notice)) notice = raw.notice as NoticeSummary;
    else warnings.push("Неизвестное состояние уведомления в фильтре пропущено.");
  }

  return { filters: { statuses, flags, from, to, order, notice }, warnings: [...new Set(warnings)] };
}

/** The filters back as query parameters (pagination and CSV links keep them). */
export function filtersToSearchParams(filters: JournalFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const s of filters.statuses) p.append("status", s);
  for (const f of filters.flags) p.append("status", f);
  if (filters.from) p.set("from", filters.from);
  if (filters.to) p.set("to", filters.to);
  if (filters.order) p.set("order", filters.order);
  if (filters.notice) p.set("notice", filters.notice);
  return p;
}

export function hasFilters(filters: JournalFilters): boolean {
  return filters.statuses.length > 0 || filters.flags.length > 0 || Boolean(filters.from || filters.to || filters.order || filters.notice);
}

/**
 * Start of a Moscow calendar day as a UTC instant. Moscow has been UTC+3 all year since 2014-10-26
 * (no DST), before any payment this app can hold, so a fixed offset is exact.
 */
export function moscowDayStart(dayText: string): Date {
  return new Date(`${dayText}T00:00:00+03:00`);
}

/** The first instant after the Moscow day (the exclusive upper bound of an inclusive «по» day). */
export function moscowDayEnd(dayText: string): Date {
  const start = moscowDayStart(dayText);
  return new Date(start.getTime() + 24 * 60 * 60 * 1000);
}

/** Escapes LIKE wildcards so "10_" means the characters 1, 0, _ (Prisma passes them through). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Always scoped to the shop: the tenant filter is the first condition, never optional. */
export function paymentsWhere(shopId: string, filters: JournalFilters): Prisma.PaymentWhereInput {
  const and: Prisma.PaymentWhereInput[] = [];
  // The ticked statuses and marks are alternatives: «Оплачен» + «Требует подтверждения» = either.
  const either: Prisma.PaymentWhereInput[] = [];
  if (filters.statuses.length === 1) either.push({ status: filters.statuses[0] });
  else if (filters.statuses.length > 1) either.push({ status: { in: filters.statuses } });
  if (filters.flags.includes("NEEDS_CONFIRMATION")) either.push({ claims: { some: { state: "PENDING" } } });
  if (filters.flags.includes("APPLIED_UNVERIFIED")) either.push({ unverifiedResults: true });
  if (either.length === 1) and.push(either[0]);
  else if (either.length > 1) and.push({ OR: either });
  if (filters.from || filters.to) {
    and.push({
      createdAt: {
        ...(filters.from ? { gte: moscowDayStart(filters.from) } : {}),
        ...(filters.to ? { lt: moscowDayEnd(filters.to) } : {}),
      },
    });
  }
  if (filters.order) {
    const q = filters.order;
    and.push({
      OR: [
        { orderNumber: { startsWith: likeLiteral(q) } },
        { insalesOrderId: q },
        { imOrderId: q },
        { imPaymentId: q },
      ],
    });
  }
  if (filters.notice) and.push({ noticeState: filters.notice });
  return { shopId, ...(and.length > 0 ? { AND: and } : {}) };
}
