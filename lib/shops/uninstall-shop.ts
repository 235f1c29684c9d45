// Uninstall (docs/protocols/insales.md §1 Uninstall; §4 pitfall 4): `token` IS the shop's API password —
// compare it, in constant time, with the stored one; do not hash it again. On success the shop is marked
// uninstalled, every credential we hold for it is wiped, every merchant session ends (the session
// generation is bumped) and every install call that arrived before is superseded; payments and their
// history stay for audit. Calls of one insales_id take turns (lib/shops/install-candidates.ts
// lockInsalesId), so a proof finishing at the same moment cannot slip its password in between.
//
// A pending install candidate's password counts as well: only InSales can know it (it needs
// INSALES_APP_SECRET), and a merchant may uninstall before a reinstall was proven.
import { db } from "../db";
import { decryptSecret, hexEquals } from "../crypto";
import { log } from "../log";
import type { UninstallParams } from "../insales/lifecycle-params";
import { lockInsalesId, pendingCandidateWithPassword, supersedeCandidates } from "./install-candidates";

export type UninstallResult =
  | { ok: true; shopId: string | null; alreadyUninstalled: boolean }
  | { ok: false; reason: "unknown_shop" | "bad_token" };

export async function uninstallShop(params: UninstallParams): Promise<UninstallResult> {
  const now = new Date();
  const result = await db().$transaction(async (tx): Promise<UninstallResult> => {
    await lockInsalesId(tx, params.insalesId);
    const shop = await tx.shop.findUnique({ where: { insalesId: params.insalesId }, select: { id: true, status: true, apiPasswordEnc: true } });
    const candidate = await pendingCandidateWithPassword(tx, params.insalesId, params.token);
    if (!shop) {
      if (!candidate) {
        const any = await tx.installCandidate.count({ where: { insalesId: params.insalesId, state: "PENDING" } });
        return { ok: false, reason: any ? "bad_token" : "unknown_shop" };
      }
      // Installed and removed before the install was proven: nothing of ours to remove but the call.
      await supersedeCandidates(tx, params.insalesId, now);
      return { ok: true, shopId: null, alreadyUninstalled: true };
    }
    // Repeated uninstall: InSales retries until it gets 200; there is no password left to check against
    // and nothing left to change (but a pending reinstall it refers to is over too).
    if (shop.status === "UNINSTALLED") {
      if (candidate) await supersedeCandidates(tx, params.insalesId, now);
      return { ok: true, shopId: shop.id, alreadyUninstalled: true };
    }
    const storedMatches = shop.apiPasswordEnc !== null && hexEquals(params.token, decryptSecret(shop.apiPasswordEnc));
    if (!storedMatches && !candidate) return { ok: false, reason: "bad_token" };
    await tx.shop.update({
      where: { id: shop.id },
      data: { status: "UNINSTALLED", uninstalledAt: now, apiPasswordEnc: null, sessionGeneration: { increment: 1 } },
    });
    await tx.shopSettings.updateMany({
      where: { shopId: shop.id },
      data: { secretKeyEnc: null, apiTokenEnc: null, signSecretEnc: null, walletSecretKeyEnc: null },
    });
    await tx.shopGateway.updateMany({ where: { shopId: shop.id }, data: { passwordEnc: null } });
    // Pending «Войти» round trips die with the installation, and so do install calls older than this.
    await tx.loginNonce.deleteMany({ where: { shopId: shop.id } });
    await supersedeCandidates(tx, params.insalesId, now);
    return { ok: true, shopId: shop.id, alreadyUninstalled: false };
  });

  if (result.ok) {
    log.info({ shopId: result.shopId, insalesId: params.insalesId, alreadyUninstalled: result.alreadyUninstalled }, "uninstall: shop uninstalled");
  } else {
    log.warn({ insalesId: params.insalesId, reason: result.reason }, "uninstall: refused");
  }
  return result;
}
