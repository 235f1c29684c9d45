// Creates the next-auth session cookie for a verified «Войти» round trip. next-auth v4 has no API for
// "sign this user in from a route handler", so we encode its JWT with its own `encode` and set its cookie;
// everything else (reading, expiry, sign-out) stays next-auth's.
import { encode } from "next-auth/jwt";
import { env } from "../env";
import { SESSION_MAX_AGE_SECONDS, sessionCookieName, shouldUseSecureCookies, type ShopSessionClaims } from "./options";

export type SessionCookie = { name: string; value: string; options: { httpOnly: true; secure: boolean; sameSite: "lax"; path: "/"; maxAge: number } };

export async function mintSessionCookie(claims: ShopSessionClaims): Promise<SessionCookie> {
  const value = await encode({
    token: { sub: `${claims.insalesId}:${claims.userId ?? "unknown"}`, ...claims },
    secret: env().AUTH_SECRET,
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  return {
    name: sessionCookieName(),
    value,
    options: { httpOnly: true, secure: shouldUseSecureCookies(), sameSite: "lax", path: "/", maxAge: SESSION_MAX_AGE_SECONDS },
  };
}
