// The settings form's shape, limits and defaults, without zod: the client form imports these on first
// load, while the zod schema (settings-schema.ts, which re-exports all of this) is loaded only when the
// form first validates. Keeps zod (~50 kB gzip) out of /settings' first-load JavaScript
// (docs/PERFORMANCE.md, issue 6 target ≤ 150 kB).
import { DEFAULT_RECEIPT_METHOD_TYPE, DEFAULT_RECEIPT_SUBJECT_TYPE } from "../intellectmoney/receipt-codes";

/** docs/protocols/intellectmoney.md §5: the codes seen in modules; the list is not published in full. */
export const KNOWN_PAYMENT_METHODS: ReadonlyArray<{ code: string; label: string }> = [
  { code: "bankcard", label: "Банковская карта" },
  { code: "sbp", label: "СБП" },
  { code: "yandex", label: "ЮMoney" },
  { code: "sberbank", label: "SberPay" },
  { code: "webmoney", label: "WebMoney" },
  { code: "terminals", label: "Терминалы" },
  { code: "alfaclick", label: "Альфа-Клик" },
  { code: "inner", label: "Кошелёк IntellectMoney" },
  { code: "exchangers", label: "Обменные пункты" },
  { code: "transfers", label: "Денежные переводы" },
  { code: "bank", label: "Банковский перевод" },
];

/** Free entry is allowed (§5), but only codes of this shape reach the signed form. */
export const PAYMENT_METHOD_CODE = /^[a-z0-9_]{1,32}$/;

/** docs/protocols/intellectmoney.md §1 «Hold». */
export const LIFETIME_DAYS_MAX_HOLD = 5;
export const LIFETIME_DAYS_DEFAULT_HOLD = 3;
/** 4319 hours without hold: 179 whole days. */
export const LIFETIME_DAYS_MAX_NO_HOLD = 179;
export const HOLD_HOURS_MAX = 119;
export const HOLD_HOURS_DEFAULT = 119;

export const HOLD_MODES = ["HOLD", "NO_HOLD", "CABINET"] as const;
export const LEGAL_FORMS = ["ORGANIZATION", "INDIVIDUAL"] as const;

/**
 * What the form holds: both legal forms' fields at once, so switching the radio back and forth keeps what
 * was typed. The schema keeps only the chosen form's fields.
 */
export type SettingsFormValues = {
  legalForm: (typeof LEGAL_FORMS)[number];
  eshopId: string;
  secretKey: string;
  secretKeySaved: boolean;
  testMode: boolean;
  preference: string[];
  holdMode: (typeof HOLD_MODES)[number];
  invoiceLifetimeDays: string;
  holdHours: string;
  markPaidOnHold: boolean;
  apiToken: string;
  apiTokenSaved: boolean;
  apiTokenClear: boolean;
  signSecret: string;
  signSecretSaved: boolean;
  signSecretClear: boolean;
  receiptsEnabled: boolean;
  receiptInn: string;
  receiptGroup: string;
  /** §6 codes as the selects hold them: "" = not chosen. */
  receiptVatGoods: string;
  receiptVatDelivery: string;
  receiptSubjectType: string;
  receiptMethodType: string;
  walletFormId: string;
  walletLogin: string;
  /** The wallet payment form's «Секретный ключ» (optional): "" keeps a saved one. */
  walletSecretKey: string;
  walletSecretKeySaved: boolean;
  walletSecretKeyClear: boolean;
  mailKinds: number[];
  notifyEmail: string;
};

/** The values of a shop that has saved nothing yet. */
export function emptySettingsForm(notifyEmail = ""): SettingsFormValues {
  return {
    legalForm: "ORGANIZATION",
    eshopId: "",
    secretKey: "",
    secretKeySaved: false,
    testMode: false,
    preference: [],
    holdMode: "NO_HOLD",
    invoiceLifetimeDays: "",
    holdHours: "",
    markPaidOnHold: false,
    apiToken: "",
    apiTokenSaved: false,
    apiTokenClear: false,
    signSecret: "",
    signSecretSaved: false,
    signSecretClear: false,
    receiptsEnabled: false,
    receiptInn: "",
    // Empty = the IntellectMoney account's default group (docs/protocols/intellectmoney.md §6).
    receiptGroup: "",
    // VAT is the merchant's own tax decision: no default, it must be chosen.
    receiptVatGoods: "",
    receiptVatDelivery: "",
    receiptSubjectType: String(DEFAULT_RECEIPT_SUBJECT_TYPE),
    receiptMethodType: String(DEFAULT_RECEIPT_METHOD_TYPE),
    walletFormId: "",
    walletLogin: "",
    walletSecretKey: "",
    walletSecretKeySaved: false,
    walletSecretKeyClear: false,
    mailKinds: [],
    notifyEmail,
  };
}

/** Field name → its first message, the shape the form shows next to each field. */
export type SettingsFieldErrors = Partial<Record<keyof SettingsFormValues | "form", string>>;

/** «bankcard, sbp» → ["bankcard", "sbp"]: the free-entry input of «Список видов оплаты». */
export function parsePaymentMethodCodes(text: string): string[] {
  return text
    .split(/[,;\s]+/)
    .map((c) => c.trim())
    .filter((c) => c !== "");
}
