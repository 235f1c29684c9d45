"use client";
// The form of the payment-link screen: how long the link opens, and «Отправить покупателю на e-mail» (letter 14)
// or «Создать ссылку» to copy and send by hand. The answer shows the link with «Копировать».
import { useActionState, useState } from "react";
import type { PaymentLinkActionState } from "./actions";
import ops from "../payments/[id]/operations.module.css";

type Props = {
  order: string;
  lifetimes: readonly number[];
  /** The order's buyer address when letter 14 can go there; null: only «Создать ссылку». */
  emailTo: string | null;
  /** Why e-mail is not offered (no address, letter 14 off). */
  emailHint: string | null;
  action: (prev: PaymentLinkActionState, formData: FormData) => Promise<PaymentLinkActionState>;
};

function daysWord(n: number): string {
  return n === 1 ? "1 день" : n < 5 ? `${n} дня` : `${n} дней`;
}

function Result({ state }: { state: PaymentLinkActionState }) {
  const [copied, setCopied] = useState(false);
  if (!state) return null;
  if (!state.ok) {
    return (
      <p className={ops.refused} role="alert" data-testid="link-result">
        {state.message}
      </p>
    );
  }
  return (
    <div role="status" data-testid="link-result">
      <p className={ops.accepted}>{state.sentTo ? `Ссылка отправлена покупателю на ${state.sentTo}.` : "Ссылка создана: скопируйте её и отправьте покупателю."}</p>
      <div className={ops.row}>
        <label className={ops.field}>
          <span>Ссылка на оплату</span>
          <input className={ops.input} style={{ width: "min(560px, 90vw)" }} readOnly value={state.url} data-testid="link-url" />
        </label>
        <button
          type="button"
          className={ops.secondary}
          onClick={() => {
            void navigator.clipboard?.writeText(state.url).then(() => setCopied(true));
          }}
        >
          {copied ? "Скопировано" : "Копировать"}
        </button>
      </div>
    </div>
  );
}

export function PaymentLinkForm({ order, lifetimes, emailTo, emailHint, action }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <div className={ops.actions}>
      <form action={formAction} className={ops.row}>
        <input type="hidden" name="order" value={order} />
        <label className={ops.field}>
          <span>Ссылка действует</span>
          <select name="lifetime" className={ops.input} defaultValue={String(lifetimes[0])}>
            {lifetimes.map((d) => (
              <option key={d} value={d}>
                {daysWord(d)}
              </option>
            ))}
          </select>
        </label>
        {emailTo ? (
          <button type="submit" name="send" value="email" className={ops.primary} disabled={pending}>
            Отправить покупателю на e-mail
          </button>
        ) : null}
        <button type="submit" name="send" value="copy" className={emailTo ? ops.secondary : ops.primary} disabled={pending}>
          Создать ссылку
        </button>
      </form>
      {emailHint ? <p className={ops.muted}>{emailHint}</p> : null}
      {pending ? <p className={ops.muted}>Создаём ссылку…</p> : <Result key={state?.at ?? 0} state={state} />}
    </div>
  );
}
