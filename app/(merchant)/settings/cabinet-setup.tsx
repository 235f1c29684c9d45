"use client";
// «Что настроить в личном кабинете IntellectMoney» (docs/protocols/intellectmoney.md §8): what the merchant
// sets on IntellectMoney's side for an organization's shop, next to the fields it concerns (the shop number
// and key). What the vendor's pages say is stated as fact; what is our reading is worded as advice.
// - Result URL: every invoice carries ours (§1), so the account's field is optional; if it is filled, it
//   should be ours (with the shop parameter), copyable.
// - «Уведомления»: only enabled events are sent (§3, §8), so all six are named.
// - «Принимать только уникальный номер покупки»: on by default; hold and the Merchant API's look-up by
//   order number need it (§1, §4).
import { useState } from "react";
import styles from "./settings.module.css";

type CopyState = "idle" | "copied" | "failed";

export function CabinetSetup({ resultUrl }: { resultUrl: string }) {
  const [copy, setCopy] = useState<CopyState>("idle");
  const copyUrl = async () => {
    try {
      await navigator.clipboard.writeText(resultUrl);
      setCopy("copied");
    } catch {
      // No clipboard (an insecure page, a refused permission): the address is selectable as a whole.
      setCopy("failed");
    }
  };
  return (
    <div className={styles.explain} data-testid="cabinet-setup" aria-labelledby="cabinet-setup-title" role="group">
      <h3 id="cabinet-setup-title" className={styles.explainTitle}>
        Что настроить в личном кабинете IntellectMoney
      </h3>
      <p>
        <strong>Уведомления.</strong> IntellectMoney сообщает об оплате, только если событие включено на вкладке «Уведомления» настроек магазина.
        Включите все шесть: создание счёта, оплата, частичная оплата, холдирование, отмена, возврат. Без них приложение не узнает об оплате
        и заказ в InSales не станет оплаченным.
      </p>
      <p>
        <strong>Result URL</strong> (вкладка «Подключение магазина») — необязательно: приложение передаёт свой адрес в каждом счёте. Если
        поле заполнено, укажите в нём этот адрес:
      </p>
      <p className={styles.copyRow}>
        <code id="cabinet-result-url" className={styles.copyValue}>
          {resultUrl}
        </code>
        <button type="button" className={styles.secondary} onClick={copyUrl} aria-describedby="cabinet-result-url">
          Копировать
        </button>
        <span role="status" aria-live="polite" className={styles.copyStatus}>
          {copy === "copied" ? "Скопировано" : copy === "failed" ? "Не удалось скопировать: выделите адрес и нажмите Ctrl+C" : ""}
        </span>
      </p>
      <p>
        <strong>«Принимать только уникальный номер покупки»</strong> (там же, дополнительные настройки) включена по умолчанию — не
        выключайте её: она нужна для холдирования и для кнопок «Списать», «Отменить холдирование», «Вернуть» (они находят счёт по
        номеру покупки).
      </p>
    </div>
  );
}
