// One InSales order through the REST API (docs/protocols/insales.md §3 «Orders»): read it (GET
// /admin/orders/<id>.json) for what a payment link needs, and mark it paid (PUT with `financial_status`
// «paid») when a payment link was paid and there is no checkout transaction of our payment method to notify.
// Plain API calls returning values; the use cases (lib/payment-links, lib/notices) decide.
import { z } from "zod";
import { parseKopecks } from "../money";
import { insalesApi, type InsalesApiOptions, type InsalesApiResult, type InsalesApiShop } from "./api-client";

/** What a payment link reads of an order. Sums are in the site's currency, never converted (§2). */
export type InsalesOrder = {
  id: string;
  key: string;
  number: string | null;
  /** `total_price` in kopecks. */
  totalKopecks: bigint;
  /** `financial_status`: «paid» once paid (module IS-GEM `Order#paid?`), «pending» before. */
  financialStatus: string | null;
  paymentGatewayId: string | null;
  clientTransactionId: string | null;
  currencyCode: string | null;
  clientEmail: string | null;
  clientPhone: string | null;
  clientName: string | null;
  /** The whole answer (the 54-ФЗ receipt is built from its lines: lib/checkout/checkout-receipt.ts). */
  raw: Record<string, unknown>;
};

export type OrderReadFailure = { ok: false; reason: "not_found" | "forbidden" | "unauthorized" | "unavailable" | "bad_answer" };

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const optionalId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).nullish().transform((v) => (v === null || v === undefined ? null : String(v)));
/** Sums as InSales writes them ("1200.0"); a JSON number is taken only when its text is such a decimal. */
const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const k = parseKopecks(String(v).trim());
  if (k === null) {
    ctx.addIssue({ code: "custom", message: "not a sum" });
    return z.NEVER;
  }
  return k;
});
const text = z.unknown().transform((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : null));

const orderSchema = z
  .object({
    id,
    key: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    number: text,
    total_price: money,
    financial_status: text,
    payment_gateway_id: optionalId,
    client_transaction_id: text,
    currency_code: text,
    client: z.object({ email: text, phone: text, name: text }).loose().nullish(),
  })
  .loose();

/** InSales may wrap the order in its root key (`{"order": {...}}`) as its API bodies are; accept both. */
function unwrap(json: unknown): unknown {
  if (json && typeof json === "object" && !Array.isArray(json) && "order" in json && typeof (json as { order: unknown }).order === "object") return (json as { order: unknown }).order;
  return json;
}

export function parseOrder(json: unknown): InsalesOrder | null {
  const parsed = orderSchema.safeParse(unwrap(json));
  if (!parsed.success) return null;
  const o = parsed.data;
  return {
    id: o.id,
    key: o.key,
    number: o.number,
    totalKopecks: o.total_price,
    financialStatus: o.financial_status,
    paymentGatewayId: o.payment_gateway_id,
    clientTransactionId: o.client_transaction_id,
    currencyCode: o.currency_code,
    clientEmail: o.client?.email ?? null,
    clientPhone: o.client?.phone ?? null,
    clientName: o.client?.name ?? null,
    raw: unwrap(json) as Record<string, unknown>,
  };
}

function readFailure(answer: Extract<InsalesApiResult, { ok: false }>): OrderReadFailure {
  if (answer.reason === "not_found" || answer.reason === "forbidden" || answer.reason === "unauthorized") return { ok: false, reason: answer.reason };
  return { ok: false, reason: "unavailable" };
}

/** GET /admin/orders/<id>.json. `options` bound the call where a person is waiting. */
export async function readOrder(shop: InsalesApiShop, orderId: string, options?: InsalesApiOptions): Promise<{ ok: true; order: InsalesOrder } | OrderReadFailure> {
  if (!/^\d{1,20}$/.test(orderId)) return { ok: false, reason: "not_found" };
  const answer = await insalesApi(shop, "GET", `/admin/orders/${orderId}.json`, undefined, options);
  if (!answer.ok) return readFailure(answer);
  const order = parseOrder(answer.json);
  if (!order || order.id !== orderId) return { ok: false, reason: "bad_answer" };
  return { ok: true, order };
}

export type MarkPaidFailure =
  /** 403: the app lacks the permission to change orders (§3 «Permissions»); 401: uninstalled; 404: deleted. */
  | { ok: false; reason: "forbidden" | "unauthorized" | "not_found" }
  | { ok: false; reason: "invalid"; messages: string[] }
  /** Not processed (rate limit, 5xx, timeout, no answer): try again later. */
  | { ok: false; reason: "retry"; error: string; retryAfterSeconds: number | null };

/**
 * PUT /admin/orders/<id>.json `{"order": {"financial_status": "paid"}}` — the order's payment state, which is
 * separate from its workflow status (§3 «Order statuses»). Setting it again is harmless, so a retry after an
 * unclear answer is safe.
 */
export async function markOrderPaid(shop: InsalesApiShop, orderId: string): Promise<{ ok: true } | MarkPaidFailure> {
  if (!/^\d{1,20}$/.test(orderId)) return { ok: false, reason: "not_found" };
  const answer = await insalesApi(shop, "PUT", `/admin/orders/${orderId}.json`, { order: { financial_status: "paid" } }, { maxAttempts: 1, timeoutMs: 20_000 });
  // A 2xx whose body is not JSON was still applied (the vendor's widget update, for one, answers with no body).
  if (answer.ok || (answer.reason === "bad_response" && answer.status >= 200 && answer.status < 300)) return { ok: true };
  switch (answer.reason) {
    case "forbidden":
    case "unauthorized":
    case "not_found":
      return { ok: false, reason: answer.reason };
    case "invalid":
      return { ok: false, reason: "invalid", messages: (answer.errors ?? []).slice(0, 10).map((m) => m.slice(0, 300)) };
    default:
      return { ok: false, reason: "retry", error: `InSales ответил ${answer.status || "—"} (${answer.reason})`, retryAfterSeconds: answer.retryAfterSeconds ?? null };
  }
}
