// IntellectMoney Merchant API client: capture a hold, release it or refund (purchaseToPaid,
// purchaseToRefund) and read an invoice back (getPurchaseInfo) — docs/protocols/intellectmoney.md §4.
// Talks HTTP only: lib/operations/payment-operations.ts decides whether an operation is allowed and records
// it. Expected failures are values, each with a Russian message for the merchant; the token, the Sign
// header and the hash are never logged.
//
// Wire format, as IntellectMoney's developer pages list it (sources and what is confirmed: docs/OPERATIONS.md):
// - POST <API>/merchant/<method>, `Content-Type: application/json` (the pages list application/json or
//   application/xml; the vendor's PHP SDK sends JSON), `Accept: application/json`;
// - `Authorization: Bearer <token>` and `Sign` (SHA-256 hex) on every call, TST invoices included: the
//   test access level covers only CreateInvoice, BankCardPayment and GetBankCardPaymentState;
// - body fields spelled as on the pages (EshopId, OrderId, InvoiceId, Hash); `Hash` is MD5 with the
//   shop's secret key.
// [assumed]: the partial-refund field `Amount`, the Hash patterns of purchaseToPaid/purchaseToRefund and
// both patterns of getPurchaseInfo. The caller reads every refund back, so a wrong guess stops refunds
// instead of moving money silently.
import { env } from "../env";
import { log } from "../log";
import { formatKopecks } from "../money";
import { interpretEnvelope, parseEnvelope, refundedTotalOf, type MerchantApiOutcome } from "./merchant-api-envelope";
import { merchantApiHash, merchantApiSign } from "./signatures";

export { interpretEnvelope, type MerchantApiOutcome } from "./merchant-api-envelope";

export type MerchantApiMethod = "purchaseToPaid" | "purchaseToRefund" | "getPurchaseInfo";

export type MerchantApiAuth = { apiToken: string; signSecret: string };

export type MerchantApiCall = {
  /** The invoice's shop number (the payment's `eshopId`). */
  eshopId: string;
  /** Our invoice `orderId` (Payment.imOrderId). */
  orderId: string;
  /** The shop's IntellectMoney secret key: the body `Hash`. */
  secretKey: string;
  /** Bearer token and sign secret: required for every call, test invoices included. */
  auth: MerchantApiAuth;
  /** Defaults to INTELLECTMONEY_API_TIMEOUT_MS (15 s): the merchant waits for the answer on the payment page. */
  timeoutMs?: number;
};

/** The pattern word of each method: `EshopId::OrderId::<word>::<secret>` (Sign confirmed, Hash assumed). */
const PATTERN_WORD = { purchaseToPaid: "ToPaid", purchaseToRefund: "Refund" } as const;

/** Capture of held money. */
export function purchaseToPaid(call: MerchantApiCall): Promise<MerchantApiOutcome> {
  return send("purchaseToPaid", call, orderRequest("purchaseToPaid", call, {}));
}

/**
 * Releases a hold, cancels an unpaid invoice or refunds a paid one. Without `amountKopecks` the whole
 * (remaining) amount; with it a partial refund as [assumed] `Amount`, two decimals like `recipientAmount`,
 * outside the Sign/Hash patterns (the page gives the Sign pattern without it).
 */
export function purchaseToRefund(call: MerchantApiCall & { amountKopecks?: bigint }): Promise<MerchantApiOutcome> {
  const extra: Record<string, string> = call.amountKopecks !== undefined ? { Amount: formatKopecks(call.amountKopecks) } : {};
  return send("purchaseToRefund", call, orderRequest("purchaseToRefund", call, extra));
}

export type PurchaseInfoCall = Omit<MerchantApiCall, "orderId"> & {
  /** The СКО number (Payment.imPaymentId): getPurchaseInfo requires InvoiceId. */
  invoiceId: string;
  /** Only to check that the answer is about our invoice. */
  orderId: string;
};

export type PurchaseInfoOutcome = { ok: true; refundedKopecks: bigint } | { ok: false; message: string };

/**
 * getPurchaseInfo: how much of the invoice IntellectMoney says has been refunded. [assumed] Sign =
 * SHA-256(EshopId::InvoiceId::signSecretKey), Hash = MD5(EshopId::InvoiceId::secretKey) — the page shows
 * both patterns empty; these are the vendor SDK's patterns for getBankCardPaymentState, the other method
 * keyed by EshopId and InvoiceId. The refunded-total field is assumed too (merchant-api-envelope.ts).
 */
export async function getPurchaseInfo(call: PurchaseInfoCall): Promise<PurchaseInfoOutcome> {
  const parts = [call.eshopId, call.invoiceId];
  const request = jsonRequest("getPurchaseInfo", call.auth, parts, { EshopId: eshopIdValue(call.eshopId), InvoiceId: call.invoiceId, Hash: merchantApiHash(parts, call.secretKey) });
  const logCtx = { method: "getPurchaseInfo", eshopId: call.eshopId, invoiceId: call.invoiceId };
  const answer = await exchange(request, call.timeoutMs, logCtx);
  if ("failure" in answer) return { ok: false, message: answer.failure.message };
  const outcome = interpretEnvelope(answer.status, answer.text);
  if (!outcome.ok) return { ok: false, message: outcome.message };
  const readBack = refundedTotalOf(parseEnvelope(answer.text)?.Result, { invoiceId: call.invoiceId, orderId: call.orderId, eshopId: call.eshopId });
  log.info({ ...logCtx, readable: readBack.ok }, "merchant api: purchase info read");
  return readBack.ok ? readBack : { ok: false, message: `IntellectMoney не сообщил, сколько возвращено: ${readBack.why}.` };
}

type WireRequest = { url: string; init: RequestInit };

/** EshopId is documented as INT: sent as a JSON number when it is one, else as received. */
function eshopIdValue(eshopId: string): number | string {
  return /^[1-9]\d{0,8}$/.test(eshopId) ? Number(eshopId) : eshopId;
}

function orderRequest(method: keyof typeof PATTERN_WORD, call: MerchantApiCall, extra: Record<string, string>): WireRequest {
  const parts = [call.eshopId, call.orderId, PATTERN_WORD[method]];
  return jsonRequest(method, call.auth, parts, { EshopId: eshopIdValue(call.eshopId), OrderId: call.orderId, ...extra, Hash: merchantApiHash(parts, call.secretKey) });
}

/** The request as it goes on the wire; exported for tests of the headers and the body. */
export function jsonRequest(method: MerchantApiMethod, auth: MerchantApiAuth, signParts: readonly string[], body: Record<string, string | number>): WireRequest {
  return {
    url: `${env().INTELLECTMONEY_API_URL}/merchant/${method}`,
    init: {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: `Bearer ${auth.apiToken}`,
        sign: merchantApiSign(signParts, auth.signSecret),
      },
      body: JSON.stringify(body),
      redirect: "manual",
    },
  };
}

type Exchange = { status: number; text: string } | { failure: Extract<MerchantApiOutcome, { ok: false }> };

/** Connection errors that prove the request never reached IntellectMoney. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

async function exchange(request: WireRequest, timeoutMs: number | undefined, logCtx: Record<string, unknown>): Promise<Exchange> {
  try {
    const response = await fetch(request.url, { ...request.init, signal: AbortSignal.timeout(timeoutMs ?? env().INTELLECTMONEY_API_TIMEOUT_MS) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    const timeout = err.name === "TimeoutError" || err.name === "AbortError";
    log.warn({ ...logCtx, err: err.message, code: err.cause?.code }, "merchant api: no answer");
    if (timeout) {
      return {
        failure: {
          ok: false,
          reason: "timeout",
          executed: "unknown",
          message: "IntellectMoney не ответил вовремя. Проверьте состояние платежа в личном кабинете IntellectMoney, прежде чем повторять операцию.",
        },
      };
    }
    return {
      failure: {
        ok: false,
        reason: "network",
        executed: NOT_SENT.has(err.cause?.code ?? "") ? "no" : "unknown",
        message: "Не удалось связаться с IntellectMoney (ошибка сети). Повторите операцию позже.",
      },
    };
  }
}

async function send(method: MerchantApiMethod, call: MerchantApiCall, request: WireRequest): Promise<MerchantApiOutcome> {
  const logCtx = { method, eshopId: call.eshopId, orderId: call.orderId };
  const answer = await exchange(request, call.timeoutMs, logCtx);
  if ("failure" in answer) return answer.failure;
  const outcome = interpretEnvelope(answer.status, answer.text);
  log.info(
    { ...logCtx, httpStatus: answer.status, ok: outcome.ok, codes: outcome.codes, reason: outcome.ok ? undefined : outcome.reason, warning: outcome.ok ? outcome.warning !== null : undefined },
    "merchant api: answered",
  );
  return outcome;
}
