// The `shop` parameter InSales sends on install/uninstall/login (docs/protocols/insales.md §1): the shop's
// technical host `<sub>.myinsales.ru`. It decides where we send Basic-auth API calls (with the shop's
// password) and where «Войти» redirects the merchant, so anything but that exact shape is refused:
// other domains, subdomains of subdomains, ports, paths, schemes, upper case, trailing dots.
import { env } from "../env";

/** One DNS label (letters, digits, inner hyphens, ≤ 63) under myinsales.ru. */
const SHOP_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.myinsales\.ru$/;
const MAX_HOST_LENGTH = 253;

export type ShopHostResult = { ok: true; host: string } | { ok: false; reason: "bad_shop" };

export function parseShopHost(value: string): ShopHostResult {
  if (value.length === 0 || value.length > MAX_HOST_LENGTH || !SHOP_HOST.test(value)) return { ok: false, reason: "bad_shop" };
  return { ok: true, host: value };
}

export function isShopHost(value: string): boolean {
  return parseShopHost(value).ok;
}

/** `https://<host>` in production; tests point INSALES_SHOP_URL_TEMPLATE at a local stand-in. */
export function shopBaseUrl(host: string): string {
  // Hosts reach this only from the database, where install stored them after parseShopHost; a bad one
  // here is a bug, and building a URL from it could send the shop's password elsewhere.
  if (!isShopHost(host)) throw new Error("shopBaseUrl: not a <sub>.myinsales.ru host");
  return env().INSALES_SHOP_URL_TEMPLATE.replaceAll("{shop}", host);
}
