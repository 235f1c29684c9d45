"use client";
// «Кошелёк в IntellectMoney» (docs/protocols/intellectmoney.md §2): the payment form, the recipient's
// account number or login e-mail, and the form's optional «Секретный ключ». The key is what lets the app tell
// IntellectMoney's notifications from forged ones, so the screen says plainly what happens with and
// without it. Like every secret here: never shown again, masked, kept when the field is left empty.
import type { UseFormRegister } from "react-hook-form";
import { FormField, describedBy } from "@/components/form-field";
import { SectionCard } from "@/components/section-card";
import type { SettingsFormValues } from "@/lib/shops/settings-fields";
import { SecretField } from "./secret-field";
import styles from "./settings.module.css";

type Props = {
  register: UseFormRegister<SettingsFormValues>;
  err: (name: keyof SettingsFormValues) => string | undefined;
  walletSecretKeyMask: string;
};

const WALLET_KEY_HINT = { stored: "Оставьте поле пустым, чтобы не менять ключ.", empty: "Необязательно, но рекомендуется. Хранится в зашифрованном виде и больше не показывается." };
const WALLET_KEY_CLEAR = {
  name: "walletSecretKeyClear",
  label: "Удалить сохранённый секретный ключ",
  note: "Удаляется при сохранении, если поле выше пустое. Без ключа каждое уведомление об оплате придётся подтверждать вручную.",
} as const;

export function WalletSection({ register, err, walletSecretKeyMask: mask }: Props) {
  return (
    <SectionCard id="individual" title="Кошелёк в IntellectMoney" description="Оплата поступает в ваш кошелёк IntellectMoney через заранее созданную форму оплаты.">
      <FormField id="walletFormId" label="ID формы" error={err("walletFormId")}>
        <input id="walletFormId" type="text" inputMode="numeric" autoComplete="off" {...register("walletFormId")} {...describedBy("walletFormId", { error: err("walletFormId") })} />
      </FormField>
      {/* docs/protocols/intellectmoney.md §2: IntellectMoney's modules send the 10-digit account number in
          UserField_0; the login e-mail is still taken. type="text": a number is no e-mail. */}
      <FormField
        id="walletLogin"
        label="Номер личного кабинета или e-mail для входа"
        error={err("walletLogin")}
        hint="Номер личного кабинета IntellectMoney — 10 цифр; его передают в IntellectMoney модули самой IntellectMoney, поэтому он надёжнее. Можно указать и e-mail, с которым вы входите в личный кабинет."
      >
        <input id="walletLogin" type="text" autoComplete="off" spellCheck={false} {...register("walletLogin")} {...describedBy("walletLogin", { error: err("walletLogin"), hint: true })} />
      </FormField>

      <SecretField id="walletSecretKey" label="Секретный ключ" mask={mask} error={err("walletSecretKey")} hint={WALLET_KEY_HINT} register={register} clear={WALLET_KEY_CLEAR} />

      <div className={styles.explain} data-testid="wallet-key-explained">
        <p>
          <strong>Зачем ключ.</strong> Этим ключом IntellectMoney подписывает уведомления об оплате. С ключом приложение проверяет подпись каждого уведомления так
          же, как для юридического лица, и сразу сообщает InSales, что заказ оплачен.
        </p>
        <p>
          <strong>Где его взять.</strong> Это тот же «Секретный ключ», который IntellectMoney просит указать в своих модулях для CMS при приёме оплаты в
          кошелёк физического лица. Где именно он показывается в личном кабинете, в открытой документации IntellectMoney не сказано: посмотрите настройки
          формы приёма переводов с указанным выше ID, а если ключа там нет — спросите поддержку IntellectMoney.
        </p>
        <p>
          <strong>Без ключа.</strong> Все поля уведомления, кроме подписи, покупатель видит в форме оплаты и может подделать. Поэтому без ключа приложение
          ничего не меняет по такому уведомлению: платёж получает отметку «Требует подтверждения», вам приходит письмо (уведомление об ошибке при создании СКО
          для магазина, если оно включено ниже) и запись в «Требует внимания» в журнале. Сверьте оплату в личном кабинете IntellectMoney и нажмите
          «Подтвердить» или «Отклонить» на карточке платежа. Пока вы не подтвердили оплату, заказ в InSales не отмечается оплаченным.
        </p>
      </div>
    </SectionCard>
  );
}
