// IntellectMoney Merchant API client for hold capture, release and refunds (spec/intellectmoney-protocol.md
// §4). Talks HTTP only: the caller (lib/payments/payment-operations.ts) decides whether an operation is
// allowed and records it. Expected failures are values (guide/architecture.md convention 2), each with a
// Russian message for the merchant; the token, the Sign header and the hash are never logged.
//
// [assumed] details, written down in docs/OPERATIONS.md:
// - the body is form-encoded (§4 says «JSON or form»);
// - a partial refund carries `Amount`, two decimals like `recipientAmount` (the spec names no field), and
//   `Amount` is not part of the Sign/hash patterns (§4 gives the patterns without it).
import { env } from "../env";
import { log } from "../log";
import { formatKopecks } from "../money";
import { merchantApiHash, merchantApiSign } from "./signatures";

export type MerchantApiMethod = "purchaseToPaid" | "purchaseToRefund";

/** §4 pattern word of each method: `EshopId::OrderId::<word>::<secret>`. */
const PATTERN_WORD: Record<MerchantApiMethod, string> = { purchaseToPaid: "ToPaid", purchaseToRefund: "Refund" };

export type MerchantApiCall = {
  /** The invoice's shop number (the payment's `eshopId`). */
  eshopId: string;
  /** Our invoice `orderId` (Payment.imOrderId). */
  orderId: string;
  /** The shop's IntellectMoney secret key: the body `hash`. */
  secretKey: string;
  /**
   * Bearer token and sign secret. Null for `TST` invoices: IntellectMoney accepts those without the
   * Authorization and Sign headers (§4), so none are sent.
   */
  auth: { apiToken: string; signSecret: string } | null;
  /** Defaults to 15 s: the merchant waits for the answer on the payment page. */
  timeoutMs?: number;
};

export type MerchantApiOutcome =
  | { ok: true; message: string | null }
  | { ok: false; reason: "refused" | "http_error" | "bad_response" | "timeout" | "network"; message: string; httpStatus?: number };

const DEFAULT_TIMEOUT_MS = 15_000;
const MAX_MESSAGE = 500;

/** §4 capture of held money. */
export function purchaseToPaid(call: MerchantApiCall): Promise<MerchantApiOutcome> {
  return callMerchantApi("purchaseToPaid", call, {});
}

/**
 * §4 `purchaseToRefund`: releases a hold, cancels an unpaid invoice or refunds a paid one. Without
 * `amountKopecks` the whole (remaining) amount; with it a partial refund.
 */
export function purchaseToRefund(call: MerchantApiCall & { amountKopecks?: bigint }): Promise<MerchantApiOutcome> {
  const extra: Record<string, string> = call.amountKopecks !== undefined ? { Amount: formatKopecks(call.amountKopecks) } : {};
  return callMerchantApi("purchaseToRefund", call, extra);
}

/** The request as it goes on the wire; exported for tests of the headers and the body. */
export function buildMerchantApiRequest(method: MerchantApiMethod, call: MerchantApiCall, extra: Record<string, string>): { url: string; init: RequestInit } {
  const parts = [call.eshopId, call.orderId, PATTERN_WORD[method]];
  const body = new URLSearchParams({ EshopId: call.eshopId, OrderId: call.orderId, ...extra, hash: merchantApiHash(parts, call.secretKey) });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  if (call.auth) {
    headers.authorization = `Bearer ${call.auth.apiToken}`;
    headers.sign = merchantApiSign(parts, call.auth.signSecret);
  }
  return { url: `${env().INTELLECTMONEY_API_URL}/merchant/${method}`, init: { method: "POST", headers, body: body.toString(), redirect: "manual" } };
}

async function callMerchantApi(method: MerchantApiMethod, call: MerchantApiCall, extra: Record<string, string>): Promise<MerchantApiOutcome> {
  const { url, init } = buildMerchantApiRequest(method, call, extra);
  const logCtx = { method, eshopId: call.eshopId, orderId: call.orderId, test: call.auth === null };
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(call.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    const timeout = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
    log.warn({ ...logCtx, err: (error as Error).message }, "merchant api: no answer");
    return timeout
      ? { ok: false, reason: "timeout", message: "IntellectMoney не ответил вовремя. Проверьте состояние платежа в личном кабинете IntellectMoney, прежде чем повторять операцию." }
      : { ok: false, reason: "network", message: "Не удалось связаться с IntellectMoney (ошибка сети). Повторите операцию позже." };
  }
  const outcome = interpretEnvelope(response.status, text);
  log.info({ ...logCtx, httpStatus: response.status, ok: outcome.ok, reason: outcome.ok ? undefined : outcome.reason }, "merchant api: answered");
  return outcome;
}

type State = { Code?: unknown; Desc?: unknown; Message?: unknown };
type Envelope = { OperationState?: State; Result?: { State?: State } };

function codeOf(s: State | undefined): number | null {
  if (!s || s.Code === undefined || s.Code === null) return null;
  const n = typeof s.Code === "number" ? s.Code : typeof s.Code === "string" && /^-?\d+$/.test(s.Code) ? Number(s.Code) : NaN;
  return Number.isFinite(n) ? n : null;
}

function descOf(s: State | undefined): string | null {
  for (const v of [s?.Desc, s?.Message]) {
    if (typeof v === "string" && v.trim() !== "") return v.trim().slice(0, MAX_MESSAGE);
  }
  return null;
}

/**
 * §4 envelope: success = HTTP 200 and `OperationState.Code` 0 and `Result.State.Code` 0. Otherwise the
 * API's own description (Desc, or Message) is the merchant's message.
 */
export function interpretEnvelope(httpStatus: number, text: string): MerchantApiOutcome {
  let envelope: Envelope | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) envelope = parsed as Envelope;
  } catch {
    envelope = null;
  }
  const opCode = codeOf(envelope?.OperationState);
  const resultCode = codeOf(envelope?.Result?.State);
  const apiMessage = (opCode !== 0 ? descOf(envelope?.OperationState) : null) ?? descOf(envelope?.Result?.State) ?? descOf(envelope?.OperationState);

  if (httpStatus !== 200) {
    return { ok: false, reason: "http_error", httpStatus, message: apiMessage ? `IntellectMoney отказал: ${apiMessage}` : `IntellectMoney ответил ошибкой HTTP ${httpStatus}` };
  }
  if (!envelope || opCode === null || resultCode === null) {
    if (envelope && opCode !== null && opCode !== 0) {
      return { ok: false, reason: "refused", httpStatus, message: `IntellectMoney отказал: ${apiMessage ?? `код ${opCode}`}` };
    }
    return { ok: false, reason: "bad_response", httpStatus, message: "IntellectMoney прислал непонятный ответ. Проверьте состояние платежа в личном кабинете IntellectMoney." };
  }
  if (opCode !== 0 || resultCode !== 0) {
    return { ok: false, reason: "refused", httpStatus, message: `IntellectMoney отказал: ${apiMessage ?? `код ${opCode !== 0 ? opCode : resultCode}`}` };
  }
  return { ok: true, message: descOf(envelope.Result?.State) };
}
