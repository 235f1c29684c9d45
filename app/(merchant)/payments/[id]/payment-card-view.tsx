// The payment card and its timeline, separate from the page for tests.
import type { ReactNode } from "react";
import { StatusBadge } from "@/components/status-badge";
import { Timeline } from "@/components/timeline";
import { formatRubles } from "@/lib/money";
import { moscowTime, moscowTimeSeconds } from "@/lib/html/moscow-time";
import { NOTICE_STATE_LABELS, NOTICE_SUMMARY_LABELS, problemRecurrence, verifiedByLabel } from "@/lib/journal/journal-labels";
import type { NoticeView, PaymentWithTimeline, ProblemView } from "@/lib/journal/journal-query";
import { isCriticalProblem } from "@/lib/operations/refund-block";
import { settlesOrder } from "@/lib/payments/state";
import { JournalFlags } from "../journal-flags";
import { ResolveProblemButton } from "../resolve-problem-button";
import { ClaimsSection, type ClaimActions } from "./claims-section";
import styles from "../journal.module.css";

type FormAction = (formData: FormData) => void | Promise<void>;

function Notices({ notices }: { notices: NoticeView[] }) {
  if (notices.length === 0) return <p className={styles.muted}>Уведомлений InSales не было: их отправляют, когда известен итог оплаты.</p>;
  return (
    <ul className={styles.problemList} data-testid="notices">
      {notices.map((n) => (
        <li key={n.id} className={styles.problem} data-testid="notice">
          <div className={styles.problemText}>
            <div>
              Заказ {n.paid === 1 ? "«оплачен»" : "«не оплачен»"} — <span className={styles[`notice${n.state}`]}>{NOTICE_STATE_LABELS[n.state]}</span>
            </div>
            <div className={styles.problemMeta}>
              Создано {moscowTimeSeconds(n.createdAt)} · попыток: {n.attempts}
              {n.deliveredAt ? ` · доставлено ${moscowTimeSeconds(n.deliveredAt)}` : ""}
            </div>
            {n.lastError && n.state !== "DELIVERED" ? <div className={styles.problemMeta}>Последняя ошибка: {n.lastError}</div> : null}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Problems({ problems, resolveAction }: { problems: ProblemView[]; resolveAction: FormAction }) {
  if (problems.length === 0) return null;
  return (
    <section className={`${styles.card} ${styles.problems}`}>
      <h2>Проблемы</h2>
      <ul className={styles.problemList}>
        {problems.map((p) => (
          <li key={p.id} className={styles.problem} data-testid="problem" data-kind={p.kind}>
            <div className={styles.problemText}>
              <div className={isCriticalProblem(p.kind) && !p.resolvedAt ? styles.critical : undefined}>{p.message}</div>
              <div className={styles.problemMeta}>
                {moscowTime(p.createdAt)}
                {problemRecurrence(p) ? <span data-testid="problem-count">{` · ${problemRecurrence(p)}`}</span> : null}
                {p.resolvedAt ? ` · решена ${moscowTime(p.resolvedAt)}` : ""}
              </div>
            </div>
            {p.resolvedAt ? null : isCriticalProblem(p.kind) ? (
              <span className={styles.problemMeta}>Снимается кнопкой «Снять остановку возвратов» ниже</span>
            ) : (
              <ResolveProblemButton problemId={p.id} action={resolveAction} className={styles.secondary} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

const NO_CLAIM_ACTIONS: ClaimActions = { confirm: () => undefined, reject: () => undefined };

/**
 * `operations`: the «Операции IntellectMoney» block (operations-section.tsx), rendered by the page;
 * `claimActions`: «Подтвердить» / «Отклонить» of the unverifiable wallet notifications (app/(merchant)/payments/claim-actions.ts).
 */
export function PaymentCardView({
  data,
  resolveAction,
  operations,
  claimActions = NO_CLAIM_ACTIONS,
}: {
  data: PaymentWithTimeline;
  resolveAction: FormAction;
  operations?: ReactNode;
  claimActions?: ClaimActions;
}) {
  const p = data.payment;
  const pendingClaims = data.claims.filter((c) => c.state === "PENDING").length;
  const order = p.orderNumber ?? p.insalesOrderId;
  const money = (k: bigint) => formatRubles(k, p.currency);
  return (
    <main className={styles.main}>
      <a href="/payments" className={styles.back}>
        ← Все платежи
      </a>
      <div className={styles.cardHead}>
        <h1>Платёж по заказу №{order}</h1>
        <StatusBadge status={p.status} />
        <JournalFlags pendingClaims={pendingClaims} unverifiedResults={p.unverifiedResults} />
        {p.currency === "TST" ? (
          <span className={styles.testBadge} data-testid="test-badge">
            Тестовый режим
          </span>
        ) : null}
      </div>
      {p.unverifiedResults ? (
        <p className={styles.alert} role="alert" data-testid="unverified-warning">
          Применено без проверки: статус этого платежа в кошелёк установлен по уведомлению без подписи, которую можно было проверить (так приложение
          работало до появления подтверждений). Такое уведомление мог прислать кто угодно: сверьте оплату в личном кабинете IntellectMoney, прежде чем
          отгружать заказ, и при расхождении исправьте статус заказа в InSales.
        </p>
      ) : null}
      <Problems problems={data.problems} resolveAction={resolveAction} />
      <ClaimsSection claims={data.claims} currency={p.currency} actions={claimActions} />
      <div className={styles.columns}>
        <section className={styles.card}>
          <h2>Суммы</h2>
          <dl className={styles.facts}>
            <dt>Сумма счёта</dt>
            <dd>{money(p.amountKopecks)}</dd>
            <dt>Оплачено</dt>
            <dd>{money(p.paidKopecks)}</dd>
            <dt>Возвращено</dt>
            <dd>{money(p.refundedKopecks)}</dd>
            <dt>Валюта</dt>
            <dd>{p.currency === "TST" ? "TST (тестовая)" : p.currency}</dd>
            <dt>Уведомление InSales</dt>
            <dd className={styles[`notice${p.noticeState}`]}>{NOTICE_SUMMARY_LABELS[p.noticeState]}</dd>
          </dl>
        </section>
        <section className={styles.card}>
          <h2>Заказ и счёт</h2>
          <dl className={styles.facts}>
            <dt>Заказ №</dt>
            <dd>{order}</dd>
            <dt>ID заказа InSales</dt>
            <dd className={styles.mono}>{p.insalesOrderId}</dd>
            <dt>Транзакция InSales</dt>
            <dd className={styles.mono}>{p.transactionId}</dd>
            {p.attempt > 1 ? (
              <>
                <dt>Попытка оплаты</dt>
                <dd>{p.attempt}-я: прежний счёт по этой транзакции был отменён</dd>
              </>
            ) : null}
            <dt>Счёт IntellectMoney</dt>
            <dd className={styles.mono}>{p.imOrderId}</dd>
            <dt>Платёж IntellectMoney</dt>
            <dd className={styles.mono}>{p.imPaymentId ?? "—"}</dd>
            <dt>Магазин IntellectMoney</dt>
            <dd className={styles.mono}>{p.eshopId}</dd>
            <dt>Получатель</dt>
            <dd>{p.legalForm === "INDIVIDUAL" ? "Физическое лицо" : "Юридическое лицо"}</dd>
            <dt>Проверка запроса</dt>
            <dd>{verifiedByLabel(p.verifiedBy)}</dd>
            <dt>Покупатель</dt>
            <dd>{[p.buyerName, p.buyerEmail, p.buyerPhone].filter(Boolean).join(", ") || "—"}</dd>
            <dt>Описание</dt>
            <dd>{p.description}</dd>
            <dt>Создан</dt>
            <dd>{moscowTimeSeconds(p.createdAt)} (МСК)</dd>
          </dl>
        </section>
      </div>
      {!settlesOrder(p.status) ? (
        // The buyer did not pay (or not yet): a payment link for the same order (docs/PRODUCT.md flow 12).
        <p>
          <a href={`/payment-links?order=${encodeURIComponent(p.insalesOrderId)}`} data-testid="payment-link-for-order">
            Отправить покупателю ссылку на оплату этого заказа
          </a>
        </p>
      ) : null}
      <div style={{ marginTop: 20 }}>{operations}</div>
      <section className={styles.card}>
        <h2>Уведомления InSales</h2>
        <Notices notices={data.notices} />
      </section>
      <section className={styles.card}>
        <h2>История</h2>
        <Timeline items={data.timeline} />
      </section>
    </main>
  );
}
