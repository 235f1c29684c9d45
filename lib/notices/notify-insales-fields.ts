// The signed fields of a result notice to InSales (docs/protocols/insales.md §2 «Result notice»), shared by
// both channels: the server-to-server notice (notify-insales.ts) and the buyer's return (buyer-return.ts).
// The URLs go out in their https form (lib/insales/secure-url.ts): a row stored before the migration, or a
// URL stored by a future path that forgot, still never makes us post to http on a myinsales.ru host.
import { decryptSecret } from "../crypto";
import type { Payment, ShopGateway, ShopSettings } from "../generated/prisma/client";
import { resultNoticeSignature } from "../insales/signatures";
import { secureInsalesUrl } from "../insales/secure-url";
import { shopBaseUrl } from "../insales/shop-host";

/**
 * The password that signs notices for this payment: the one its checkout was verified with
 * (Payment.insalesPasswordSource) — the payment method's «Пароль» we generated, or, for a method set up
 * by hand, the IntellectMoney secret key (§2 «Its settings»). Null when it is gone (uninstall wipes it).
 */
export function noticePassword(
  payment: Pick<Payment, "insalesPasswordSource">,
  gateway: Pick<ShopGateway, "passwordEnc"> | null,
  settings: Pick<ShopSettings, "secretKeyEnc"> | null,
): string | null {
  const sealed = payment.insalesPasswordSource === "secret_key" ? settings?.secretKeyEnc : gateway?.passwordEnc;
  return sealed ? decryptSecret(sealed) : null;
}

/** paid, amount, key, transaction_id, shop_id — the raw strings InSales sent in the checkout — and signature. */
export function signedNoticeFields(
  payment: Pick<Payment, "insalesShopIdRaw" | "amountRaw" | "transactionId" | "orderKey">,
  paid: 0 | 1,
  password: string,
): Array<[string, string]> {
  const f = { shopId: payment.insalesShopIdRaw, amount: payment.amountRaw, transactionId: payment.transactionId, key: payment.orderKey, paid: String(paid) as "0" | "1" };
  return [
    ["paid", f.paid],
    ["amount", f.amount],
    ["key", f.key],
    ["transaction_id", f.transactionId],
    ["shop_id", f.shopId],
    ["signature", resultNoticeSignature(f, password)],
  ];
}

/** The gateway's server_url as InSales gave it, else the documented path on the shop host. */
export function noticeServerUrl(host: string, gateway: Pick<ShopGateway, "serverUrl"> | null): string {
  return gateway?.serverUrl ? secureInsalesUrl(gateway.serverUrl) : `${shopBaseUrl(host)}/payments/external/server`;
}

/** success_url / fail_url as InSales gave them, else `<shop base>/payments/external/<gateway id>/<outcome>`. */
export function buyerReturnTarget(host: string, gateway: Pick<ShopGateway, "successUrl" | "failUrl" | "gatewayId"> | null, outcome: "success" | "fail"): string | null {
  const given = outcome === "success" ? gateway?.successUrl : gateway?.failUrl;
  if (given) return secureInsalesUrl(given);
  if (!gateway?.gatewayId) return null;
  return `${shopBaseUrl(host)}/payments/external/${encodeURIComponent(gateway.gatewayId)}/${outcome}`;
}

/** The buyer's order page in the shop (§2 «Checkout request» `key`). */
export function orderPageUrl(host: string, orderKey: string): string {
  return `${shopBaseUrl(host)}/orders/${encodeURIComponent(orderKey)}`;
}
