// Parse an IntellectMoney result notification body (docs/protocols/intellectmoney.md §3) into raw strings.
// Shape and size only: nothing here is trusted until the hash checks out against the shop's own key.
// Values are kept exactly as received because the hash is computed over them (§7 pitfall 3).
import type { ResultHashFields } from "./signatures";

export const PAYMENT_STATUS_CODES = ["3", "4", "5", "6", "7", "8"] as const;
export type PaymentStatusCode = (typeof PAYMENT_STATUS_CODES)[number];

export type ResultNotification = ResultHashFields & {
  paymentStatus: PaymentStatusCode;
  /** The СКО id. */
  paymentId: string;
  hash: string;
  recipientOriginalAmount: string;
  refundAmount: string;
  commissionAmount: string;
  payMethod: string;
  shortPan: string;
  country: string;
  bank: string;
  ipAddress: string;
  gatewayName: string;
  rrn: string;
  /** UserField_N echoed back (wallet payments echo UserField_0 and UserField_9), by N. */
  userFields: Record<string, string>;
};

export type ResultParseResult =
  | { ok: true; notification: ResultNotification }
  | {
      ok: false;
      reason: "missing_field" | "duplicate_field" | "too_long" | "nul_byte" | "invalid_field";
      field: string;
    };

const REQUIRED = ["eshopId", "paymentId", "orderId", "recipientAmount", "recipientCurrency", "paymentStatus"] as const;
// `hash` is optional here: wallet notifications (eshopId 450157, §2) may come without one. Whether a
// missing hash is acceptable depends on the stored payment, so apply-result decides (never this parser).
const OPTIONAL = [
  "hash",
  "serviceName",
  "eshopAccount",
  "userName",
  "userEmail",
  "paymentData",
  "recipientOriginalAmount",
  "refundAmount",
  "commissionAmount",
  "payMethod",
  "shortPan",
  "country",
  "bank",
  "ipAddress",
  "gatewayName",
  "rrn",
] as const;
// `secretKey` is deliberately not read: we never use it (the hash is checked with our stored key) and
// keeping it out of the parsed object keeps it out of logs and the journal.

const USER_FIELD = /^UserField_(\d{1,2})$/;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;

/** We send serviceName ≤ 1024 characters; leave room for however IntellectMoney echoes it. */
const MAX_SERVICE_NAME = 2048;
const MAX_USER_FIELD = 1024;
const MAX_DEFAULT = 255;

type Check = { ok: true; value: string } | { ok: false; reason: "duplicate_field" | "too_long" | "nul_byte"; field: string };

function readOne(body: URLSearchParams, name: string, max: number): Check {
  const values = body.getAll(name);
  // A duplicated field lets the hash cover one value while the handler reads another.
  if (values.length > 1) return { ok: false, reason: "duplicate_field", field: name };
  const value = values[0] ?? "";
  if (value.includes("\0")) return { ok: false, reason: "nul_byte", field: name };
  if (value.length > max) return { ok: false, reason: "too_long", field: name };
  return { ok: true, value };
}

export function parseResultNotification(body: URLSearchParams): ResultParseResult {
  const raw: Record<string, string> = {};
  for (const name of [...REQUIRED, ...OPTIONAL]) {
    const read = readOne(body, name, name === "serviceName" ? MAX_SERVICE_NAME : MAX_DEFAULT);
    if (!read.ok) return read;
    raw[name] = read.value;
  }
  for (const name of REQUIRED) {
    if (raw[name] === "") return { ok: false, reason: "missing_field", field: name };
  }
  if (!(PAYMENT_STATUS_CODES as readonly string[]).includes(raw.paymentStatus)) {
    return { ok: false, reason: "invalid_field", field: "paymentStatus" };
  }
  if (raw.hash !== "" && !MD5_HEX.test(raw.hash)) return { ok: false, reason: "invalid_field", field: "hash" };

  const userFields: Record<string, string> = {};
  for (const name of new Set(body.keys())) {
    const m = USER_FIELD.exec(name);
    if (!m) continue;
    const read = readOne(body, name, MAX_USER_FIELD);
    if (!read.ok) return read;
    userFields[m[1]] = read.value;
  }

  const notification: ResultNotification = {
    eshopId: raw.eshopId,
    paymentId: raw.paymentId,
    orderId: raw.orderId,
    eshopAccount: raw.eshopAccount,
    serviceName: raw.serviceName,
    recipientAmount: raw.recipientAmount,
    recipientOriginalAmount: raw.recipientOriginalAmount,
    recipientCurrency: raw.recipientCurrency,
    paymentStatus: raw.paymentStatus as PaymentStatusCode,
    userName: raw.userName,
    userEmail: raw.userEmail,
    paymentData: raw.paymentData,
    hash: raw.hash,
    refundAmount: raw.refundAmount,
    commissionAmount: raw.commissionAmount,
    payMethod: raw.payMethod,
    shortPan: raw.shortPan,
    country: raw.country,
    bank: raw.bank,
    ipAddress: raw.ipAddress,
    gatewayName: raw.gatewayName,
    rrn: raw.rrn,
    userFields,
  };
  return { ok: true, notification };
}
