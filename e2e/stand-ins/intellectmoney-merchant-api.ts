// The IntellectMoney stand-in's Merchant API (docs/protocols/intellectmoney.md §4): purchaseToPaid,
// purchaseToRefund and getPurchaseInfo, as IntellectMoney's developer pages describe them. Sources, and
// which details no vendor source confirms, are in docs/OPERATIONS.md «Sources»:
// - developer.intellectmoney.ru/merchant/api/purchaseToPaid, …/purchaseToRefund, …/getpurchaseinfo:
//   POST, `Authorization: Bearer` and `Sign` required, body EshopId, OrderId or InvoiceId, Hash;
// - developer.intellectmoney.ru/info/signature: Sign = SHA-256 with the sign secret, Hash = MD5 with the
//   shop's secret key, `::`-joined;
// - developer.intellectmoney.ru/info/access: the test access level (TST) covers only CreateInvoice,
//   BankCardPayment and GetBankCardPaymentState, so these methods need the token and Sign for TST too;
// - IntellectMoney's wiki (Merchant 2.0 API): OperationState.Code 0 = processed, 2 = error;
//   Result.State.Code 0 = success, 1 = success with warnings.
// Hashes are computed here on their own, not with lib/.
//
// Behaviours a test can switch on per invoice (`setBehaviour`), each a documented or admitted edge:
// - `warning`: successes answer Result.State.Code 1 with this description (the wiki's «with warnings»);
// - `refundWholeRemainder`: a partial refund refunds everything still refundable — what IntellectMoney
//   would do if it ignored our partial-amount field, which no vendor source confirms (`Amount`);
// - `purchaseInfo: "unavailable" | "no_refund_field"`: getPurchaseInfo answers HTTP 503, or an envelope
//   without the refunded total (its answer fields are not documented where we could read them);
// - `hangAfterExecuting`: the request is executed, its answer never sent (the client times out).
import type { IncomingMessage, ServerResponse } from "node:http";
import { md5Hex, sha256Hex } from "../../lib/crypto";
import { sendJson } from "./http-helpers";

export type MerchantApiMethod = "purchaseToPaid" | "purchaseToRefund" | "getPurchaseInfo";

/** One Merchant API request as the stand-in saw it (no secrets: whether each check passed). */
export type ApiCall = {
  method: MerchantApiMethod;
  eshopId: string;
  /** The invoice's orderId (for getPurchaseInfo: of the invoice named by InvoiceId), "" if unknown. */
  orderId: string;
  amount: string | null;
  contentType: string;
  /** Whether an Authorization or Sign header came at all. */
  headers: boolean;
  authorized: boolean;
  signed: boolean;
  hashed: boolean;
  /** The answer's codes and description (null codes: no answer was sent). */
  operationCode: number | null;
  resultCode: number | null;
  desc: string;
  /** getPurchaseInfo: the refunded total it reported, if it did. */
  refundAmount: string | null;
  at: string;
};

export type MerchantApiBehaviour = {
  warning?: string;
  refundWholeRemainder?: boolean;
  purchaseInfo?: "ok" | "unavailable" | "no_refund_field";
  hangAfterExecuting?: boolean;
};

export type ApiKeys = { apiToken: string; signSecretKey: string };

/** What the Merchant API needs of the stand-in's invoices. */
export type ApiInvoice = { paymentId: string; eshopId: string; orderId: string; recipientAmount: string; recipientCurrency: string; status: string; refundedKopecks: string };

export type MerchantApiHost<I extends ApiInvoice> = {
  keys: Map<string, string>;
  apiKeys: Map<string, ApiKeys>;
  invoices: Map<string, I>;
  apiCalls: ApiCall[];
  behaviours: Map<string, MerchantApiBehaviour>;
  /** Sends the result notification that follows a success (after the answer, like IntellectMoney). */
  followUp(inv: I, status: "4" | "5" | "8", refundAmount?: string): void;
};

function kopecks(v: string): bigint | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(v);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")) : null;
}

function decimal(k: bigint): string {
  return `${k / 100n}.${String(k % 100n).padStart(2, "0")}`;
}

/** The body as sent (JSON per the pages, form-encoded tolerated), keys looked up in any letter case. */
function readFields(req: IncomingMessage, body: string): Map<string, string> {
  const f = new Map<string, string>();
  if ((req.headers["content-type"] ?? "").includes("json")) {
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(body || "{}");
    } catch {
      parsed = {};
    }
    if (parsed && typeof parsed === "object") for (const [k, v] of Object.entries(parsed)) f.set(k.toLowerCase(), String(v));
  } else {
    for (const [k, v] of new URLSearchParams(body)) f.set(k.toLowerCase(), v);
  }
  return f;
}

export async function merchantApi<I extends ApiInvoice>(host: MerchantApiHost<I>, req: IncomingMessage, res: ServerResponse, method: MerchantApiMethod, body: string): Promise<void> {
  const f = readFields(req, body);
  const eshopId = f.get("eshopid") ?? "";
  const byInvoiceId = method === "getPurchaseInfo";
  const inv = [...host.invoices.values()].find((i) => i.eshopId === eshopId && (byInvoiceId ? i.paymentId === f.get("invoiceid") : i.orderId === f.get("orderid")));
  const idPart = byInvoiceId ? (f.get("invoiceid") ?? "") : (f.get("orderid") ?? "");
  const word = method === "purchaseToPaid" ? "ToPaid" : method === "purchaseToRefund" ? "Refund" : null;
  const parts = word ? [eshopId, idPart, word] : [eshopId, idPart];
  const authHeader = req.headers.authorization;
  const signHeader = req.headers.sign;
  const behaviour = (inv && host.behaviours.get(inv.orderId)) ?? {};
  const call: ApiCall = {
    method,
    eshopId,
    orderId: inv?.orderId ?? (byInvoiceId ? "" : idPart),
    amount: f.get("amount") ?? null,
    contentType: String(req.headers["content-type"] ?? ""),
    headers: authHeader !== undefined || signHeader !== undefined,
    authorized: false,
    signed: false,
    hashed: false,
    operationCode: null,
    resultCode: null,
    desc: "",
    refundAmount: null,
    at: new Date().toISOString(),
  };
  const answer = (operationCode: number, resultCode: number, desc: string, result: Record<string, unknown> = {}) => {
    Object.assign(call, { operationCode, resultCode, desc });
    host.apiCalls.push(call);
    sendJson(res, 200, {
      OperationState: { Code: operationCode, Desc: operationCode === 0 ? "Операция выполнена" : desc },
      Result: { State: { Code: resultCode, Desc: desc }, ...result },
    });
  };

  const key = host.keys.get(eshopId);
  if (!key || !inv) return answer(0, 4, "Магазин или счёт не найден");
  // No shortcut for TST: the test access level does not include these methods.
  const api = host.apiKeys.get(eshopId);
  call.authorized = Boolean(api) && authHeader === `Bearer ${api!.apiToken}`;
  if (!call.authorized) return answer(2, 2, "Неверный API-токен (Authorization)");
  call.signed = typeof signHeader === "string" && signHeader.toLowerCase() === sha256Hex([...parts, api!.signSecretKey].join("::"));
  if (!call.signed) return answer(2, 2, "Неверная подпись запроса (Sign)");
  call.hashed = (f.get("hash") ?? "").toLowerCase() === md5Hex([...parts, key].join("::"));
  if (!call.hashed) return answer(2, 3, "Неверная контрольная подпись (Hash)");

  if (method === "getPurchaseInfo") return purchaseInfo(res, call, host, inv, behaviour, answer);

  let status: "4" | "5" | "8";
  let refundAmount: string | undefined;
  if (method === "purchaseToPaid") {
    if (inv.status !== "6") return answer(0, 101, "Счёт не захолдирован: списывать нечего");
    status = "5";
  } else if (inv.status === "3" || inv.status === "6" || inv.status === "7") {
    if (call.amount !== null) return answer(0, 102, "Частичная отмена неоплаченного счёта не поддерживается");
    status = "4";
  } else if (inv.status === "5" || inv.status === "8") {
    const paid = kopecks(inv.recipientAmount) ?? 0n;
    const refunded = BigInt(inv.refundedKopecks);
    const rest = paid - refunded;
    const requested = call.amount === null ? rest : kopecks(call.amount);
    if (requested === null || requested <= 0n) return answer(0, 103, "Неверная сумма возврата");
    if (requested > rest) return answer(0, 104, "Сумма возврата больше суммы, доступной к возврату");
    const executed = behaviour.refundWholeRemainder ? rest : requested;
    inv.refundedKopecks = String(refunded + executed);
    status = "8";
    refundAmount = decimal(refunded + executed);
  } else {
    return answer(0, 105, "Операция невозможна: счёт отменён");
  }
  if (behaviour.hangAfterExecuting) {
    // Executed, and the answer is lost: the connection stays open until the client gives up.
    host.apiCalls.push(call);
  } else if (behaviour.warning) {
    answer(0, 1, behaviour.warning);
  } else {
    answer(0, 0, "Операция принята");
  }
  host.followUp(inv, status, refundAmount);
}

function purchaseInfo<I extends ApiInvoice>(
  res: ServerResponse,
  call: ApiCall,
  host: MerchantApiHost<I>,
  inv: I,
  behaviour: MerchantApiBehaviour,
  answer: (operationCode: number, resultCode: number, desc: string, result?: Record<string, unknown>) => void,
) {
  if (behaviour.purchaseInfo === "unavailable") {
    Object.assign(call, { desc: "HTTP 503" });
    host.apiCalls.push(call);
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
    res.end("Service Unavailable");
    return;
  }
  const facts: Record<string, unknown> = {
    InvoiceId: inv.paymentId,
    OrderId: inv.orderId,
    EshopId: Number(inv.eshopId),
    RecipientAmount: inv.recipientAmount,
    RecipientCurrency: inv.recipientCurrency,
    PaymentStatus: Number(inv.status),
  };
  if (behaviour.purchaseInfo !== "no_refund_field") {
    facts.RefundAmount = decimal(BigInt(inv.refundedKopecks));
    call.refundAmount = facts.RefundAmount as string;
  }
  answer(0, 0, "OK", facts);
}
