// Push the order-card widget to one shop (docs/protocols/insales.md §3 «Application widgets»): create it, or
// update ours, with a fresh widget secret each time, so every reconnect of the payment method rotates the
// secret (docs/SECURITY.md «The order-card widget»). Runs only inside the sync-widget job (sync-widget-job.ts).
//
// Crash safety: the new secret is stored as the *pending* one before InSales sees it, and both it and the
// one in force are accepted until the push is confirmed; then the pending one replaces the old. A run that
// dies after InSales took the new code therefore leaves a working widget, and the next run finishes the swap.
//
// Which widget is ours: the stored id when it still exists, else those whose code carries our marker
// (lib/widget/widget-code.ts widgetMarker): an interrupted run or an earlier install may have left one. Any
// further copies of ours are deleted; other apps' widgets are never touched.
import { decryptSecret, encryptSecret } from "../crypto";
import { env } from "../env";
import { createWidget, deleteWidget, getWidget, listWidgets, updateWidget, type WidgetApiFailure } from "../insales/application-widgets";
import { log } from "../log";
import { WIDGET_CODE_VERSION, WIDGET_HEIGHT, widgetCode, widgetMarker } from "./widget-code";
import { newWidgetSecret } from "./widget-signature";
import { loadShopForWidget, markWidgetFailed, markWidgetInstalled, markWidgetInstalling } from "./widget-store";

export type SyncWidgetResult =
  | { ok: true; widgetId: string; created: boolean }
  | { ok: false; reason: "shop_not_found" | "shop_inactive" | WidgetApiFailure["reason"]; message: string };

/** What the merchant reads about the widget on the settings screen when pushing it failed (Russian, no secrets). */
export function widgetErrorMessage(reason: WidgetApiFailure["reason"] | "shop_inactive", messages: string[] = []): string {
  switch (reason) {
    case "unauthorized":
    case "shop_inactive":
      return "Нет доступа к API магазина: переустановите приложение";
    case "forbidden":
      return "У приложения нет права добавлять виджеты в InSales, поэтому на странице заказа нет блока IntellectMoney. Переустановите приложение и разрешите доступ к виджетам.";
    case "invalid":
      return messages.length ? `InSales не принял виджет: ${messages.join("; ")}` : "InSales не принял виджет";
    case "not_found":
    case "unavailable":
    case "bad_answer":
      return "InSales недоступен: виджет на странице заказа будет установлен позже";
  }
}

async function fail(shopId: string, failure: WidgetApiFailure | { ok: false; reason: "shop_inactive" }): Promise<SyncWidgetResult> {
  const message = widgetErrorMessage(failure.reason, failure.reason === "invalid" ? failure.messages : []);
  await markWidgetFailed(shopId, message);
  log.warn({ shopId, reason: failure.reason }, "sync-widget: failed");
  return { ok: false, reason: failure.reason, message };
}

/**
 * Uninstall's last attempt to take the widget off the order card (docs/protocols/insales.md §3 «Application
 * widgets»): with the password InSales sent in the uninstall call, once, within a few seconds, before our 200
 * completes the removal. Whether InSales still answers its API then is not documented; whatever happens, the
 * widget's secrets are already gone, so a widget left behind shows nothing.
 */
export async function removeWidgetOnUninstall(shop: { id: string; host: string }, apiPassword: string, widgetId: string): Promise<boolean> {
  const removed = await deleteWidget({ host: shop.host, apiPassword }, widgetId, { maxAttempts: 1, timeoutMs: 3_000 }).catch(() => ({ ok: false as const, reason: "unavailable" as const }));
  if (removed.ok) log.info({ shopId: shop.id, widgetId }, "sync-widget: widget deleted on uninstall");
  else log.info({ shopId: shop.id, widgetId, reason: removed.reason }, "sync-widget: widget not deleted on uninstall (its secret is gone: it shows nothing)");
  return removed.ok;
}

export async function syncWidget(shopId: string): Promise<SyncWidgetResult> {
  const shop = await loadShopForWidget(shopId);
  if (!shop) return { ok: false, reason: "shop_not_found", message: "Магазин не найден" };
  if (shop.status !== "ACTIVE" || !shop.apiPasswordEnc) return fail(shopId, { ok: false, reason: "shop_inactive" });
  const api = { host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) };
  const appUrl = env().APP_URL;

  const secret = newWidgetSecret();
  await markWidgetInstalling(shopId, encryptSecret(secret));
  const code = widgetCode({ appUrl, insalesId: shop.insalesId, secret });

  let existing: string | null = null;
  const extra: string[] = [];
  if (shop.widget?.widgetId) {
    const found = await getWidget(api, shop.widget.widgetId);
    if (found.ok) existing = found.widget.id;
    else if (found.reason !== "not_found") return fail(shopId, found);
  }
  if (!existing) {
    const all = await listWidgets(api);
    if (!all.ok) return fail(shopId, all);
    const ours = all.widgets.filter((w) => w.code.includes(widgetMarker(appUrl)));
    existing = ours[0]?.id ?? null;
    extra.push(...ours.slice(1).map((w) => w.id));
  }

  let widgetId: string;
  if (existing) {
    const updated = await updateWidget(api, existing, code, WIDGET_HEIGHT);
    // Deleted in the back office between our read and the update: create it anew.
    if (!updated.ok && updated.reason !== "not_found") return fail(shopId, updated);
    if (updated.ok) widgetId = existing;
    else {
      const created = await createWidget(api, code, WIDGET_HEIGHT);
      if (!created.ok) return fail(shopId, created);
      widgetId = created.id;
      existing = null;
    }
  } else {
    const created = await createWidget(api, code, WIDGET_HEIGHT);
    if (!created.ok) return fail(shopId, created);
    widgetId = created.id;
  }
  await markWidgetInstalled(shopId, widgetId, WIDGET_CODE_VERSION);
  for (const id of extra) {
    const removed = await deleteWidget(api, id);
    if (!removed.ok) log.warn({ shopId, widgetId: id, reason: removed.reason }, "sync-widget: could not delete a duplicate widget of ours");
  }
  log.info({ shopId, widgetId, created: !existing, duplicatesRemoved: extra.length }, "sync-widget: widget installed");
  return { ok: true, widgetId, created: !existing };
}
