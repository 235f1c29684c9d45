// The 54-ФЗ receipt of a checkout (docs/protocols/intellectmoney.md §6; issue 7): when the shop has
// «Фискальные чеки (54-ФЗ)» on, the invoice form carries `merchantReceipt` built from the InSales order.
// Where the order comes from, in order of preference:
//   1. the order the API fallback of the verification has fetched already (the signature did not match,
//      so order_json — covered by that signature — is not evidence; the API answer is);
//   2. the checkout's `order_json` (signed, «Передавать детальную информацию о заказе» on);
//   3. `GET /admin/orders/<order_id>.json` with the shop's API password — the only extra call, and only
//      when order_json is absent or unusable.
// [decision] No receipt, no invoice: a payment without the receipt the merchant asked for breaks 54-ФЗ,
// so a failure refuses the checkout (a Russian page for the buyer, a problem and letter 7 for the merchant).
import type { ShopSettings } from "../generated/prisma/client";
import { insalesApi, type InsalesApiShop } from "../insales/api-client";
import type { CheckoutRequest } from "../insales/checkout-request";
import { buildReceipt, receiptJson, type Receipt, type ReceiptResult } from "../intellectmoney/receipt";
import { log } from "../log";

export type ReceiptSource = "order_json" | "api";

export type CheckoutReceiptOutcome =
  | { ok: true; receipt: null }
  /** `order`: the InSales order the receipt was built from (the checkout reads its currency from it when it came from the API). */
  | { ok: true; receipt: Receipt; json: string; source: ReceiptSource; order: Record<string, unknown> }
  /**
   * `unavailable`: InSales could not be asked now (network, rate limit, 5xx) — the buyer may retry later.
   * `failed`: no valid receipt can be made from what we have. `detail` is for the merchant (Russian, no
   * buyer contacts, no secrets).
   */
  | { ok: false; reason: "receipt_unavailable" | "receipt_failed"; detail: string };

export type CheckoutReceiptInput = {
  settings: ShopSettings;
  request: CheckoutRequest;
  /** What the invoice charges (recipientAmount). */
  amountKopecks: bigint;
  /** The shop's InSales API access; null when it has none. */
  api: InsalesApiShop | null;
  /** An order already read from the API (by the verification's fallback): used, never read twice. */
  verifiedOrder?: unknown;
};

const BUILD_FAILURES: Record<Extract<ReceiptResult, { ok: false }>["reason"], string> = {
  invalid_order: "в заказе InSales нет позиций с ценами в понятном виде",
  no_customer_contact: "у покупателя нет ни e-mail, ни телефона (54-ФЗ требует контакт для электронного чека)",
  no_inn: "в настройках чеков не указан ИНН",
  invalid_amount: "неверная сумма счёта",
};

type OrderClient = { email?: unknown; phone?: unknown };

/** InSales may wrap the order in a root key (`{"order": {...}}`) as its API bodies are; accept both. */
function unwrapOrder(value: unknown): Record<string, unknown> | null {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.order_lines)) return v;
  const inner = v.order;
  if (inner !== null && typeof inner === "object" && Array.isArray((inner as Record<string, unknown>).order_lines)) return inner as Record<string, unknown>;
  return null;
}

function parseOrderJson(raw: string): Record<string, unknown> | null {
  if (raw.trim() === "") return null;
  try {
    return unwrapOrder(JSON.parse(raw));
  } catch {
    return null;
  }
}

/** The buyer's contact for the electronic receipt: e-mail, else phone; the checkout's first, then the order's. */
function customerContact(request: CheckoutRequest, order: Record<string, unknown>): string {
  const client = (order.client && typeof order.client === "object" ? order.client : {}) as OrderClient;
  const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  return text(request.email) || text(request.phone) || text(client.email) || text(client.phone);
}

async function fetchOrder(api: InsalesApiShop | null, orderId: string): Promise<{ ok: true; order: Record<string, unknown> } | Extract<CheckoutReceiptOutcome, { ok: false }>> {
  if (!api) return { ok: false, reason: "receipt_failed", detail: "заказ не передан в запросе (order_json), а доступа к API InSales у приложения нет" };
  if (!/^\d{1,20}$/.test(orderId)) return { ok: false, reason: "receipt_failed", detail: "неверный номер заказа InSales" };
  // Bounded: the buyer is waiting on this page (the client's defaults allow up to 55 s and 30 s of Retry-After).
  const answer = await insalesApi(api, "GET", `/admin/orders/${orderId}.json`, undefined, { maxAttempts: 2, maxTotalWaitMs: 3_000, timeoutMs: 15_000 });
  if (!answer.ok) {
    if (answer.reason === "not_found") return { ok: false, reason: "receipt_failed", detail: "заказ не найден через API InSales" };
    if (answer.reason === "unauthorized" || answer.reason === "forbidden") {
      return { ok: false, reason: "receipt_failed", detail: "API InSales не дал прочитать заказ (нет прав у приложения или оно удалено)" };
    }
    return { ok: false, reason: "receipt_unavailable", detail: `API InSales не ответил на запрос заказа (${answer.reason})` };
  }
  const order = unwrapOrder(answer.json);
  if (!order) return { ok: false, reason: "receipt_failed", detail: "API InSales вернул заказ без позиций" };
  return { ok: true, order };
}

export async function checkoutReceipt(input: CheckoutReceiptInput): Promise<CheckoutReceiptOutcome> {
  const s = input.settings;
  // Only organizations have a cash register of their own; a wallet invoice carries no receipt (§2).
  if (s.legalForm !== "ORGANIZATION" || !s.receiptsEnabled) return { ok: true, receipt: null };
  if (!s.receiptInn || s.receiptVatGoods === null || s.receiptVatDelivery === null) {
    return { ok: false, reason: "receipt_failed", detail: "настройки чеков заполнены не полностью" };
  }

  let order: Record<string, unknown> | null = null;
  let source: ReceiptSource = "api";
  if (input.verifiedOrder !== undefined) {
    order = unwrapOrder(input.verifiedOrder);
  } else {
    order = parseOrderJson(input.request.order_json ?? "");
    if (order) source = "order_json";
    else if (input.request.order_json) log.warn({ orderId: input.request.order_id }, "checkout receipt: order_json is not an order, asking the API");
  }
  if (!order) {
    const fetched = await fetchOrder(input.api, input.request.order_id);
    if (!fetched.ok) return fetched;
    order = fetched.order;
    source = "api";
  }

  const built = buildReceipt({
    order,
    amountKopecks: input.amountKopecks,
    customerContact: customerContact(input.request, order),
    settings: {
      inn: s.receiptInn,
      group: s.receiptGroup,
      vatGoods: s.receiptVatGoods,
      vatDelivery: s.receiptVatDelivery,
      subjectType: s.receiptSubjectType,
      methodType: s.receiptMethodType,
    },
    fallbackText: input.request.description,
  });
  if (!built.ok) return { ok: false, reason: "receipt_failed", detail: BUILD_FAILURES[built.reason] };
  return { ok: true, receipt: built.receipt, json: receiptJson(built.receipt), source, order };
}
