// The settings screen's one schema (docs/PRODUCT.md «The settings screen», docs/ARCHITECTURE.md
// convention 11): react-hook-form validates with it in the browser and the server action re-validates with
// it. Input = what the form holds (text inputs give strings); output = what ShopSettings stores.
// Every message is Russian: the merchant reads it next to the field.
import { z } from "zod";
import {
  RECEIPT_METHOD_TYPES,
  RECEIPT_SUBJECT_TYPES,
  RECEIPT_TAX_CODES,
  isReceiptCode,
  type ReceiptCode,
} from "../intellectmoney/receipt-codes";
import { MAIL_KIND_NUMBERS, isShopAddressedKind } from "../mail/kinds";
import { innProblem } from "./settings-inn";
import { HOLD_HOURS_MAX, HOLD_MODES, LIFETIME_DAYS_MAX_HOLD, LIFETIME_DAYS_MAX_NO_HOLD, PAYMENT_METHOD_CODE, type SettingsFieldErrors } from "./settings-fields";

export * from "./settings-fields";


const MAX_EMAIL_LENGTH = 254;
const emailShape = z.email();

function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && emailShape.safeParse(value).success;
}

/** The wallet's account number: exactly 10 digits, as IntellectMoney's library validates it (§2). */
export const WALLET_ACCOUNT_NUMBER = /^\d{10}$/;

/** Why a wallet account value is refused, in Russian; null when it is a 10-digit number or an e-mail. */
function walletAccountProblem(value: string): string | null {
  if (value === "") return "Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет";
  if (WALLET_ACCOUNT_NUMBER.test(value)) return null;
  if (/^\d+$/.test(value)) return `Номер личного кабинета — ровно 10 цифр, а здесь ${value.length}`;
  if (/^[\d\s()+-]+$/.test(value)) return "Номер личного кабинета — 10 цифр подряд, без пробелов и других знаков";
  if (value.includes("@")) return isEmail(value) ? null : "Неверный e-mail";
  return "Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет";
}

/** A whole number typed into a text input: "" = not set (null), anything else must be digits. */
const optionalWholeNumber = z
  .string()
  .trim()
  .max(6, "Слишком большое число")
  .regex(/^\d*$/, "Введите целое число")
  .transform((v) => (v === "" ? null : Number(v)));

/**
 * Cross-field rules run even when a field already failed, so every error shows at once (zod skips
 * refinements after some failures unless `when` says otherwise). They must then cope with raw values.
 */
const ALWAYS = { when: () => true };

/** «E-mail магазина для уведомлений» is required when any letter to the shop is on. */
function requireNotifyEmailForShopMails(v: { mailKinds: unknown; notifyEmail: unknown }, ctx: z.RefinementCtx) {
  const kinds = Array.isArray(v.mailKinds) ? v.mailKinds : [];
  const email = typeof v.notifyEmail === "string" ? v.notifyEmail.trim() : "";
  if (email === "" && kinds.some((k) => typeof k === "number" && isShopAddressedKind(k))) {
    ctx.addIssue({ code: "custom", path: ["notifyEmail"], message: "Укажите e-mail магазина: включены письма для магазина" });
  }
}

const mailFields = {
  mailKinds: z
    .array(z.number().int().refine((n) => MAIL_KIND_NUMBERS.includes(n), "Неизвестное уведомление"))
    .max(MAIL_KIND_NUMBERS.length * 2)
    .transform((kinds) => [...new Set(kinds)].sort((a, b) => a - b)),
  notifyEmail: z
    .string()
    .trim()
    .refine((v) => v === "" || isEmail(v), "Неверный e-mail")
    .transform((v) => (v === "" ? null : v)),
};

/**
 * What a save does to a stored secret: a typed value replaces it; an empty field keeps it; the «Удалить»
 * checkbox next to a saved one removes it (a typed value wins over the checkbox).
 */
export type SecretChange = { kind: "keep" } | { kind: "clear" } | { kind: "set"; value: string };

function secretChange(typed: string, clear: boolean): SecretChange {
  if (typed !== "") return { kind: "set", value: typed };
  return clear ? { kind: "clear" } : { kind: "keep" };
}

/** Whether a secret is there after the save (the `*Saved` flags come from the database on the server). */
function secretAfterSave(typed: unknown, saved: unknown, clear: unknown): boolean {
  return (typeof typed === "string" && typed.trim() !== "") || (saved === true && clear !== true);
}

/** A select of §6 codes: "" = not chosen (null), else one of the list's codes. */
function receiptCodeField(list: ReadonlyArray<ReceiptCode>) {
  return z
    .string()
    .trim()
    .max(3, "Выберите значение из списка")
    .refine((v) => v === "" || (/^\d+$/.test(v) && isReceiptCode(list, Number(v))), "Выберите значение из списка")
    .transform((v) => (v === "" ? null : Number(v)));
}

/** The receipts the settings ask for (docs/protocols/intellectmoney.md §6); only when they are on. */
export type ReceiptSettingsOutput =
  | { enabled: false }
  | { enabled: true; inn: string; group: string | null; vatGoods: number; vatDelivery: number; subjectType: number; methodType: number };

/** The Merchant API pair and the 54-ФЗ receipts (issue 7): organizations only. */
const merchantApiAndReceiptFields = {
  /** «API-токен»: sent as `Authorization: Bearer <token>` (§4), so no spaces or control characters. */
  apiToken: z
    .string()
    .trim()
    .max(512, "Слишком длинный токен")
    .regex(/^[\x21-\x7e]*$/, "Токен — латинские буквы, цифры и знаки, без пробелов"),
  apiTokenSaved: z.boolean(),
  apiTokenClear: z.boolean(),
  /** «Ключ подписи (signSecretKey)»: the last segment of the `Sign` SHA-256 (§4). */
  signSecret: z.string().trim().max(256, "Слишком длинный ключ"),
  signSecretSaved: z.boolean(),
  signSecretClear: z.boolean(),
  receiptsEnabled: z.boolean(),
  receiptInn: z.string().trim().max(12, "ИНН — 10 или 12 цифр"),
  /** Optional: empty = the account's default group (docs/protocols/intellectmoney.md §6). */
  receiptGroup: z
    .string()
    .trim()
    .max(64, "Не длиннее 64 символов")
    .regex(/^[^\u0000-\u001f\u007f]*$/, "Без управляющих символов"),
  receiptVatGoods: receiptCodeField(RECEIPT_TAX_CODES),
  receiptVatDelivery: receiptCodeField(RECEIPT_TAX_CODES),
  receiptSubjectType: receiptCodeField(RECEIPT_SUBJECT_TYPES),
  receiptMethodType: receiptCodeField(RECEIPT_METHOD_TYPES),
};


/** Both Merchant API secrets or neither: a request with only one of them is refused by the API (§4). */
function merchantApiIssues(v: Record<string, unknown>, ctx: z.RefinementCtx) {
  const token = secretAfterSave(v.apiToken, v.apiTokenSaved, v.apiTokenClear);
  const sign = secretAfterSave(v.signSecret, v.signSecretSaved, v.signSecretClear);
  if (token && !sign) ctx.addIssue({ code: "custom", path: ["signSecret"], message: "Укажите ключ подписи: без него Merchant API не примет токен" });
  if (sign && !token) ctx.addIssue({ code: "custom", path: ["apiToken"], message: "Укажите API-токен: без него Merchant API не примет ключ подписи" });
}

/** With «Фискальные чеки (54-ФЗ)» on every receipt field but «Группа касс» is required; off, they are neither
 * checked nor saved. */
function receiptIssues(v: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (v.receiptsEnabled !== true) return;
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  const inn = typeof v.receiptInn === "string" ? v.receiptInn.trim() : "";
  if (inn === "") issue("receiptInn", "Укажите ИНН");
  else if (innProblem(inn) === "shape") issue("receiptInn", "ИНН — 10 или 12 цифр");
  else if (innProblem(inn) === "checksum") issue("receiptInn", "Неверный ИНН: не сходится контрольное число");
  if (v.receiptVatGoods === null) issue("receiptVatGoods", "Выберите НДС для товаров");
  if (v.receiptVatDelivery === null) issue("receiptVatDelivery", "Выберите НДС для доставки");
  if (v.receiptSubjectType === null) issue("receiptSubjectType", "Выберите признак предмета расчёта");
  if (v.receiptMethodType === null) issue("receiptMethodType", "Выберите признак способа расчёта");
}

const organization = z
  .object({
    legalForm: z.literal("ORGANIZATION"),
    eshopId: z.string().trim().min(1, "Укажите номер магазина").regex(/^\d{1,6}$/, "Только цифры, не больше 6"),
    /** "" with a key already saved = keep the saved one. */
    secretKey: z.string().trim().max(256, "Слишком длинный ключ"),
    /**
     * Whether a key is stored already. Only a hint in the browser; the server overwrites it from the
     * database before validating (lib/shops/settings-store.ts), so a forged `true` cannot skip the key.
     */
    secretKeySaved: z.boolean(),
    testMode: z.boolean(),
    preference: z.array(z.string().trim()).max(32, "Не больше 32 видов оплаты"),
    holdMode: z.enum(HOLD_MODES, "Выберите режим холдирования"),
    invoiceLifetimeDays: optionalWholeNumber,
    holdHours: optionalWholeNumber,
    markPaidOnHold: z.boolean(),
    ...merchantApiAndReceiptFields,
    ...mailFields,
  })
  .superRefine((v, ctx) => {
    if (v.secretKey === "" && !v.secretKeySaved) {
      ctx.addIssue({ code: "custom", path: ["secretKey"], message: "Укажите секретный ключ" });
    }
    if (Array.isArray(v.preference)) preferenceIssues(v.preference).forEach((message) => ctx.addIssue({ code: "custom", path: ["preference"], message }));
    // After a failed field check zod hands over the raw string; only numbers are range-checked here.
    const days = v.invoiceLifetimeDays;
    if (typeof days === "number") {
      if (days < 1) ctx.addIssue({ code: "custom", path: ["invoiceLifetimeDays"], message: "Не меньше 1 дня" });
      else if (v.holdMode === "HOLD" && days > LIFETIME_DAYS_MAX_HOLD) {
        ctx.addIssue({ code: "custom", path: ["invoiceLifetimeDays"], message: "С холдированием срок жизни счёта — не больше 5 дней" });
      } else if (days > LIFETIME_DAYS_MAX_NO_HOLD) {
        ctx.addIssue({ code: "custom", path: ["invoiceLifetimeDays"], message: "Не больше 179 дней" });
      }
    }
    // The hold time is sent only with holdMode=1 (§1), so it is checked only then.
    if (v.holdMode === "HOLD" && typeof v.holdHours === "number" && (v.holdHours < 1 || v.holdHours > HOLD_HOURS_MAX)) {
      ctx.addIssue({ code: "custom", path: ["holdHours"], message: "От 1 до 119 часов" });
    }
    merchantApiIssues(v, ctx);
    receiptIssues(v, ctx);
    requireNotifyEmailForShopMails(v, ctx);
  }, ALWAYS)
  .transform((v) => ({
    legalForm: v.legalForm,
    eshopId: v.eshopId,
    /** null = keep the saved key. */
    secretKey: v.secretKey === "" ? null : v.secretKey,
    testMode: v.testMode,
    preference: v.preference,
    holdMode: v.holdMode,
    invoiceLifetimeDays: v.invoiceLifetimeDays,
    holdHours: v.holdMode === "HOLD" ? v.holdHours : null,
    // A hold can happen with «Задано в личном кабинете» too (the cabinet decides), never with «Не холдировать».
    markPaidOnHold: v.holdMode === "NO_HOLD" ? false : v.markPaidOnHold,
    apiToken: secretChange(v.apiToken, v.apiTokenClear),
    signSecret: secretChange(v.signSecret, v.signSecretClear),
    receipts: receiptsOutput(v),
    mailKinds: v.mailKinds,
    notifyEmail: v.notifyEmail,
  }));

function receiptsOutput(v: {
  receiptsEnabled: boolean;
  receiptInn: string;
  receiptGroup: string;
  receiptVatGoods: number | null;
  receiptVatDelivery: number | null;
  receiptSubjectType: number | null;
  receiptMethodType: number | null;
}): ReceiptSettingsOutput {
  // receiptIssues has made every field present when the receipts are on.
  if (!v.receiptsEnabled) return { enabled: false };
  return {
    enabled: true,
    inn: v.receiptInn,
    // Empty: no group of ours, the account's default (§6).
    group: v.receiptGroup === "" ? null : v.receiptGroup,
    vatGoods: v.receiptVatGoods!,
    vatDelivery: v.receiptVatDelivery!,
    subjectType: v.receiptSubjectType!,
    methodType: v.receiptMethodType!,
  };
}

const individual = z
  .object({
    legalForm: z.literal("INDIVIDUAL"),
    walletFormId: z.string().trim().min(1, "Укажите ID формы").regex(/^\d{1,12}$/, "Только цифры, не больше 12"),
    /**
     * «Номер личного кабинета или e-mail»: the recipient IntellectMoney's modules send in `UserField_0` is the
     * 10-digit account number («Номер личного кабинета пользователя на сайте intellectmoney.ru», `^\d{10}$`);
     * the login e-mail is still taken (docs/protocols/intellectmoney.md §2; that an e-mail works there is
     * an assumption). Sent exactly as entered (trimmed).
     */
    walletLogin: z.string().trim().superRefine((v, ctx) => {
      const problem = walletAccountProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    /**
     * The wallet payment form's «Секретный ключ» (optional, docs/protocols/intellectmoney.md §2): with it
     * wallet notifications are verified by hash; without it each one waits for the merchant. "" keeps a
     * saved key; «Удалить» removes it.
     */
    walletSecretKey: z.string().trim().max(256, "Слишком длинный ключ"),
    walletSecretKeySaved: z.boolean(),
    walletSecretKeyClear: z.boolean(),
    ...mailFields,
  })
  .superRefine((v, ctx) => requireNotifyEmailForShopMails(v, ctx), ALWAYS)
  .transform((v) => ({
    legalForm: v.legalForm,
    walletFormId: v.walletFormId,
    walletLogin: v.walletLogin,
    walletSecretKey: secretChange(v.walletSecretKey, v.walletSecretKeyClear),
    mailKinds: v.mailKinds,
    notifyEmail: v.notifyEmail,
  }));

export const settingsSchema = z.discriminatedUnion("legalForm", [organization, individual], {
  error: "Выберите организационно-правовую форму",
});

export type SettingsFormInput = z.input<typeof settingsSchema>;
export type SettingsOutput = z.output<typeof settingsSchema>;


export function fieldErrorsOf(error: z.ZodError): SettingsFieldErrors {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : "form";
    out[key] ??= issue.message;
  }
  return out as SettingsFieldErrors;
}

/** Order is kept (it is the order on the payment page); each code once, each of the allowed shape. */
function preferenceIssues(codes: readonly string[]): string[] {
  const issues: string[] = [];
  const bad = codes.filter((c) => !PAYMENT_METHOD_CODE.test(c));
  if (bad.length > 0) {
    issues.push(`Неверный код «${bad[0].slice(0, 40)}»: только латинские строчные буквы, цифры и «_», до 32 символов`);
  }
  const seen = new Set<string>();
  const dup = codes.find((c) => (seen.has(c) ? true : (seen.add(c), false)));
  if (dup !== undefined) issues.push(`Вид оплаты «${dup.slice(0, 40)}» указан дважды`);
  return issues;
}

