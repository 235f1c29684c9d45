// The «Платежи» screen, separate from the page so it renders in tests without a request.
import { StatusBadge } from "@/components/status-badge";
import { formatRubles } from "@/lib/money";
import { filtersToSearchParams, hasFilters, type JournalFilters } from "@/lib/journal/journal-filters";
import { moscowTime } from "@/lib/html/moscow-time";
import { JOURNAL_FLAG_LABELS, JOURNAL_FLAGS, NOTICE_SUMMARY_LABELS, NOTICE_SUMMARIES, problemRecurrence } from "@/lib/journal/journal-labels";
import { PAYMENT_STATUS_LABELS, PAYMENT_STATUSES } from "@/lib/payments/state";
import type { OpenProblem } from "@/lib/journal/journal-problems";
import { isCriticalProblem } from "@/lib/operations/refund-block";
import { encodeCursor, type PaymentList, type PaymentListRow } from "@/lib/journal/journal-query";
import { JournalFlags } from "./journal-flags";
import { ResolveProblemButton } from "./resolve-problem-button";
import styles from "./journal.module.css";

type FormAction = (formData: FormData) => void | Promise<void>;

export function pageHref(filters: JournalFilters, extra: Record<string, string> = {}, base = "/payments"): string {
  const p = filtersToSearchParams(filters);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const q = p.toString();
  return q ? `${base}?${q}` : base;
}

export function ProblemsPanel({ problems, total, resolveAction }: { problems: OpenProblem[]; total: number; resolveAction: FormAction }) {
  if (problems.length === 0) return null;
  return (
    <section className={`${styles.card} ${styles.problems}`} aria-labelledby="problems-title" data-testid="problems">
      <h2 id="problems-title">Требует внимания{total > 1 ? ` (${total})` : ""}</h2>
      <ul className={styles.problemList}>
        {problems.map((p) => (
          <li key={p.id} className={styles.problem} data-testid="problem" data-kind={p.kind}>
            <div className={styles.problemText}>
              <div className={isCriticalProblem(p.kind) ? styles.critical : undefined}>{p.message}</div>
              <div className={styles.problemMeta}>
                {moscowTime(p.createdAt)}
                {problemRecurrence(p) ? <span data-testid="problem-count">{` · ${problemRecurrence(p)}`}</span> : null}
                {p.paymentId ? (
                  <>
                    {" · "}
                    <a href={`/payments/${p.paymentId}`}>Открыть платёж</a>
                  </>
                ) : null}
              </div>
            </div>
            {/* A stop of refunds is lifted on the payment card, after checking the IntellectMoney account. */}
            {isCriticalProblem(p.kind) ? null : <ResolveProblemButton problemId={p.id} action={resolveAction} className={styles.secondary} />}
          </li>
        ))}
      </ul>
      {total > problems.length ? <p className={styles.muted}>Показаны последние {problems.length} из {total}.</p> : null}
    </section>
  );
}

function FilterBar({ filters }: { filters: JournalFilters }) {
  return (
    <form method="get" action="/payments" className={`${styles.card} ${styles.filters}`} role="search" aria-label="Фильтр платежей">
      <fieldset>
        <legend>Статус</legend>
        <div className={styles.statuses}>
          {PAYMENT_STATUSES.map((s) => (
            <label key={s}>
              <input type="checkbox" name="status" value={s} defaultChecked={filters.statuses.includes(s)} /> {PAYMENT_STATUS_LABELS[s]}
            </label>
          ))}
          {JOURNAL_FLAGS.map((f) => (
            <label key={f}>
              <input type="checkbox" name="status" value={f} defaultChecked={filters.flags.includes(f)} /> {JOURNAL_FLAG_LABELS[f]}
            </label>
          ))}
        </div>
      </fieldset>
      <label className={styles.field}>
        <span>Период с</span>
        <input className={styles.input} type="date" name="from" defaultValue={filters.from ?? ""} />
      </label>
      <label className={styles.field}>
        <span>по</span>
        <input className={styles.input} type="date" name="to" defaultValue={filters.to ?? ""} />
      </label>
      <label className={styles.field}>
        <span>Номер заказа или счёта</span>
        <input className={styles.input} type="search" name="order" maxLength={100} defaultValue={filters.order ?? ""} placeholder="1001" />
      </label>
      <label className={styles.field}>
        <span>Уведомление InSales</span>
        <select className={styles.input} name="notice" defaultValue={filters.notice ?? ""}>
          <option value="">Любое</option>
          {NOTICE_SUMMARIES.map((n) => (
            <option key={n} value={n}>
              {NOTICE_SUMMARY_LABELS[n]}
            </option>
          ))}
        </select>
      </label>
      <div className={styles.buttons}>
        <button type="submit" className={styles.button}>
          Применить
        </button>
        {hasFilters(filters) ? <a href="/payments">Сбросить</a> : null}
      </div>
    </form>
  );
}

function PaymentRow({ row }: { row: PaymentListRow }) {
  const order = row.orderNumber ?? row.insalesOrderId;
  return (
    <tr data-testid="payment-row">
      <td className={styles.nowrap}>{moscowTime(row.createdAt)}</td>
      <td>
        <a href={`/payments/${row.id}`}>№{order}</a>
      </td>
      <td className={styles.num}>{formatRubles(row.amountKopecks, row.currency)}</td>
      <td className={styles.num}>
        {formatRubles(row.paidKopecks, row.currency)}
        {row.refundedKopecks > 0n ? <div className={styles.muted}>возвращено {formatRubles(row.refundedKopecks, row.currency)}</div> : null}
      </td>
      <td>
        <StatusBadge status={row.status} />
        <JournalFlags pendingClaims={row.pendingClaims} unverifiedResults={row.unverifiedResults} />
      </td>
      <td>
        <div className={styles.mono}>{row.imOrderId}</div>
        {row.imPaymentId ? <div className={`${styles.mono} ${styles.muted}`}>платёж {row.imPaymentId}</div> : null}
      </td>
      <td className={styles[`notice${row.noticeState}`]} data-testid="notice-state">
        {NOTICE_SUMMARY_LABELS[row.noticeState]}
      </td>
    </tr>
  );
}

export type PaymentsViewProps = {
  filters: JournalFilters;
  warnings: string[];
  list: PaymentList;
  problems: { items: OpenProblem[]; total: number };
  resolveAction: FormAction;
};

export function PaymentsView({ filters, warnings, list, problems, resolveAction }: PaymentsViewProps) {
  const filtered = hasFilters(filters);
  const found = list.total.capped ? `более ${list.total.count}` : String(list.total.count);
  return (
    <main className={styles.main}>
      <h1 className={styles.title}>Платежи</h1>
      <ProblemsPanel problems={problems.items} total={problems.total} resolveAction={resolveAction} />
      <FilterBar filters={filters} />
      {warnings.length > 0 ? (
        <ul className={styles.warnings} role="alert">
          {warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {list.rows.length === 0 ? (
        <div className={styles.empty} data-testid="payments-empty">
          {filtered ? (
            <>
              <p>Под выбранный фильтр платежей нет.</p>
              <a href="/payments">Показать все платежи</a>
            </>
          ) : (
            <p>Платежей пока нет. Они появятся здесь, когда покупатели начнут оплачивать заказы через IntellectMoney.</p>
          )}
        </div>
      ) : (
        <>
          <div className={styles.summary}>
            <span data-testid="payments-total">Найдено: {found}</span>
            <a href={pageHref(filters, {}, "/payments/export")} download data-testid="csv-link">
              Скачать CSV
            </a>
          </div>
          <div className={styles.tableWrap}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th>Дата (МСК)</th>
                  <th>Заказ №</th>
                  <th className={styles.num}>Сумма</th>
                  <th className={styles.num}>Оплачено</th>
                  <th>Статус</th>
                  <th>Счёт IntellectMoney</th>
                  <th>Уведомление InSales</th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((row) => (
                  <PaymentRow key={row.id} row={row} />
                ))}
              </tbody>
            </table>
          </div>
          {list.newer || list.older ? (
            <nav aria-label="Страницы" className={styles.pager}>
              {list.newer ? <a href={pageHref(filters, { before: encodeCursor(list.newer) })}>← Новее</a> : <span />}
              {list.older ? <a href={pageHref(filters, { after: encodeCursor(list.older) })}>Старее →</a> : <span />}
            </nav>
          ) : null}
        </>
      )}
    </main>
  );
}
