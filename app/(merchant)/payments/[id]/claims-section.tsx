// «Уведомления без подписи» on the payment card (docs/protocols/intellectmoney.md §2; lib/results/claims.ts):
// every notification of this wallet payment that nobody could verify, with what it claims and the
// merchant's decision. A pending one has «Подтвердить» and «Отклонить»: plain forms posting to server
// actions, so they work without JavaScript too. Nothing here moves money until the merchant confirms.
import { formatRubles } from "@/lib/money";
import { moscowTimeSeconds } from "@/lib/html/moscow-time";
import { CLAIM_STATE_LABELS } from "@/lib/journal/journal-labels";
import { claimText } from "@/lib/results/claim-text";
import type { ClaimView } from "@/lib/journal/journal-query";
import styles from "../journal.module.css";

type FormAction = (formData: FormData) => void | Promise<void>;

export type ClaimActions = { confirm: FormAction; reject: FormAction };

export function ClaimsSection({ claims, currency, actions }: { claims: ClaimView[]; currency: string; actions: ClaimActions }) {
  if (claims.length === 0) return null;
  const pending = claims.some((c) => c.state === "PENDING");
  return (
    <section className={`${styles.card} ${pending ? styles.claims : ""}`.trim()} data-testid="claims" aria-labelledby="claims-title">
      <h2 id="claims-title">Уведомления без подписи{pending ? " — требуют подтверждения" : ""}</h2>
      <p>
        IntellectMoney присылает уведомления по этому платежу в кошелёк без подписи, которую приложение может проверить: в настройках не указан «Секретный
        ключ» формы. Такое уведомление может прислать кто угодно, поэтому статус платежа не меняется, а InSales ничего не сообщается, пока вы его не
        подтвердите.
      </p>
      {pending ? (
        <p>
          Откройте личный кабинет IntellectMoney и найдите счёт с указанным номером. Нажмите «Подтвердить», только если там тот же статус и та же сумма;
          иначе — «Отклонить». После подтверждения InSales получит статус заказа, как при проверенном уведомлении.
        </p>
      ) : null}
      <ul className={styles.problemList}>
        {claims.map((c) => (
          <li key={c.id} className={styles.claim} data-testid="claim" data-state={c.state} data-status={c.targetStatus}>
            <div className={styles.problemText}>
              <div>
                <strong>«{claimText(c, currency)}»</strong> — {CLAIM_STATE_LABELS[c.state]}
              </div>
              <div className={styles.problemMeta}>
                Получено {moscowTimeSeconds(c.createdAt)} (МСК) · счёт IntellectMoney <span className={styles.mono}>{c.imPaymentId}</span>
                {c.refundKopecks !== null ? ` · оплачено ${formatRubles(c.paidKopecks, currency)}` : ""}
                {c.copies > 1 ? ` · получено ${c.copies} раза` : ""}
              </div>
              {c.decidedAt ? (
                <div className={styles.problemMeta}>
                  {CLAIM_STATE_LABELS[c.state]} {moscowTimeSeconds(c.decidedAt)} (МСК){c.decidedBy && c.decidedBy !== "system" ? ` · ${c.decidedBy}` : ""}
                </div>
              ) : null}
            </div>
            {c.state === "PENDING" ? (
              <div className={styles.claimActions}>
                <form action={actions.confirm}>
                  <input type="hidden" name="claimId" value={c.id} />
                  <button type="submit" className={styles.confirm}>
                    Подтвердить
                  </button>
                </form>
                <form action={actions.reject}>
                  <input type="hidden" name="claimId" value={c.id} />
                  <button type="submit" className={styles.reject}>
                    Отклонить
                  </button>
                </form>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
