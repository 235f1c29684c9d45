// The order-card widget's data request (GET /api/widget/order, docs/SECURITY.md «The order-card widget»): the
// shop's insales_id, the order id from `window.order_info`, and the HMAC of both with the shop's widget secret
// (lib/widget/widget-signature.ts). Only a signature made with that shop's secret (in force or being pushed)
// reads anything, and only that shop's payments of that order; anything else — no signature, another shop's
// secret, another order than the one signed, an uninstalled shop — is refused with nothing in it. Read-only:
// no request here changes anything, and every action is a link through the «Войти» round trip.
import { decryptSecret } from "../crypto";
import { log } from "../log";
import { merchantLoginUrl } from "../app-urls";
import { WIDGET_CALLBACK } from "./widget-code";
import { loadOrderWidget } from "./widget-query";
import { orderSignatureValid } from "./widget-signature";
import { loadWidgetAuth } from "./widget-store";
import { renderOrderWidget } from "./widget-view";

export type OrderWidgetQuery = { shop: string | null; order: string | null; sig: string | null; callback: string | null };

export type OrderWidgetOutcome = { ok: true; script: string } | { ok: false; reason: "bad_request" | "denied" };

const DIGITS = /^\d{1,20}$/;

/** The JSONP answer: our fixed callback called with `{ html }` (JSON is valid JavaScript; `<` escaped all the same). */
export function jsonpScript(html: string): string {
  return `${WIDGET_CALLBACK}(${JSON.stringify({ html }).replace(/</g, "\\u003c")});`;
}

export async function orderWidget(q: OrderWidgetQuery, now: Date = new Date()): Promise<OrderWidgetOutcome> {
  if (!q.shop || !DIGITS.test(q.shop) || !q.order || !DIGITS.test(q.order) || q.callback !== WIDGET_CALLBACK) return { ok: false, reason: "bad_request" };
  if (!q.sig) return { ok: false, reason: "denied" };
  const shop = await loadWidgetAuth(q.shop);
  const secrets = shop?.status === "ACTIVE" ? [shop.widget?.secretEnc, shop.widget?.pendingSecretEnc].filter((s): s is string => Boolean(s)).map(decryptSecret) : [];
  if (!shop || !orderSignatureValid(secrets, shop.insalesId, q.order, q.sig)) {
    log.warn({ insalesId: q.shop, known: Boolean(shop), active: shop?.status === "ACTIVE" }, "widget: data request refused (signature)");
    return { ok: false, reason: "denied" };
  }
  const data = await loadOrderWidget(shop.id, q.order);
  const html = renderOrderWidget(
    data,
    {
      card: (paymentId) => merchantLoginUrl(shop, `/payments/${paymentId}`),
      paymentLink: merchantLoginUrl(shop, `/payment-links?order=${q.order}`),
    },
    now,
  );
  return { ok: true, script: jsonpScript(html) };
}
