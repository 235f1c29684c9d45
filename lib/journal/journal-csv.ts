// The journal as a CSV file for Excel as Russian merchants have it (docs/PRODUCT.md flow 10 «export»):
// - UTF-8 with a BOM, or Excel reads the Cyrillic as cp1251 mojibake;
// - `;` between cells: Russian Excel's list separator (`,` is its decimal separator);
// - amounts as "1500,00": decimal comma, no thousands grouping, so Russian Excel sees numbers it can sum
//   (never floats: formatted from integer kopecks by lib/money.ts);
// - dates "ДД.ММ.ГГГГ ЧЧ:ММ:СС" in Moscow time, which Russian Excel parses as dates;
// - RFC 4180 quoting, CRLF line ends;
// - CSV formula injection guard (OWASP): a cell starting with = + - @ (or tab / CR) gets a leading `'`,
//   so text from buyers or InSales (order numbers, e-mails) never runs as a formula.
// Streamed in keyset batches: memory stays flat however many payments a shop has.
import { db } from "../db";
import type { Prisma } from "../generated/prisma/client";
import { log } from "../log";
import { formatKopecks } from "../money";
import { paymentsWhere, type JournalFilters } from "./journal-filters";
import { LIST_SELECT, olderThan, type Cursor } from "./journal-query";
import { PAYMENT_STATUS_LABELS } from "../payments/state";
import { JOURNAL_FLAG_LABELS, journalFlagsOf, NOTICE_SUMMARY_LABELS, verifiedByLabel } from "./journal-labels";

export const CSV_BOM = "\uFEFF";
const BATCH = 500;

export const CSV_HEADER = [
  "Дата (МСК)",
  "Заказ №",
  "ID заказа InSales",
  "Транзакция InSales",
  "Сумма",
  "Оплачено",
  "Возвращено",
  "Валюта",
  "Статус",
  // «Требует подтверждения» / «Применено без проверки» (JOURNAL_FLAG_LABELS), next to the status they qualify.
  "Проверка уведомлений",
  "Счёт IntellectMoney",
  "Платёж IntellectMoney",
  "Уведомление InSales",
  "Проверка",
  "E-mail покупателя",
];

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: formula guard first, then quoting when the text needs it. */
export function csvCell(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function csvLine(cells: string[]): string {
  return `${cells.map(csvCell).join(";")}\r\n`;
}

/** 150050n → "1500,50". */
export function csvAmount(kopecks: bigint): string {
  return formatKopecks(kopecks).replace(".", ",");
}

const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000; // UTC+3 all year since 2014 (journal-filters.ts)

/** "ДД.ММ.ГГГГ ЧЧ:ММ:СС" in Moscow time. */
export function csvMoscowTime(at: Date): string {
  const m = new Date(at.getTime() + MOSCOW_OFFSET_MS);
  const p = (n: number) => n.toString().padStart(2, "0");
  return `${p(m.getUTCDate())}.${p(m.getUTCMonth() + 1)}.${m.getUTCFullYear()} ${p(m.getUTCHours())}:${p(m.getUTCMinutes())}:${p(m.getUTCSeconds())}`;
}

/** The journal's columns, and the CSV's own. */
const CSV_SELECT = { ...LIST_SELECT, transactionId: true, verifiedBy: true, buyerEmail: true } satisfies Prisma.PaymentSelect;

type CsvRow = Prisma.PaymentGetPayload<{ select: typeof CSV_SELECT }>;

export function csvRow(p: CsvRow): string {
  return csvLine([
    csvMoscowTime(p.createdAt),
    p.orderNumber ?? "",
    p.insalesOrderId,
    p.transactionId,
    csvAmount(p.amountKopecks),
    csvAmount(p.paidKopecks),
    csvAmount(p.refundedKopecks),
    p.currency,
    PAYMENT_STATUS_LABELS[p.status],
    journalFlagsOf({ pendingClaims: p._count.claims, unverifiedResults: p.unverifiedResults }).map((f) => JOURNAL_FLAG_LABELS[f]).join(", "),
    p.imOrderId,
    p.imPaymentId ?? "",
    NOTICE_SUMMARY_LABELS[p.noticeState],
    verifiedByLabel(p.verifiedBy),
    p.buyerEmail ?? "",
  ]);
}

/** The shop's payments matching the filters, newest first, as a stream of CSV bytes (BOM first). */
export function exportPaymentsCsv(shopId: string, filters: JournalFilters): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const where = paymentsWhere(shopId, filters);
  let cursor: Cursor | null = null;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLine(CSV_HEADER)));
        return;
      }
      const c = cursor;
      let rows: CsvRow[];
      try {
        rows = await db().payment.findMany({
          where: c ? { AND: [where, olderThan(c)] } : where,
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          take: BATCH,
          select: CSV_SELECT,
        });
      } catch (error) {
        // Headers are gone already: the download breaks off (the browser shows it failed) rather than
        // ending quietly with rows missing.
        log.error({ err: error, shopId }, "journal: csv export failed mid-stream");
        controller.error(error);
        return;
      }
      if (rows.length > 0) {
        controller.enqueue(encoder.encode(rows.map(csvRow).join("")));
        const last = rows[rows.length - 1];
        cursor = { createdAt: last.createdAt, id: last.id };
      }
      if (rows.length < BATCH) controller.close();
    },
  });
}

/** «payments-2026-11-28.csv» (the Moscow date of the download). */
export function csvFileName(now: Date = new Date()): string {
  return `payments-${new Date(now.getTime() + MOSCOW_OFFSET_MS).toISOString().slice(0, 10)}.csv`;
}
