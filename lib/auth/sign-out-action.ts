"use server";
// «Выйти». The session is a next-auth JWT in one cookie (lib/auth/options.ts), so signing out is deleting
// that cookie — what next-auth's own sign-out does for JWT sessions — without shipping next-auth's
// client library (~12 kB gzip) to every merchant page. Deleting a cookie in a server action also drops
// the client router's cache, so no page of this shop stays reachable from the browser's memory.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { sessionCookieName, shouldUseSecureCookies } from "./options";
import { getShopSession } from "./session";
import { log } from "../log";

export async function signOutAction(): Promise<void> {
  const session = await getShopSession();
  const jar = await cookies();
  jar.delete({ name: sessionCookieName(), path: "/", secure: shouldUseSecureCookies(), httpOnly: true, sameSite: "lax" });
  if (session) log.info({ shopId: session.shopId }, "auth: signed out");
  redirect("/login-required");
}
