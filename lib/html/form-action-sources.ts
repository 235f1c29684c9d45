// Where the two buyer-facing auto-submitting forms may send the browser: the CSP `form-action` of the
// checkout page (the invoice form to IntellectMoney) and of the return page (the signed notice to InSales).
// Browsers apply form-action to the form's target AND to every redirect answering that POST, so the list
// must hold every host the vendor may redirect the POST to, or the buyer is left on a blocked page.
import { env } from "../env";

/**
 * The checkout page (docs/protocols/intellectmoney.md §10):
 * - the origin of the form's own target (INTELLECTMONEY_MERCHANT_URL; `https://merchant.intellectmoney.ru`
 *   in production, a stand-in in tests);
 * - `https://*.intellectmoney.ru`: IntellectMoney's hosts — the merchant host, its own test stands
 *   `merchant-test.<name>.dev.intellectmoney.ru` (the wildcard covers any depth of subdomain), and whatever
 *   other host of its own it moves the POST to;
 * - `https://intellectmoney.ru`: the bare domain, which the wildcard does not cover;
 * - our own origin (APP_URL): IntellectMoney may answer the POST with a redirect straight to the invoice's
 *   successUrl/failUrl, e.g. when a repeated checkout re-opens an invoice that is already paid or cancelled
 *   [assumption, §10]; those URLs are ours.
 * Card issuers' 3-D Secure pages and SBP are reached from IntellectMoney's own pages, not from a redirect
 * answering our POST, so they are not ours to list (and cannot be listed, §10).
 */
export function checkoutFormAction(action: string): string {
  return [new URL(action).origin, "https://*.intellectmoney.ru", "https://intellectmoney.ru", new URL(env().APP_URL).origin].join(" ");
}

/**
 * The return page (docs/protocols/insales.md §4 pitfall 8): the origin of InSales's success/fail URL, and then
 * wherever InSales redirects the POST to show the order — the shop's own domain (its `main_host`), which we do
 * not know and which may be served over `https` or plain `http`. So any http(s) target is allowed: the form
 * carries only the signed notice fields, which the buyer's browser holds anyway; what form-action still stops
 * is a post to any other scheme.
 */
export function returnFormAction(action: string): string {
  return [new URL(action).origin, "https:", "http:"].join(" ");
}
