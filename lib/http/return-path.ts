// Where the «Войти» round trip may send the merchant afterwards (a deep link from the order-card widget:
// docs/SECURITY.md «The order-card widget»). The value arrives unsigned in the login URL, so it is only ever a
// same-origin relative path to one of our merchant screens — never a URL, a protocol-relative `//host`, a
// backslash trick or anything the browser could resolve to another origin (an open redirect).
const SCREENS = /^\/(?:payments|payments\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|payment-links|settings|mails)$/;
/** The query a screen may carry: only an InSales order id (the payment-links screen's `order`). */
const QUERY = /^(?:\?order=\d{1,20})?$/;
const BASE = "https://return-path.invalid";

/** The path (with its query) to go to after login, or null when `raw` is not one of ours. */
export function safeReturnPath(raw: string | null | undefined): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 200) return null;
  // Checked on the raw text first: the URL parser below forgives what browsers also forgive.
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\s\u0000-\u001f\u007f%@]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE || url.hash !== "" || url.username !== "" || url.password !== "") return null;
  if (!SCREENS.test(url.pathname) || !QUERY.test(url.search)) return null;
  if (url.search && url.pathname !== "/payment-links") return null;
  const path = `${url.pathname}${url.search}`;
  // Nothing was normalised away on the way (`/payments/../x`, `/./settings`): the path is exactly what came.
  return path === raw ? path : null;
}
