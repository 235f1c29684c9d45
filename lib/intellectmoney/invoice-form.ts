// The invoice form the buyer's browser posts to IntellectMoney (docs/protocols/intellectmoney.md §1 for
// organizations, §2 for personal wallets). Pure: plain data in (settings with the secret already
// decrypted), the form's action and ordered fields out. Every field value is the exact string sent, and the
// hash is computed over those same strings.
import type { HoldMode } from "@/lib/generated/prisma/enums";
import { md5Hex } from "../crypto";
import { formatKopecks } from "../money";
import { safeSegment, segmentCouldShift } from "./hash-segments";
import { formatMoscowDateTime } from "./moscow-time";
import { invoiceFormHash } from "./signatures";

export type OrganizationInvoiceSettings = {
  legalForm: "ORGANIZATION";
  eshopId: string;
  secretKey: string;
  testMode: boolean;
  preference: readonly string[];
  holdMode: HoldMode;
  /** «Срок жизни счёта (в днях)»; null = the default for the hold mode. */
  invoiceLifetimeDays: number | null;
  /** «Срок холдирования денежных средств (в часах)»; null = 119. */
  holdHours: number | null;
};

export type IndividualInvoiceSettings = {
  legalForm: "INDIVIDUAL";
  /** «ID формы». */
  walletFormId: string;
  /** «Email, Логин для входа в личный кабинет». */
  walletLogin: string;
  invoiceLifetimeDays?: number | null;
};

export type InvoiceFormInput = {
  /** INTELLECTMONEY_MERCHANT_URL. */
  merchantUrl: string;
  settings: OrganizationInvoiceSettings | IndividualInvoiceSettings;
  /** The payment's imOrderId (deriveImOrderId). */
  imOrderId: string;
  /** The InSales `description`. */
  description: string;
  amountKopecks: bigint;
  /**
   * The currency of `amountKopecks` (§1 «Currency»): RUB (default), USD or EUR. Organizations in test mode
   * are invoiced TST instead; a wallet takes RUB only.
   */
  currency?: "RUB" | "USD" | "EUR";
  buyerEmail?: string | null;
  buyerName?: string | null;
  successUrl: string;
  failUrl: string;
  resultUrl: string;
  now: Date;
  /** The fiscal receipt JSON string (receipt.ts), when receipts are on. Not part of the hash (§6). */
  merchantReceipt?: string | null;
};

export type InvoiceForm = { action: string; fields: Array<[name: string, value: string]> };

/** IntellectMoney's shared shop for transfers to individuals (§2). */
export const WALLET_ESHOP_ID = "450157";

const HOUR_MS = 60 * 60 * 1000;
/** §1: without hold at most 4319 hours (180 days), default the maximum. */
export const MAX_LIFETIME_HOURS_NO_HOLD = 4319;
/** §1: with hold at most 5 days, default 3. */
export const MAX_LIFETIME_HOURS_HOLD = 5 * 24;
export const DEFAULT_LIFETIME_HOURS_HOLD = 3 * 24;
/** §1: holdTime 1–119 hours, default 119. */
export const MAX_HOLD_HOURS = 119;
const MIN_AMOUNT_KOPECKS = 100n;

/** Cut to at most `max` characters without splitting a surrogate pair. */
function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : chars.slice(0, max).join("");
}

function positiveInt(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : null;
}

/**
 * Invoice lifetime in hours, with hold or without. («Задано в личном кабинете» sends no expireDate at all:
 * see buildInvoiceForm.) Settings validation keeps the days in range; this clamps defensively so a bad
 * stored value can never produce a form IntellectMoney rejects.
 */
export function invoiceLifetimeHours(hold: boolean, days: number | null | undefined): number {
  const d = positiveInt(days);
  if (hold) return Math.min(d === null ? DEFAULT_LIFETIME_HOURS_HOLD : d * 24, MAX_LIFETIME_HOURS_HOLD);
  return Math.min(d === null ? MAX_LIFETIME_HOURS_NO_HOLD : d * 24, MAX_LIFETIME_HOURS_NO_HOLD);
}

function holdTimeHours(hours: number | null): number {
  const h = positiveInt(hours);
  return h === null ? MAX_HOLD_HOURS : Math.min(h, MAX_HOLD_HOURS);
}

function expireDate(now: Date, hours: number): string {
  return formatMoscowDateTime(new Date(now.getTime() + hours * HOUR_MS));
}

/**
 * user_email and email (sources disagree on the name, §1), userName when known. IntellectMoney echoes
 * both into the hashed `userEmail` and `userName` of its notifications (§3), which we refuse when they
 * could shift the hash's fields: an e-mail that could is no address anyway and is left out (the buyer
 * types one at IntellectMoney), a name is made safe like serviceName.
 */
function buyerFields(input: InvoiceFormInput, withName: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const email = input.buyerEmail?.trim();
  if (email && !segmentCouldShift(email)) out.push(["user_email", email], ["email", email]);
  const name = safeSegment(truncate(input.buyerName?.trim() ?? "", 255));
  if (withName && name) out.push(["userName", name]);
  return out;
}

/**
 * Throws only on programmer errors (amount under 1.00, empty credentials): the checkout validates the
 * amount and the settings before it gets here and answers the buyer itself.
 */
export function buildInvoiceForm(input: InvoiceFormInput): InvoiceForm {
  if (input.amountKopecks < MIN_AMOUNT_KOPECKS) throw new RangeError("buildInvoiceForm: amount below 1.00");
  if (!input.imOrderId || input.imOrderId.length > 50) throw new RangeError("buildInvoiceForm: orderId must be 1–50 characters");
  // deriveImOrderId makes it of [A-Za-z0-9_-]; one that could shift the hash's fields is a programmer error.
  if (segmentCouldShift(input.imOrderId)) throw new RangeError("buildInvoiceForm: orderId could shift the hash fields");
  const s = input.settings;
  // §1: at most 1024 characters, and never able to shift the hash's fields (hash-segments.ts).
  const serviceName = safeSegment(truncate(input.description, 1024));
  const recipientAmount = formatKopecks(input.amountKopecks);
  const urls: Array<[string, string]> = [
    ["successUrl", input.successUrl],
    ["failUrl", input.failUrl],
    ["resultUrl", input.resultUrl],
  ];

  const currency = input.currency ?? "RUB";
  if (s.legalForm === "INDIVIDUAL") {
    if (!s.walletFormId || !s.walletLogin) throw new Error("buildInvoiceForm: wallet settings incomplete");
    // The checkout refuses other currencies for a wallet before it gets here (lib/checkout/checkout-currency.ts).
    if (currency !== "RUB") throw new RangeError("buildInvoiceForm: a wallet invoice is in roubles only");
    // §2: the shared shop, RUB only, bank cards, the recipient named in UserField_0/9; no hash exists.
    const fields: Array<[string, string]> = [
      ["eshopId", WALLET_ESHOP_ID],
      ["orderId", input.imOrderId],
      ["serviceName", serviceName],
      ["recipientAmount", recipientAmount],
      ["recipientCurrency", "RUB"],
      ...buyerFields(input, false),
      ...urls,
      ["expireDate", expireDate(input.now, invoiceLifetimeHours(false, s.invoiceLifetimeDays))],
      ["preference", "bankcard"],
      ["UserFieldName_0", "Перевод в кошелек"],
      ["UserField_0", s.walletLogin],
      ["UserFieldName_9", "UserPaymentFormId"],
      ["UserField_9", s.walletFormId],
    ];
    return { action: input.merchantUrl, fields };
  }

  if (!s.eshopId || !s.secretKey) throw new Error("buildInvoiceForm: organization settings incomplete");
  // Validated at settings-save time (lib/shops/settings-schema.ts: digits); anything else is a programmer error.
  if (segmentCouldShift(s.eshopId)) throw new RangeError("buildInvoiceForm: eshopId could shift the hash fields");
  const recipientCurrency = s.testMode ? "TST" : currency;
  // docs/protocols/intellectmoney.md §1 «Hold»: HOLD → holdMode=1 with holdTime and our expireDate; NO_HOLD →
  // holdMode=0 with our expireDate (our decision: say «no hold» explicitly rather than leave it to the
  // account, as the vendor's library does by omitting it); CABINET («Задано в личном кабинете») → no
  // holdMode, no holdTime and no expireDate of ours, so the account's settings (and IntellectMoney's own
  // default lifetime) decide everything about hold and lifetime.
  const holdFields: Array<[string, string]> =
    s.holdMode === "HOLD"
      ? [
          ["expireDate", expireDate(input.now, invoiceLifetimeHours(true, s.invoiceLifetimeDays))],
          ["holdMode", "1"],
          ["holdTime", String(holdTimeHours(s.holdHours))],
        ]
      : s.holdMode === "NO_HOLD"
        ? [
            ["expireDate", expireDate(input.now, invoiceLifetimeHours(false, s.invoiceLifetimeDays))],
            ["holdMode", "0"],
          ]
        : [];
  const preference = dedupe(s.preference.map((p) => p.trim()).filter(Boolean)).join(",");
  const receipt = input.merchantReceipt ? [["merchantReceipt", input.merchantReceipt] as [string, string]] : [];
  const hash = invoiceFormHash({ eshopId: s.eshopId, orderId: input.imOrderId, serviceName, recipientAmount, recipientCurrency }, s.secretKey);

  const fields: Array<[string, string]> = [
    ["eshopId", s.eshopId],
    ["orderId", input.imOrderId],
    ["serviceName", serviceName],
    ["recipientAmount", recipientAmount],
    ["recipientCurrency", recipientCurrency],
    ...buyerFields(input, true),
    ...urls,
    ...holdFields,
    ...(preference ? [["preference", preference] as [string, string]] : []),
    ...receipt,
    ["hash", hash],
  ];
  return { action: input.merchantUrl, fields };
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

const IM_ORDER_ID_MAX = 50;

/**
 * The IntellectMoney orderId of one payment attempt (§1 `orderId`, [decision]): `<order number>-<transaction
 * id>`, e.g. `9999-2197421`, at most 50 characters; from the second attempt of the same transaction on (a
 * new invoice after a cancelled one, §1 «Уникальный номер покупки») with `_<attempt>` after it, e.g.
 * `9999-2197421_2`. The transaction id (and the attempt) is what makes it unique — IntellectMoney refuses a
 * known orderId with other parameters — so it is always kept whole and the order part is cut instead.
 * Characters outside [A-Za-z0-9_-] are dropped from the order part. A transaction id too long to leave
 * room for a prefix (it may be up to 64 characters) is replaced by `t` + its MD5 — unique, stable, short.
 */
export function deriveImOrderId(orderNumberOrId: string, transactionId: string, attempt = 1): string {
  const suffix = attempt > 1 ? `_${attempt}` : "";
  const whole = `${transactionId}${suffix}`;
  const tx = whole.length <= IM_ORDER_ID_MAX ? whole : `t${md5Hex(transactionId)}${suffix}`;
  const room = IM_ORDER_ID_MAX - tx.length - 1;
  const prefix = orderNumberOrId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, Math.max(0, room));
  return prefix ? `${prefix}-${tx}` : tx;
}
