// InSales URLs over https (docs/protocols/insales.md §2 «http vs https», §4 pitfall 1). The vendor's own
// examples of success_url / fail_url / server_url are `http://shop.myinsales.ru/…`, while InSales redirects
// http to https (confirmed for its API by the official gem, which moved to https in 2023). A redirected POST
// may lose its body or turn into a GET, so we never post to such an http URL: we use its https form.
//
// The rule, and why it is this narrow [our decision]:
// - Upgraded: an `http://` URL whose host is a shop's technical host `<sub>.myinsales.ru` (the only shape
//   lib/insales/shop-host.ts admits) and that names no port. https is known to work there: every API call of
//   ours already goes to https://<sub>.myinsales.ru (INSALES_SHOP_URL_TEMPLATE's default).
// - Left as given: any other host. A shop's own domain may or may not serve https (nothing we read says),
//   and the local stand-ins run on plain http://127.0.0.1, where there is nothing to upgrade to. For those,
//   the notice still follows a same-host http→https redirect at send time (sameHostHttpsUpgrade below).
// Applied when URLs are stored (connect-gateway), when they are used (notices, the buyer's return form), and
// once to the rows stored before (migration 20261202090000_insales_urls_https, the same rule in SQL).

/**
 * `http://<sub>.myinsales.ru` followed by the path, query, fragment or nothing: no port, no user info.
 * The migration uses this very pattern (case-insensitive, as here).
 */
const HTTP_SHOP_URL = /^http:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru(?=[/?#]|$)/i;

/** The https form of an InSales URL under the rule above; anything else unchanged. */
export function secureInsalesUrl(url: string): string {
  // Only the scheme changes: `http://host/…` → `https://host/…`, the rest byte for byte as InSales gave it.
  return HTTP_SHOP_URL.test(url) ? `https://${url.slice("http://".length)}` : url;
}

export function secureInsalesUrlOrNull(url: string | null | undefined): string | null {
  return url ? secureInsalesUrl(url) : null;
}

/**
 * Whether a redirect from `from` to `to` is the same URL moved to https: `http:` → `https:` on the same host
 * name, same path and query. Only such a redirect is followed by a notice (re-posting its body); any other
 * is an error for the merchant to see (§2 «http vs https»). The port may differ (a server may serve https on
 * its own port); the host may not: a signed notice is never handed to another host.
 */
export function sameHostHttpsUpgrade(from: string, to: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(from);
    b = new URL(to, a);
  } catch {
    return false;
  }
  return (
    a.protocol === "http:" &&
    b.protocol === "https:" &&
    a.hostname === b.hostname &&
    a.pathname === b.pathname &&
    a.search === b.search &&
    b.username === "" &&
    b.password === ""
  );
}
