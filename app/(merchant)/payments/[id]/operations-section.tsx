// «Операции IntellectMoney» on the payment card (issue 7, issue 13 item 12): the buttons the payment's
// state allows, a stop of refunds with its reason and the clear button, and every Merchant API request
// made from here with its state, IntellectMoney's answer and what the app learned afterwards.
import { currencySign, formatRubles } from "@/lib/money";
import { moscowTimeSeconds } from "@/lib/html/moscow-time";
import { OPERATION_KIND_LABELS, OPERATION_STATE_LABELS } from "@/lib/operations/operation-labels";
import { refundInputValue, type OperationsPanel } from "@/lib/operations/payment-operations";
import { OperationButtons, type OperationButtonsProps } from "./operation-buttons";
import styles from "./operations.module.css";
import journal from "../journal.module.css";

type Props = {
  paymentId: string;
  currency: string;
  legalForm: "ORGANIZATION" | "INDIVIDUAL";
  panel: OperationsPanel;
  requestKey: string;
  actions: OperationButtonsProps["actions"];
};

export function OperationsSection({ paymentId, currency, legalForm, panel, requestKey, actions }: Props) {
  const { available, operations, configured } = panel;
  const any = available.capture || available.release || available.refundKopecks !== null;
  return (
    <section className={journal.card} data-testid="operations">
      <h2>Операции IntellectMoney</h2>
      {legalForm === "INDIVIDUAL" ? (
        <p className={styles.note}>Списание, отмена холдирования и возврат через Merchant API доступны только магазину-организации.</p>
      ) : !configured && any ? (
        <p className={styles.note} data-testid="operations-not-configured">
          Чтобы списывать, отменять холдирование и возвращать деньги отсюда, укажите «API-токен» и «Ключ подписи (signSecretKey)» в{" "}
          <a href="/settings">настройках</a>. Они нужны и в тестовом режиме.
        </p>
      ) : null}
      {/* Mounted even with no button left, so the last answer stays visible once the state moved on. */}
      {legalForm === "ORGANIZATION" ? (
        <OperationButtons
          paymentId={paymentId}
          requestKey={requestKey}
          capture={available.capture}
          release={available.release}
          refundDefault={available.refundKopecks !== null ? refundInputValue(available.refundKopecks) : null}
          refundMaxText={available.refundKopecks !== null ? formatRubles(available.refundKopecks, currency) : null}
          currencySign={currencySign(currency)}
          refundBlocked={available.refundBlocked}
          actions={actions}
        />
      ) : null}
      {operations.length === 0 ? (
        <p className={styles.meta}>Операций не было.</p>
      ) : (
        <ul className={styles.list}>
          {operations.map((op) => (
            <li key={op.id} className={styles.item} data-testid="operation" data-kind={op.kind} data-state={op.state}>
              <div>
                {OPERATION_KIND_LABELS[op.kind]}
                {op.amountKopecks !== null ? ` на ${formatRubles(op.amountKopecks, currency)}` : ""} —{" "}
                <span className={styles[op.state]}>{OPERATION_STATE_LABELS[op.state]}</span>
                {op.resultCode === 1 ? <span className={styles.warning}> (с предупреждением)</span> : null}
              </div>
              {op.message ? <div data-testid="operation-message">{op.message}</div> : null}
              {op.note ? (
                <div className={styles.opNote} data-testid="operation-note">
                  {op.note}
                </div>
              ) : null}
              <div className={styles.meta}>{moscowTimeSeconds(op.createdAt)} (МСК)</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
