// Install (docs/protocols/insales.md §1 Install, revised): InSales calls us with a one-time token; the
// shop's API password is MD5(token + INSALES_APP_SECRET), kept only encrypted. The call is unsigned and
// insales_id is public, so nothing changes here: the call becomes a candidate (lib/shops/install-candidates.ts)
// and the shop's host and password switch only once lib/shops/sync-account.ts has proven it against
// /admin/account.json — after our 200, which is what unlocks the API for the shop. Reinstall, with or
// without an uninstall before it, goes the same way; the shop's settings and payments are kept.
import type { InstallParams } from "../insales/lifecycle-params";
import { admitInstallCandidate, type AdmitResult } from "./install-candidates";

export { appApiPassword } from "./install-candidates";

export type InstallResult = AdmitResult;

/** `sourceAddress`: the caller's address as the rate limiter sees it (lib/http/rate-limit.ts clientAddress). */
export async function installShop(params: InstallParams, options: { sourceAddress?: string } = {}): Promise<InstallResult> {
  return admitInstallCandidate(params, options);
}
