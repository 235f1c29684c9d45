// «Способ оплаты в InSales» (docs/PRODUCT.md flow 4): the state of the shop's «Внешний способ оплаты», the
// control that creates/updates it, and the values for the manual setup of the original instructions.
import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/badge";
import { SectionCard } from "@/components/section-card";
import type { GatewayState, WidgetState } from "@/lib/generated/prisma/enums";
import type { ManualSetupValues } from "@/lib/shops/manual-setup";
import type { PaymentMethodView } from "@/lib/shops/payment-method-query";
import styles from "./settings.module.css";

const STATE: Record<GatewayState, { label: string; tone: BadgeTone }> = {
  NOT_CONNECTED: { label: "Не подключён", tone: "neutral" },
  CONNECTING: { label: "Подключается…", tone: "warn" },
  CONNECTED: { label: "Подключён", tone: "ok" },
  FAILED: { label: "Ошибка подключения", tone: "danger" },
};

const WIDGET: Record<WidgetState, { label: string; tone: BadgeTone }> = {
  NOT_INSTALLED: { label: "Появится после подключения способа оплаты", tone: "neutral" },
  INSTALLING: { label: "Устанавливается…", tone: "warn" },
  INSTALLED: { label: "Установлен", tone: "ok" },
  FAILED: { label: "Не установлен", tone: "danger" },
  REMOVED: { label: "Удалён вместе с приложением", tone: "neutral" },
};

type Props = {
  gateway: PaymentMethodView;
  manual: ManualSetupValues;
  /** The legal form saved now: a wallet has no «Секретный ключ» to use as the «Пароль». */
  legalForm: "ORGANIZATION" | "INDIVIDUAL";
  /**
   * The «Подключить способ оплаты» control (the payment engineer's GatewayConnectButton). It shows the
   * state and the last error itself, so this section shows them only when no control is given.
   */
  connectControl?: ReactNode;
};

export function PaymentMethodSection({ gateway, manual, legalForm, connectControl }: Props) {
  const state = STATE[gateway.state];
  return (
    <SectionCard
      id="payment-method"
      title="Способ оплаты в InSales"
      description="Приложение может само создать «Внешний способ оплаты» в магазине и привязать его ко всем способам доставки."
    >
      {connectControl ?? (
        <div className={styles.gatewayState}>
          <p>
            Состояние: <Badge tone={state.tone}>{state.label}</Badge>
          </p>
          {gateway.state === "FAILED" && gateway.lastError ? (
            <p role="alert" className={styles.errorText}>
              {gateway.lastError}
            </p>
          ) : null}
        </div>
      )}
      {gateway.gatewayId ? <p>Номер способа оплаты в InSales: {gateway.gatewayId}</p> : null}
      <p data-testid="widget-state">
        Блок IntellectMoney на странице заказа в InSales: <Badge tone={WIDGET[gateway.widget.state].tone}>{WIDGET[gateway.widget.state].label}</Badge>
      </p>
      {gateway.widget.state === "FAILED" && gateway.widget.lastError ? (
        <p role="alert" className={styles.errorText}>
          {gateway.widget.lastError}
        </p>
      ) : null}

      <h3 className={styles.subTitle}>Настройка вручную</h3>
      <p className={styles.muted}>
        Если вы создаёте способ оплаты сами («Настройки → Способы оплаты → Внешний способ оплаты»), укажите:
      </p>
      {!manual.serviceIsHttps ? (
        <p role="alert" className={styles.warning}>
          Сервис приложения сейчас открыт не по https. InSales принимает только адрес https://, а при адресе
          http:// браузеры Safari и Firefox предупреждают покупателя о небезопасном соединении. Попросите
          администратора приложения настроить https.
        </p>
      ) : null}
      <dl className={styles.values}>
        <dt>URL внешнего сервиса</dt>
        <dd>
          <code>{manual.url}</code>
        </dd>
        <dt>Идентификатор магазина</dt>
        <dd>
          <code>{manual.shopIdentifier}</code>
        </dd>
        <dt>Пароль</dt>
        <dd>
          {legalForm === "ORGANIZATION" ? (
            <>
              Ваш «Секретный ключ» IntellectMoney — тот же, что в настройках выше (так в исходной инструкции
              IntellectMoney). Здесь он не показывается.
            </>
          ) : (
            <>
              Для физического лица секретного ключа нет, поэтому вручную способ оплаты не настроить: используйте
              кнопку подключения выше.
            </>
          )}
        </dd>
      </dl>
    </SectionCard>
  );
}
