// The merchant's session, checked by every merchant page and server action (server actions are public
// endpoints: ../shared/guide/architecture.md convention 11). Also re-checks that the shop is still
// installed, so an uninstall ends every session of that shop at once.
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { cache } from "react";
import { db } from "../db";
import { authOptions, type ShopSessionClaims } from "./options";

/**
 * Memoised per request (React `cache`): the merchant layout and its page both ask, and each ask would
 * otherwise decrypt the JWT and query the shop again. Server actions run in their own request.
 */
export const getShopSession = cache(async (): Promise<ShopSessionClaims | null> => {
  const session = (await getServerSession(authOptions())) as { shop?: ShopSessionClaims } | null;
  const claims = session?.shop;
  if (!claims?.shopId) return null;
  const shop = await db().shop.findUnique({ where: { id: claims.shopId }, select: { status: true } });
  if (!shop || shop.status !== "ACTIVE") return null;
  return claims;
});

/** For pages: the session or a redirect to the «войдите через InSales» page. */
export async function requireShopSession(): Promise<ShopSessionClaims> {
  const claims = await getShopSession();
  if (!claims) redirect("/login-required");
  return claims;
}
