// Whether a decoded merchant session still holds (lib/auth/session.ts reads the cookie, this decides).
// A JWT cannot be revoked, so two things are re-checked on every request: the shop is still installed,
// and the session was opened under the shop's current session generation — a proven reinstall and an
// uninstall bump it (docs/protocols/insales.md §1), which ends every older session of that shop at once.
// A session minted before the generation existed carries none and is refused: after that release every
// merchant logs in once more (README «Upgrading»).
import { loadSessionShop } from "./session-store";
import type { ShopSessionClaims } from "./options";

export async function validShopSession(claims: Partial<ShopSessionClaims> | null | undefined): Promise<ShopSessionClaims | null> {
  if (!claims?.shopId || typeof claims.sessionGeneration !== "number") return null;
  const shop = await loadSessionShop(claims.shopId);
  if (!shop || shop.status !== "ACTIVE") return null;
  if (claims.sessionGeneration !== shop.sessionGeneration) return null;
  return claims as ShopSessionClaims;
}
