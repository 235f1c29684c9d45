// Uninstall (docs/protocols/insales.md §1 Uninstall; §4 pitfall 4): `token` IS the shop's API password —
// compare it, in constant time, with the stored one; do not hash it again. On success the shop is marked
// uninstalled, every credential we hold for it is wiped, every merchant session ends (the session
// generation is bumped) and every install call that arrived before is superseded; payments and their
// history stay for audit. Calls of one insales_id take turns (lib/shops/install-candidates.ts
// lockInsalesId), so a proof finishing at the same moment cannot slip its password in between.
//
// A pending install candidate's password counts as well: only InSales can know it (it needs
// INSALES_APP_SECRET), and a merchant may uninstall before a reinstall was proven.
//
// A shop we do not know (never installed here, or its install never proven) is answered as already gone,
// so InSales completes the removal (the official template returns success when no account matches:
// docs/protocols/insales.md §1 Uninstall). Its pending install calls are discarded only when the token is
// one of their passwords, i.e. the call is InSales's own: anyone can send an uninstall for a public
// insales_id, and a made-up one must not cancel a genuine install being proven [our decision]. Made-up
// candidates never prove and end with the proof window anyway.
import { inTransaction } from "../db";
import { decryptSecret, hexEquals } from "../crypto";
import { log } from "../log";
import type { UninstallParams } from "../insales/lifecycle-params";
import { pendingCandidateWithPassword, supersedeCandidates } from "./install-candidates";
import { findShopCredentials, lockInsalesId, wipeShopCredentials } from "./install-store";
import { dropWidgetSecrets } from "../widget/widget-store";
import { removeWidgetOnUninstall } from "../widget/sync-widget";

export type UninstallResult =
  | { ok: true; shopId: string | null; alreadyUninstalled: boolean; unknownShop?: true; widget?: { host: string; widgetId: string } }
  | { ok: false; reason: "bad_token" };

export async function uninstallShop(params: UninstallParams): Promise<UninstallResult> {
  const now = new Date();
  const result = await inTransaction(async (tx): Promise<UninstallResult> => {
    await lockInsalesId(tx, params.insalesId);
    const shop = await findShopCredentials(tx, params.insalesId);
    const candidate = await pendingCandidateWithPassword(tx, params.insalesId, params.token);
    if (!shop) {
      // Nothing of ours to remove: already gone. Installed and removed before the install was proven:
      // the pending calls go too (the token proves the uninstall is InSales's).
      if (candidate) await supersedeCandidates(tx, params.insalesId, now);
      return { ok: true, shopId: null, alreadyUninstalled: true, unknownShop: true };
    }
    // Repeated uninstall: InSales retries until it gets 200; there is no password left to check against
    // and nothing left to change (but a pending reinstall it refers to is over too).
    if (shop.status === "UNINSTALLED") {
      if (candidate) await supersedeCandidates(tx, params.insalesId, now);
      return { ok: true, shopId: shop.id, alreadyUninstalled: true };
    }
    const storedMatches = shop.apiPasswordEnc !== null && hexEquals(params.token, decryptSecret(shop.apiPasswordEnc));
    if (!storedMatches && !candidate) return { ok: false, reason: "bad_token" };
    // Pending «Войти» round trips die with the installation, and so do install calls older than this.
    await wipeShopCredentials(tx, shop.id, now);
    // The order-card widget's secret too: with the app removed its widget, should InSales keep it, sees nothing.
    const widgetId = await dropWidgetSecrets(tx, shop.id);
    await supersedeCandidates(tx, params.insalesId, now);
    return { ok: true, shopId: shop.id, alreadyUninstalled: false, ...(widgetId ? { widget: { host: shop.host, widgetId } } : {}) };
  });

  // Outside the transaction: a last, bounded attempt to take the widget off the order card (lib/widget/sync-widget.ts).
  if (result.ok && result.shopId && result.widget) await removeWidgetOnUninstall({ id: result.shopId, host: result.widget.host }, params.token, result.widget.widgetId);
  if (result.ok) {
    const message = result.unknownShop ? "uninstall: shop unknown here, answered as already gone" : "uninstall: shop uninstalled";
    log.info({ shopId: result.shopId, insalesId: params.insalesId, alreadyUninstalled: result.alreadyUninstalled }, message);
  } else {
    log.warn({ insalesId: params.insalesId, reason: result.reason }, "uninstall: refused");
  }
  return result;
}
