"use client";
// «Списать», «Отменить холдирование», «Вернуть» (issue 7) and, while refunds are stopped, «Снять остановку
// возвратов» (issue 13 item 12). Each is a form posting to a server action; the answer (accepted, or
// refused with the reason in Russian) shows next to the buttons. The payment's new state arrives later
// with IntellectMoney's notification, so after an accepted operation the page refreshes itself a few
// times to pick it up. Every form carries the page's one-time request key: the same form sent twice
// finds its first operation instead of making a second one.
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import type { OperationActionState } from "../operation-actions";
import styles from "./operations.module.css";

type Action = (prev: OperationActionState, formData: FormData) => Promise<OperationActionState>;

export type OperationButtonsProps = {
  paymentId: string;
  /** A UUID rendered with the page; a new one comes with every re-render after an action. */
  requestKey: string;
  capture: boolean;
  release: boolean;
  /** The refundable remainder as the merchant types it ("1000,00"); null = no «Вернуть». */
  refundDefault: string | null;
  /** The same for people ("1 000,00 ₽"). */
  refundMaxText: string | null;
  /** The payment's currency sign for the refund field's label (₽, $, €, TST). */
  currencySign?: string;
  /** Why refunds are stopped; then «Вернуть» is disabled and the clear button shown. */
  refundBlocked: string | null;
  actions: { capture: Action; release: Action; refund: Action; clearBlock: Action };
};

/** Re-reads the page a few times after an accepted operation: the notification usually follows within seconds. */
const REFRESH_AFTER_MS = [1_000, 2_500, 5_000, 10_000];

function useRefreshAfterSuccess(state: OperationActionState) {
  const router = useRouter();
  useEffect(() => {
    if (!state?.ok) return;
    const timers = REFRESH_AFTER_MS.map((ms) => setTimeout(() => router.refresh(), ms));
    return () => timers.forEach(clearTimeout);
  }, [state, router]);
}

function Result({ state }: { state: OperationActionState }) {
  if (!state) return null;
  return (
    <p className={state.ok ? styles.accepted : styles.refused} role={state.ok ? "status" : "alert"} data-testid="operation-result">
      {state.message}
    </p>
  );
}

function Hidden({ paymentId, requestKey }: { paymentId: string; requestKey: string }) {
  return (
    <>
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="requestKey" value={requestKey} />
    </>
  );
}

export function OperationButtons({ paymentId, requestKey, capture, release, refundDefault, refundMaxText, currencySign = "₽", refundBlocked, actions }: OperationButtonsProps) {
  const [captured, captureAction, capturing] = useActionState(actions.capture, null);
  const [released, releaseAction, releasing] = useActionState(actions.release, null);
  const [refunded, refundAction, refunding] = useActionState(actions.refund, null);
  const [cleared, clearAction, clearing] = useActionState(actions.clearBlock, null);
  const busy = capturing || releasing || refunding || clearing;
  // The newest answer of the four is the one to show.
  const last = [captured, released, refunded, cleared].filter(Boolean).sort((a, b) => b!.at - a!.at)[0] ?? null;
  useRefreshAfterSuccess(last);

  return (
    <div className={styles.actions}>
      {refundBlocked !== null ? (
        <div className={styles.blocked} role="alert" data-testid="refunds-blocked">
          <p>{refundBlocked}</p>
          <form action={clearAction} className={styles.row}>
            <Hidden paymentId={paymentId} requestKey={requestKey} />
            <label className={styles.check}>
              <input type="checkbox" name="checked" required /> Я проверил возвраты по этому платежу в личном кабинете IntellectMoney
            </label>
            <button type="submit" className={styles.secondary} disabled={busy}>
              Снять остановку возвратов
            </button>
          </form>
        </div>
      ) : null}
      {capture || release ? (
        <div className={styles.row}>
          {capture ? (
            <form action={captureAction}>
              <Hidden paymentId={paymentId} requestKey={requestKey} />
              <button type="submit" className={styles.primary} disabled={busy}>
                Списать
              </button>
            </form>
          ) : null}
          {release ? (
            <form action={releaseAction}>
              <Hidden paymentId={paymentId} requestKey={requestKey} />
              <button type="submit" className={styles.secondary} disabled={busy}>
                Отменить холдирование
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      {refundDefault !== null ? (
        <form action={refundAction} className={styles.row}>
          <Hidden paymentId={paymentId} requestKey={requestKey} />
          {/* The refundable remainder changes after each refund: the key remounts the field with the new default. */}
          <label className={styles.field}>
            <span>Сумма возврата, {currencySign}</span>
            <input
              key={refundDefault}
              name="amount"
              className={styles.input}
              defaultValue={refundDefault}
              inputMode="decimal"
              autoComplete="off"
              aria-describedby="refund-max"
              disabled={refundBlocked !== null}
            />
          </label>
          <button type="submit" className={styles.primary} disabled={busy || refundBlocked !== null}>
            Вернуть
          </button>
          <span id="refund-max" className={styles.muted}>
            {refundBlocked !== null ? "Возвраты остановлены до проверки в личном кабинете IntellectMoney." : `Доступно к возврату: ${refundMaxText}`}
          </span>
        </form>
      ) : null}
      {busy ? <p className={styles.muted}>Отправляем запрос в IntellectMoney…</p> : <Result state={last} />}
    </div>
  );
}
