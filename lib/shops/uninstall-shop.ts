// Uninstall (spec/insales-protocol.md §1 Uninstall; §4 pitfall 4): `token` IS the shop's API password —
// compare it, in constant time, with the stored one; do not hash it again. On success the shop is marked
// uninstalled and every credential we hold for it is wiped; payments and their history stay for audit.
// The row is locked while we compare, so a concurrent reinstall cannot slip its new password in between.
import { db } from "../db";
import { decryptSecret, hexEquals } from "../crypto";
import { log } from "../log";
import type { UninstallParams } from "../insales/lifecycle-params";

export type UninstallResult =
  | { ok: true; shopId: string; alreadyUninstalled: boolean }
  | { ok: false; reason: "unknown_shop" | "bad_token" };

export async function uninstallShop(params: UninstallParams): Promise<UninstallResult> {
  const result = await db().$transaction(async (tx): Promise<UninstallResult> => {
    const rows = await tx.$queryRaw<Array<{ id: string; status: string; apiPasswordEnc: string | null }>>`
      SELECT "id", "status"::text AS "status", "apiPasswordEnc" FROM "Shop" WHERE "insalesId" = ${params.insalesId} FOR UPDATE`;
    const shop = rows[0];
    if (!shop) return { ok: false, reason: "unknown_shop" };
    // Repeated uninstall: InSales retries until it gets 200; there is no password left to check against
    // and nothing left to change.
    if (shop.status === "UNINSTALLED") return { ok: true, shopId: shop.id, alreadyUninstalled: true };
    if (!shop.apiPasswordEnc || !hexEquals(params.token, decryptSecret(shop.apiPasswordEnc))) {
      return { ok: false, reason: "bad_token" };
    }
    await tx.shop.update({
      where: { id: shop.id },
      data: { status: "UNINSTALLED", uninstalledAt: new Date(), apiPasswordEnc: null },
    });
    await tx.shopSettings.updateMany({
      where: { shopId: shop.id },
      data: { secretKeyEnc: null, apiTokenEnc: null, signSecretEnc: null, walletSecretKeyEnc: null },
    });
    await tx.shopGateway.updateMany({ where: { shopId: shop.id }, data: { passwordEnc: null } });
    // Pending «Войти» round trips die with the installation.
    await tx.loginNonce.deleteMany({ where: { shopId: shop.id } });
    return { ok: true, shopId: shop.id, alreadyUninstalled: false };
  });

  if (result.ok) {
    log.info({ shopId: result.shopId, insalesId: params.insalesId, alreadyUninstalled: result.alreadyUninstalled }, "uninstall: shop uninstalled");
  } else {
    log.warn({ insalesId: params.insalesId, reason: result.reason }, "uninstall: refused");
  }
  return result;
}
