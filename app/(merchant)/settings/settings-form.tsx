"use client";
// The settings form (the merchant's settings screen; what to set on IntellectMoney's side:
// docs/protocols/intellectmoney.md §8). Validated in the browser with the same zod
// schema the server action uses; the server's field errors are shown next to the same fields.
import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";
import { Controller, useForm, useWatch, type Resolver } from "react-hook-form";
import { CheckboxField } from "@/components/checkbox-field";
import { FormField, describedBy } from "@/components/form-field";
import { SectionCard } from "@/components/section-card";
import { MAIL_KINDS, mailKindCheckboxLabel } from "@/lib/mail/kinds";
import {
  HOLD_HOURS_DEFAULT,
  KNOWN_PAYMENT_METHODS,
  LIFETIME_DAYS_DEFAULT_HOLD,
  LIFETIME_DAYS_MAX_HOLD,
  LIFETIME_DAYS_MAX_NO_HOLD,
  parsePaymentMethodCodes,
  type SettingsFieldErrors,
  type SettingsFormValues,
} from "@/lib/shops/settings-fields";
import type { LoadedSettingsForm } from "@/lib/shops/settings-store";
import { saveSettingsAction } from "./actions";
import { CabinetSetup } from "./cabinet-setup";
import { MerchantApiSection } from "./merchant-api-section";
import { SecretField } from "./secret-field";
import { WalletSection } from "./wallet-section";
import styles from "./settings.module.css";

// The schema and zod are loaded on demand (first validation, or right after the page is interactive, see
// preloadSchema): they are ~50 kB gzip, a third of the page's first-load budget (docs/PERFORMANCE.md).
// raw: the action gets the form's own values (strings), and re-validates them with the schema. The form
// holds both legal forms' fields (SettingsFormValues); the schema's union picks the chosen one.
let loadedResolver: Promise<Resolver<SettingsFormValues>> | null = null;
function preloadSchema(): Promise<Resolver<SettingsFormValues>> {
  loadedResolver ??= Promise.all([import("@hookform/resolvers/zod"), import("@/lib/shops/settings-schema")]).then(
    ([{ zodResolver }, { settingsSchema }]) => zodResolver(settingsSchema, undefined, { raw: true }) as unknown as Resolver<SettingsFormValues>,
  );
  loadedResolver.catch(() => (loadedResolver = null)); // a failed chunk load is retried on the next validation
  return loadedResolver;
}
const resolver: Resolver<SettingsFormValues> = async (values, context, options) => (await preloadSchema())(values, context, options);

const FIELD_NAMES: ReadonlyArray<keyof SettingsFormValues> = [
  "legalForm", "eshopId", "secretKey", "secretKeySaved", "testMode", "preference", "holdMode", "invoiceLifetimeDays",
  "holdHours", "markPaidOnHold", "apiToken", "apiTokenSaved", "apiTokenClear", "signSecret", "signSecretSaved", "signSecretClear",
  "receiptsEnabled", "receiptInn", "receiptGroup", "receiptVatGoods", "receiptVatDelivery", "receiptSubjectType", "receiptMethodType",
  "walletFormId", "walletLogin", "walletSecretKey", "walletSecretKeySaved", "walletSecretKeyClear", "mailKinds", "notifyEmail",
];

/** `resultUrl`: our Result URL for this shop (with `?shop=`), shown for the IntellectMoney account. */
const SECRET_KEY_HINT = {
  stored: "Оставьте поле пустым, чтобы не менять ключ.",
  empty: "Задаётся в личном кабинете IntellectMoney: «Магазины» → ваш магазин → «Подключение магазина»; по умолчанию он не задан. Хранится здесь в зашифрованном виде и больше не показывается.",
};

export function SettingsForm({ initial, resultUrl }: { initial: LoadedSettingsForm; resultUrl: string }) {
  const router = useRouter();
  const [secretKeyMask, setSecretKeyMask] = useState(initial.secretKeyMask);
  const [apiMasks, setApiMasks] = useState({ apiToken: initial.apiTokenMask, signSecret: initial.signSecretMask });
  const [walletSecretKeyMask, setWalletSecretKeyMask] = useState(initial.walletSecretKeyMask);
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const {
    register,
    control,
    handleSubmit,
    reset,
    setError,
    trigger,
    formState: { errors, isSubmitted },
  } = useForm<SettingsFormValues>({ resolver, defaultValues: initial.values, mode: "onSubmit", reValidateMode: "onChange" });

  useEffect(() => {
    void preloadSchema().catch(() => undefined);
  }, []);

  const legalForm = useWatch({ control, name: "legalForm" });
  const holdMode = useWatch({ control, name: "holdMode" });
  const receiptsEnabled = useWatch({ control, name: "receiptsEnabled" });
  const organization = legalForm === "ORGANIZATION";
  const hold = holdMode === "HOLD";

  const onSubmit = (values: SettingsFormValues) => {
    setSaved(false);
    setFormError(null);
    startTransition(async () => {
      const result = await saveSettingsAction(values);
      if (result.ok) {
        reset(result.form.values);
        setSecretKeyMask(result.form.secretKeyMask);
        setApiMasks({ apiToken: result.form.apiTokenMask, signSecret: result.form.signSecretMask });
        setWalletSecretKeyMask(result.form.walletSecretKeyMask);
        setSaved(true);
        router.refresh(); // the header's «Тестовый режим» badge and the payment method section
        return;
      }
      showServerErrors(result.fieldErrors);
    });
  };

  const showServerErrors = (fieldErrors: SettingsFieldErrors) => {
    let focused = false;
    for (const [name, message] of Object.entries(fieldErrors)) {
      if (!message) continue;
      if (name !== "form" && (FIELD_NAMES as readonly string[]).includes(name)) {
        setError(name as keyof SettingsFormValues, { type: "server", message }, { shouldFocus: !focused });
        focused = true;
      } else {
        setFormError(message);
      }
    }
    if (!focused && Object.keys(fieldErrors).length === 0) setFormError("Не удалось сохранить настройки");
  };

  /** After the first submit, fields whose rules depend on another field are re-checked with it. */
  const recheck = (...names: Array<keyof SettingsFormValues>) => {
    if (isSubmitted) void trigger(names);
  };

  const err = (name: keyof SettingsFormValues) => errors[name]?.message;

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate aria-label="Настройки IntellectMoney">
      <SectionCard id="legal-form" title="Организационно-правовая форма">
        <fieldset className={styles.group}>
          <legend className={styles.visuallyHidden}>Организационно-правовая форма</legend>
          <span className={styles.radio}>
            <input id="legalFormOrganization" type="radio" value="ORGANIZATION" {...register("legalForm")} />
            <label htmlFor="legalFormOrganization">Юридическое лицо</label>
          </span>
          <span className={styles.radio}>
            <input id="legalFormIndividual" type="radio" value="INDIVIDUAL" {...register("legalForm")} />
            <label htmlFor="legalFormIndividual">Физическое лицо</label>
          </span>
        </fieldset>
      </SectionCard>

      {organization ? (
        // Keys: without them React reuses the same <input> elements for the other form's fields.
        <SectionCard key="organization" id="organization" title="Магазин в IntellectMoney" description="Данные магазина из личного кабинета IntellectMoney.">
          <FormField id="eshopId" label="Номер магазина" error={err("eshopId")}>
            <input id="eshopId" type="text" inputMode="numeric" autoComplete="off" {...register("eshopId")} {...describedBy("eshopId", { error: err("eshopId") })} />
          </FormField>

          <SecretField id="secretKey" label="Секретный ключ" mask={secretKeyMask} error={err("secretKey")} hint={SECRET_KEY_HINT} register={register} />

          <CabinetSetup resultUrl={resultUrl} />

          <CheckboxField
            id="testMode"
            label="Тестовый режим"
            note="Счета выставляются в тестовой валюте TST вместо RUB. Списание, отмена холдирования и возврат и в тестовом режиме требуют API-токена и ключа подписи (раздел «Merchant API и чеки»): тестовый доступ IntellectMoney их не даёт."
            {...register("testMode")}
          />

          <Controller
            control={control}
            name="preference"
            render={({ field, fieldState }) => (
              <PaymentMethodsInput value={field.value} onChange={field.onChange} onBlur={field.onBlur} error={fieldState.error?.message} />
            )}
          />

          <FormField
            id="holdMode"
            label="Режим холдирования"
            error={err("holdMode")}
            hint="Холдирование работает, только пока в личном кабинете включена «Принимать только уникальный номер покупки» (см. выше)."
          >
            <select
              id="holdMode"
              {...register("holdMode", { onChange: () => recheck("invoiceLifetimeDays", "holdHours") })}
              {...describedBy("holdMode", { error: err("holdMode"), hint: true })}
            >
              <option value="HOLD">Холдировать счёт</option>
              <option value="NO_HOLD">Не холдировать счёт</option>
              <option value="CABINET">Задано в личном кабинете</option>
            </select>
          </FormField>

          <FormField
            id="invoiceLifetimeDays"
            label="Срок жизни счёта (в днях)"
            error={err("invoiceLifetimeDays")}
            hint={
              hold
                ? `От 1 до ${LIFETIME_DAYS_MAX_HOLD} дней; если не указан — ${LIFETIME_DAYS_DEFAULT_HOLD} дня.`
                : `От 1 до ${LIFETIME_DAYS_MAX_NO_HOLD} дней (4319 часов); если не указан — наибольший.`
            }
          >
            <input
              id="invoiceLifetimeDays"
              type="text"
              inputMode="numeric"
              autoComplete="off"
              placeholder={hold ? String(LIFETIME_DAYS_DEFAULT_HOLD) : String(LIFETIME_DAYS_MAX_NO_HOLD)}
              {...register("invoiceLifetimeDays")}
              {...describedBy("invoiceLifetimeDays", { error: err("invoiceLifetimeDays"), hint: true })}
            />
          </FormField>

          {hold ? (
            <FormField id="holdHours" label="Срок холдирования денежных средств (в часах)" error={err("holdHours")} hint={`От 1 до 119 часов; если не указан — ${HOLD_HOURS_DEFAULT}.`}>
              <input
                id="holdHours"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                placeholder={String(HOLD_HOURS_DEFAULT)}
                {...register("holdHours")}
                {...describedBy("holdHours", { error: err("holdHours"), hint: true })}
              />
            </FormField>
          ) : null}

          {/* With «Задано в личном кабинете» the cabinet may hold too, so the choice stays available there. */}
          {holdMode !== "NO_HOLD" ? (
            <CheckboxField
              id="markPaidOnHold"
              label="Отмечать заказ оплаченным при холдировании"
              note="InSales знает только «оплачен / не оплачен»: без этой отметки заказ станет оплаченным после списания удержанных денег."
              {...register("markPaidOnHold")}
            />
          ) : null}
        </SectionCard>
      ) : (
        <WalletSection key="individual" register={register} err={err} walletSecretKeyMask={walletSecretKeyMask} />
      )}

      {organization ? (
        <MerchantApiSection
          register={register}
          err={err}
          apiTokenMask={apiMasks.apiToken}
          signSecretMask={apiMasks.signSecret}
          receiptsEnabled={receiptsEnabled}
          recheck={recheck}
        />
      ) : null}

      <SectionCard id="mails" title="Почтовые уведомления">
        <Controller
          control={control}
          name="mailKinds"
          render={({ field, fieldState }) => (
            <fieldset className={styles.group}>
              <legend className={styles.visuallyHidden}>Какие письма отправлять</legend>
              {MAIL_KINDS.map((kind) => (
                <CheckboxField
                  key={kind.number}
                  id={`mailKind${kind.number}`}
                  label={mailKindCheckboxLabel(kind)}
                  note={kind.note ?? (kind.recipient === "shop" ? "Письмо магазину" : "Письмо покупателю")}
                  checked={field.value.includes(kind.number)}
                  onBlur={field.onBlur}
                  onChange={(e) => {
                    const next = e.target.checked ? [...field.value, kind.number] : field.value.filter((n) => n !== kind.number);
                    field.onChange(next.sort((a, b) => a - b));
                    recheck("notifyEmail");
                  }}
                />
              ))}
              {fieldState.error?.message ? (
                <p role="alert" className={styles.formError}>
                  {fieldState.error.message}
                </p>
              ) : null}
            </fieldset>
          )}
        />
        <FormField id="notifyEmail" label="E-mail магазина для уведомлений" error={err("notifyEmail")} hint="Сюда приходят письма для магазина.">
          <input id="notifyEmail" type="email" autoComplete="email" {...register("notifyEmail")} {...describedBy("notifyEmail", { error: err("notifyEmail"), hint: true })} />
        </FormField>
      </SectionCard>

      <div className={styles.actions}>
        <button type="submit" className={styles.primary} disabled={pending}>
          Сохранить
        </button>
        {pending ? <span className={styles.muted}>Сохраняем…</span> : null}
        <span role="status" aria-live="polite">
          {saved && !pending ? <span className={styles.success}>Настройки сохранены</span> : null}
        </span>
        {formError ? (
          <p role="alert" className={styles.formError}>
            {formError}
          </p>
        ) : null}
        {!formError && isSubmitted && Object.keys(errors).length > 0 ? (
          <p className={styles.formError}>Проверьте поля, отмеченные выше</p>
        ) : null}
      </div>
    </form>
  );
}

/**
 * «Список видов оплаты»: one ordered list (the order on the payment page). The text input is the list
 * itself, comma separated, so any code can be typed (docs/protocols/intellectmoney.md §5: the list is not
 * published in full); the checkboxes add or remove the known codes at the end of it.
 */
function PaymentMethodsInput({
  value,
  onChange,
  onBlur,
  error,
}: {
  value: string[];
  onChange: (codes: string[]) => void;
  onBlur: () => void;
  error?: string;
}) {
  // The text is kept as typed (a trailing comma while typing must not vanish); the list is parsed from it.
  const [text, setText] = useState(value.join(", "));
  const setCodes = (codes: string[]) => {
    setText(codes.join(", "));
    onChange(codes);
  };
  return (
    <fieldset className={styles.group}>
      <FormField
        id="preference"
        label="Список видов оплаты"
        error={error}
        hint="Коды через запятую, в порядке показа на странице оплаты. Пусто — все виды оплаты, включённые в личном кабинете."
      >
        <input
          id="preference"
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            onChange(parsePaymentMethodCodes(e.target.value));
          }}
          onBlur={onBlur}
          {...describedBy("preference", { error, hint: true })}
        />
      </FormField>
      <div className={styles.methods}>
        {KNOWN_PAYMENT_METHODS.map((m) => (
          <CheckboxField
            key={m.code}
            id={`preference-${m.code}`}
            label={`${m.label} (${m.code})`}
            checked={value.includes(m.code)}
            onChange={(e) => setCodes(e.target.checked ? [...value, m.code] : value.filter((c) => c !== m.code))}
          />
        ))}
      </div>
    </fieldset>
  );
}
