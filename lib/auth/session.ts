// The merchant's session, checked by every merchant page and server action (server actions are public
// endpoints: docs/ARCHITECTURE.md convention 11). The cookie's claims are re-checked against
// the shop on every request (lib/auth/session-claims.ts): an uninstall or a proven reinstall ends every
// older session of that shop at once.
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authOptions, type ShopSessionClaims } from "./options";
import { validShopSession } from "./session-claims";

/**
 * Memoised per request (React `cache`): the merchant layout and its page both ask, and each ask would
 * otherwise decrypt the JWT and query the shop again. Server actions run in their own request.
 */
export const getShopSession = cache(async (): Promise<ShopSessionClaims | null> => {
  const session = (await getServerSession(authOptions())) as { shop?: Partial<ShopSessionClaims> } | null;
  return validShopSession(session?.shop);
});

/** For pages: the session or a redirect to the «войдите через InSales» page. */
export async function requireShopSession(): Promise<ShopSessionClaims> {
  const claims = await getShopSession();
  if (!claims) redirect("/login-required");
  return claims;
}
