// The payment-link screen of one InSales order (docs/PRODUCT.md flow 12), separate from the page for tests: the
// order as InSales has it now, what a link would ask the buyer to pay, the form, and the links made before.
import type { ReactNode } from "react";
import { moscowTime } from "@/lib/html/moscow-time";
import { formatRubles } from "@/lib/money";
import type { OrderForLink } from "@/lib/payment-links/create-payment-link";
import type { LinkRow } from "@/lib/payment-links/payment-link-query";
import styles from "../payments/journal.module.css";

type Props = { orderId: string; checked: OrderForLink; links: LinkRow[]; form: ReactNode; now?: Date };

function linkState(l: LinkRow, now: Date): string {
  if (l.paymentId) return "покупатель перешёл к оплате";
  if (l.expiresAt.getTime() <= now.getTime()) return "срок истёк";
  return l.openedAt ? "открыта покупателем" : "ещё не открыта";
}

export function PaymentLinksView({ orderId, checked, links, form, now = new Date() }: Props) {
  const title = checked.ok && checked.order.number ? `Ссылка на оплату заказа №${checked.order.number}` : "Ссылка на оплату заказа";
  return (
    <main className={styles.main}>
      <a href="/payments" className={styles.back}>
        ← Все платежи
      </a>
      <h1 className={styles.title}>{title}</h1>
      <section className={styles.card}>
        <h2>Заказ</h2>
        {checked.ok ? (
          <>
            <dl className={styles.facts}>
              <dt>ID заказа InSales</dt>
              <dd className={styles.mono}>{checked.order.id}</dd>
              <dt>Сумма заказа</dt>
              <dd>{formatRubles(checked.order.totalKopecks, checked.currency)}</dd>
              <dt>К оплате сейчас</dt>
              <dd data-testid="link-amount">{formatRubles(checked.unpaidKopecks, checked.currency)}</dd>
              <dt>E-mail покупателя</dt>
              <dd>{checked.buyerEmail ?? "—"}</dd>
            </dl>
            <p className={styles.muted}>
              Покупатель оплатит то, что останется неоплаченным в момент перехода по ссылке. Все ссылки одного заказа ведут к одному счёту; после оплаты
              ссылка отвечает «Заказ уже оплачен», а InSales получает отметку об оплате.
            </p>
            {form}
          </>
        ) : (
          <p className={styles.alert} role="alert" data-testid="link-refused">
            {checked.message}
          </p>
        )}
      </section>
      <section className={styles.card}>
        <h2>Ссылки по этому заказу</h2>
        {links.length === 0 ? (
          <p className={styles.muted}>Ссылок ещё не было.</p>
        ) : (
          <ul className={styles.problemList} data-testid="links">
            {links.map((l) => (
              <li key={l.id} className={styles.problem}>
                <div className={styles.problemText}>
                  <div>
                    {moscowTime(l.createdAt)} (МСК){l.sentTo ? ` — отправлена на ${l.sentTo}` : " — создана для копирования"}
                    {l.createdBy ? `, ${l.createdBy}` : ""}
                  </div>
                  <div className={styles.problemMeta}>
                    Действует до {moscowTime(l.expiresAt)} (МСК) · {linkState(l, now)}
                    {l.paymentId ? (
                      <>
                        {" · "}
                        <a href={`/payments/${l.paymentId}`}>платёж</a>
                      </>
                    ) : null}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <p className={styles.muted}>Номер заказа InSales в адресе: {orderId}</p>
    </main>
  );
}
