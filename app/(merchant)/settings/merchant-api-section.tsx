"use client";
// «Merchant API и чеки» (issue 7; docs/protocols/intellectmoney.md §4, §6): the API token and sign key
// that «Списать» / «Отменить холдирование» / «Вернуть» need, and the 54-ФЗ receipt settings. Organizations
// only: a personal wallet has neither a Merchant API nor its own cash register.
// The secrets follow «Секретный ключ»: never shown again, masked, kept when the field is left empty; the
// «Удалить …» checkbox next to a saved one removes it on «Сохранить».
import type { UseFormRegister } from "react-hook-form";
import { CheckboxField } from "@/components/checkbox-field";
import { FormField, describedBy } from "@/components/form-field";
import { SectionCard } from "@/components/section-card";
import { RECEIPT_METHOD_TYPES, RECEIPT_SUBJECT_TYPES, RECEIPT_TAX_CODES, type ReceiptCode } from "@/lib/intellectmoney/receipt-codes";
import type { SettingsFormValues } from "@/lib/shops/settings-fields";
import { SecretField } from "./secret-field";

type Props = {
  register: UseFormRegister<SettingsFormValues>;
  err: (name: keyof SettingsFormValues) => string | undefined;
  apiTokenMask: string;
  signSecretMask: string;
  receiptsEnabled: boolean;
  /** Re-check fields whose rules depend on the one that changed (after the first submit). */
  recheck: (...names: Array<keyof SettingsFormValues>) => void;
};

const OPTIONAL_SECRET = { stored: "Оставьте поле пустым, чтобы не менять.", empty: "Необязательно. Хранится в зашифрованном виде и больше не показывается." };
const CLEAR_NOTE = "Удаляется при сохранении, если поле выше пустое.";
/** Both or neither (lib/shops/settings-schema.ts): a change to one re-checks the other. */
const API_SECRETS = [
  { id: "apiToken", label: "API-токен", clear: { name: "apiTokenClear", label: "Удалить сохранённый API-токен", note: CLEAR_NOTE } },
  { id: "signSecret", label: "Ключ подписи (signSecretKey)", clear: { name: "signSecretClear", label: "Удалить сохранённый ключ подписи", note: CLEAR_NOTE } },
] as const;

export function MerchantApiSection({ register, err, apiTokenMask, signSecretMask, receiptsEnabled, recheck }: Props) {
  const pair = () => recheck("apiToken", "signSecret");
  return (
    <SectionCard
      id="merchant-api"
      title="Merchant API и чеки"
      description="API-токен и ключ подписи выдаются в личном кабинете IntellectMoney, в разделе API. Они нужны для кнопок «Списать», «Отменить холдирование» и «Вернуть» в журнале платежей; без них счета всё равно выставляются."
    >
      {API_SECRETS.map((s) => (
        <SecretField key={s.id} {...s} mask={s.id === "apiToken" ? apiTokenMask : signSecretMask} error={err(s.id)} hint={OPTIONAL_SECRET} register={register} onChange={pair} />
      ))}

      <CheckboxField
        id="receiptsEnabled"
        label="Фискальные чеки (54-ФЗ)"
        note="Счёт передаёт в IntellectMoney чек с позициями заказа InSales и доставкой; сумма чека равна сумме счёта."
        {...register("receiptsEnabled", { onChange: () => recheck("receiptInn", "receiptGroup", "receiptVatGoods", "receiptVatDelivery", "receiptSubjectType", "receiptMethodType") })}
      />

      {receiptsEnabled ? (
        <>
          <FormField id="receiptInn" label="ИНН" error={err("receiptInn")} hint="ИНН организации (10 цифр) или ИП (12 цифр), на который зарегистрирована касса.">
            <input id="receiptInn" type="text" inputMode="numeric" autoComplete="off" {...register("receiptInn")} {...describedBy("receiptInn", { error: err("receiptInn"), hint: true })} />
          </FormField>
          <FormField id="receiptGroup" label="Группа касс" error={err("receiptGroup")} hint="Необязательно. Как в личном кабинете IntellectMoney; пустое поле — группа касс по умолчанию.">
            <input id="receiptGroup" type="text" autoComplete="off" {...register("receiptGroup")} {...describedBy("receiptGroup", { error: err("receiptGroup"), hint: true })} />
          </FormField>
          <CodeSelect id="receiptVatGoods" label="НДС для товаров" codes={RECEIPT_TAX_CODES} register={register} error={err("receiptVatGoods")} placeholder="Выберите ставку" />
          <CodeSelect id="receiptVatDelivery" label="НДС для доставки" codes={RECEIPT_TAX_CODES} register={register} error={err("receiptVatDelivery")} placeholder="Выберите ставку" />
          <CodeSelect id="receiptSubjectType" label="Признак предмета расчёта" codes={RECEIPT_SUBJECT_TYPES} register={register} error={err("receiptSubjectType")} hint="Для позиций заказа; доставка всегда «Услуга»." />
          <CodeSelect id="receiptMethodType" label="Признак способа расчёта" codes={RECEIPT_METHOD_TYPES} register={register} error={err("receiptMethodType")} />
        </>
      ) : null}
    </SectionCard>
  );
}

function CodeSelect({
  id,
  label,
  codes,
  register,
  error,
  hint,
  placeholder,
}: {
  id: "receiptVatGoods" | "receiptVatDelivery" | "receiptSubjectType" | "receiptMethodType";
  label: string;
  codes: ReadonlyArray<ReceiptCode>;
  register: UseFormRegister<SettingsFormValues>;
  error?: string;
  hint?: string;
  placeholder?: string;
}) {
  return (
    <FormField id={id} label={label} error={error} hint={hint}>
      <select id={id} {...register(id)} {...describedBy(id, { error, hint: Boolean(hint) })}>
        {placeholder ? <option value="">{placeholder}</option> : null}
        {codes.map((c) => (
          <option key={c.code} value={String(c.code)}>
            {c.label}
          </option>
        ))}
      </select>
    </FormField>
  );
}
