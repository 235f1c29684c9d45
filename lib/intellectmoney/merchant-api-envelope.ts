// How to read a Merchant API answer (docs/protocols/intellectmoney.md §4). Pure: status and text in, a
// classified outcome out. What each rule rests on is written down in docs/OPERATIONS.md «Sources».
//
// The envelope is `{"OperationState":{"Code","Desc"},"Result":{"State":{"Code","Desc"}, …}}`.
// - OperationState.Code: 0 = processed, 2 = error (IntellectMoney's wiki); anything else (the wiki also
//   speaks of a request «queued for processing») is not final: it may still be executed.
// - Result.State.Code: 0 = success, 1 = success with warnings (wiki; the vendor's PHP SDK treats every
//   non-zero code as an error, the documentation does not, and we follow the documentation), anything
//   else = refused.
// A failure says whether IntellectMoney may have executed the request anyway (`executed: "unknown"`):
// for a refund that decides between «failed, nothing moved» and «stop and read back» (payment-operations).

export type ApiCodes = { operation: number | null; result: number | null };

export type MerchantApiFailureReason = "refused" | "not_final" | "http_error" | "bad_response" | "timeout" | "network";

export type MerchantApiOutcome =
  | {
      ok: true;
      /** Result.State's description, if any. */
      message: string | null;
      /** Set when Result.State.Code is 1 («успешно с предупреждениями»): the warning as IntellectMoney worded it. */
      warning: string | null;
      codes: ApiCodes;
    }
  | {
      ok: false;
      reason: MerchantApiFailureReason;
      /** "no": IntellectMoney refused or never received it. "unknown": it may have been executed. */
      executed: "no" | "unknown";
      message: string;
      httpStatus?: number;
      codes?: ApiCodes;
    };

type State = { Code?: unknown; Desc?: unknown; Message?: unknown };
export type Envelope = { OperationState?: State; Result?: Record<string, unknown> & { State?: State } };

const MAX_MESSAGE = 500;

function codeOf(s: State | undefined): number | null {
  if (!s || s.Code === undefined || s.Code === null) return null;
  const n = typeof s.Code === "number" ? s.Code : typeof s.Code === "string" && /^-?\d+$/.test(s.Code) ? Number(s.Code) : NaN;
  return Number.isInteger(n) ? n : null;
}

function descOf(s: State | undefined): string | null {
  for (const v of [s?.Desc, s?.Message]) {
    if (typeof v === "string" && v.trim() !== "") return v.trim().slice(0, MAX_MESSAGE);
  }
  return null;
}

export function parseEnvelope(text: string): Envelope | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Envelope) : null;
  } catch {
    return null;
  }
}

/**
 * A 4xx answer means the request was turned away before it was processed (bad request, no or wrong
 * authorization, unknown method, too many requests). 408 says the server gave up waiting for the
 * request, and 3xx/5xx/others say nothing about execution: those stay "unknown".
 */
function executedByStatus(httpStatus: number): "no" | "unknown" {
  return httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 ? "no" : "unknown";
}

/** Classifies one answer. Success = HTTP 200, OperationState.Code 0 and Result.State.Code 0 or 1. */
export function interpretEnvelope(httpStatus: number, text: string): MerchantApiOutcome {
  const envelope = parseEnvelope(text);
  const opCode = codeOf(envelope?.OperationState);
  const resultCode = codeOf(envelope?.Result?.State);
  const codes: ApiCodes = { operation: opCode, result: resultCode };
  const apiMessage = (opCode !== 0 ? descOf(envelope?.OperationState) : null) ?? descOf(envelope?.Result?.State) ?? descOf(envelope?.OperationState);

  if (httpStatus !== 200) {
    return {
      ok: false,
      reason: "http_error",
      executed: executedByStatus(httpStatus),
      httpStatus,
      codes,
      message: apiMessage ? `IntellectMoney отказал: ${apiMessage}` : `IntellectMoney ответил ошибкой HTTP ${httpStatus}`,
    };
  }
  if (!envelope || opCode === null) return unreadable(httpStatus, codes);
  if (opCode === 2) {
    return { ok: false, reason: "refused", executed: "no", httpStatus, codes, message: `IntellectMoney отказал: ${apiMessage ?? "код 2"}` };
  }
  if (opCode !== 0) {
    return {
      ok: false,
      reason: "not_final",
      executed: "unknown",
      httpStatus,
      codes,
      message: `IntellectMoney не завершил запрос сразу (код ${opCode}${apiMessage ? `: ${apiMessage}` : ""}). Проверьте состояние платежа в личном кабинете IntellectMoney.`,
    };
  }
  if (resultCode === null) return unreadable(httpStatus, codes);
  if (resultCode === 0 || resultCode === 1) {
    const message = descOf(envelope.Result?.State);
    return { ok: true, message, warning: resultCode === 1 ? (message ?? "без пояснения") : null, codes };
  }
  return { ok: false, reason: "refused", executed: "no", httpStatus, codes, message: `IntellectMoney отказал: ${apiMessage ?? `код ${resultCode}`}` };
}

function unreadable(httpStatus: number, codes: ApiCodes): MerchantApiOutcome {
  return {
    ok: false,
    reason: "bad_response",
    executed: "unknown",
    httpStatus,
    codes,
    message: "IntellectMoney прислал непонятный ответ. Проверьте состояние платежа в личном кабинете IntellectMoney.",
  };
}

/**
 * [assumed] Where getPurchaseInfo says how much of the invoice has been refunded: no vendor source we
 * could read names the answer's fields. We accept the name the result notification uses for the running
 * total (`refundAmount`, §3) and its participle form, in any letter case, at the top of `Result`.
 */
export const READ_BACK_FIELDS = ["refundamount", "refundedamount"] as const;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

function amountKopecks(v: unknown): bigint | null {
  const s = typeof v === "number" && Number.isFinite(v) && v >= 0 ? String(v) : typeof v === "string" ? v.trim() : null;
  const m = s === null ? null : DECIMAL.exec(s);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")) : null;
}

/** Identity fields that, when the answer has them, must name our invoice. */
const IDENTITY: ReadonlyArray<readonly [string, "invoiceId" | "orderId" | "eshopId"]> = [
  ["invoiceid", "invoiceId"],
  ["orderid", "orderId"],
  ["eshopid", "eshopId"],
];

export type ReadBack = { ok: true; refundedKopecks: bigint } | { ok: false; why: string };

/**
 * The refunded total from a getPurchaseInfo `Result`. Unreadable (never guessed) when the field is
 * missing, not a plain decimal, given twice with different values, or when the answer names another
 * invoice.
 */
export function refundedTotalOf(result: unknown, ours: { invoiceId: string; orderId: string; eshopId: string }): ReadBack {
  if (!result || typeof result !== "object" || Array.isArray(result)) return { ok: false, why: "в ответе нет данных счёта" };
  const entries = Object.entries(result as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v] as const);
  for (const [key, field] of IDENTITY) {
    const found = entries.find(([k]) => k === key);
    if (found && found[1] !== null && found[1] !== undefined && String(found[1]) !== ours[field]) {
      return { ok: false, why: "ответ относится к другому счёту" };
    }
  }
  const values = entries.filter(([k]) => (READ_BACK_FIELDS as readonly string[]).includes(k)).map(([, v]) => amountKopecks(v));
  if (values.length === 0) return { ok: false, why: "в ответе нет суммы возвратов" };
  if (values.some((v) => v === null)) return { ok: false, why: "сумма возвратов в ответе не читается" };
  const distinct = new Set(values.map(String));
  if (distinct.size > 1) return { ok: false, why: "в ответе две разные суммы возвратов" };
  return { ok: true, refundedKopecks: values[0]! };
}
