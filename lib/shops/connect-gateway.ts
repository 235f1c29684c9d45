// «Подключить способ оплаты» (docs/protocols/insales.md §2 «Its settings»):
// create or update the shop's PaymentGateway::External through the InSales API so the merchant copies
// nothing by hand. Runs only inside the `connect-gateway` job (lib/shops/connect-gateway-job.ts): one
// run per shop at a time, never on a request. Its statements are lib/shops/gateway-store.ts.
import { decryptSecret, encryptSecret, randomToken } from "../crypto";
import {
  createGateway,
  GATEWAY_TYPE,
  getGateway,
  listDeliveryVariantIds,
  listGateways,
  updateGateway,
  type GatewayApiFailure,
  type GatewayInput,
  type RemoteGateway,
} from "../insales/gateway";
import { secureInsalesUrl } from "../insales/secure-url";
import { log } from "../log";
import { checkoutUrl } from "../app-urls";
import { requestWidgetSync } from "../widget/sync-widget-queue";
import { loadShopWithGateway, markGatewayConnected, setGatewayState, storeGatewayPassword } from "./gateway-store";

export type ConnectGatewayResult =
  | { ok: true; gatewayId: string; created: boolean }
  | { ok: false; reason: "shop_not_found" | "shop_inactive" | GatewayApiFailure["reason"]; message: string };

/** What the merchant reads on the settings screen when connecting failed (Russian, no secrets). */
export function gatewayErrorMessage(failure: GatewayApiFailure | { ok: false; reason: "shop_inactive" }): string {
  switch (failure.reason) {
    case "unauthorized":
    case "shop_inactive":
      return "Нет доступа к API магазина: переустановите приложение";
    case "forbidden":
      return "У приложения нет права управлять способами оплаты в InSales: переустановите приложение и разрешите доступ к способам оплаты";
    case "invalid":
      return failure.messages.length
        ? `InSales не принял способ оплаты: ${failure.messages.join("; ")}`
        : "InSales не принял способ оплаты";
    case "not_found":
    case "unavailable":
    case "bad_answer":
      return "InSales недоступен, попробуйте позже";
  }
}

async function fail(shopId: string, failure: GatewayApiFailure | { ok: false; reason: "shop_inactive" }): Promise<ConnectGatewayResult> {
  const message = gatewayErrorMessage(failure);
  await setGatewayState(shopId, "FAILED", message);
  log.warn({ shopId, reason: failure.reason }, "connect-gateway: failed");
  return { ok: false, reason: failure.reason, message };
}

export async function connectGateway(shopId: string): Promise<ConnectGatewayResult> {
  const shop = await loadShopWithGateway(shopId);
  if (!shop) return { ok: false, reason: "shop_not_found", message: "Магазин не найден" };
  if (shop.status !== "ACTIVE" || !shop.apiPasswordEnc) return fail(shopId, { ok: false, reason: "shop_inactive" });
  const api = { host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) };

  // Reuse the stored «Пароль» on update; a new one is saved before any API call, so a run that dies
  // after InSales created the method still knows the password it set (and adopts that method next time).
  let password: string;
  if (shop.gateway?.passwordEnc) {
    password = decryptSecret(shop.gateway.passwordEnc);
  } else {
    password = randomToken(16);
    await storeGatewayPassword(shopId, encryptSecret(password));
  }

  const variants = await listDeliveryVariantIds(api);
  if (!variants.ok) return fail(shopId, variants);
  const input: GatewayInput = { url: checkoutUrl(), shopId: shop.insalesId, password, deliveryVariantIds: variants.ids };

  // Which existing method to update: the stored one if it still exists, else one that already points at
  // our URL (left by an interrupted run or set up by hand) — never a second IntellectMoney method.
  let existing: { id: string; deliveryVariantIds: number[] } | null = null;
  if (shop.gateway?.gatewayId) {
    const found = await getGateway(api, shop.gateway.gatewayId);
    if (found.ok) existing = found.gateway;
    else if (found.reason !== "not_found") return fail(shopId, found);
  }
  if (!existing) {
    const all = await listGateways(api);
    if (!all.ok) return fail(shopId, all);
    existing = all.gateways.find((g) => g.type === GATEWAY_TYPE && g.url === input.url) ?? null;
  }

  let result: { ok: true; gateway: RemoteGateway } | GatewayApiFailure;
  if (existing) {
    const linked = new Set(existing.deliveryVariantIds);
    result = await updateGateway(api, existing.id, { ...input, deliveryVariantIds: variants.ids.filter((id) => !linked.has(id)) });
  } else {
    result = await createGateway(api, input);
  }
  if (!result.ok) return fail(shopId, result);

  const g = result.gateway;
  await markGatewayConnected(shopId, {
    gatewayId: g.id,
    passwordEnc: encryptSecret(password),
    // The update answer may omit the URLs: keep what the create answer gave us. Stored in their https
    // form: InSales's examples are http and it redirects to https (lib/insales/secure-url.ts).
    ...(g.successUrl ? { successUrl: secureInsalesUrl(g.successUrl) } : {}),
    ...(g.failUrl ? { failUrl: secureInsalesUrl(g.failUrl) } : {}),
    ...(g.serverUrl ? { serverUrl: secureInsalesUrl(g.serverUrl) } : {}),
  });
  // The order-card widget comes with the payment method (lib/widget/sync-widget.ts), with a fresh secret on
  // every connection: its own job, so a shop that refuses widgets still has its payment method.
  await requestWidgetSync(shopId);
  log.info({ shopId, gatewayId: g.id, created: !existing }, "connect-gateway: connected");
  return { ok: true, gatewayId: g.id, created: !existing };
}

/** For the job's last resort: an unexpected error must not leave the screen spinning on CONNECTING. */
export async function markGatewayFailedUnexpectedly(shopId: string): Promise<void> {
  await setGatewayState(shopId, "FAILED", "Не удалось подключить способ оплаты, попробуйте ещё раз позже");
}
