// next-auth (v4, JWT sessions) configuration. There is no sign-in form: a session is only ever created by
// /api/insales/autologin after the InSales «Войти» round trip has been verified (lib/auth/mint-session.ts).
// The session carries exactly one shop (docs/protocols/insales.md §1 «Войти» login, step 5).
import type { NextAuthOptions } from "next-auth";
import { env } from "../env";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export type ShopSessionClaims = {
  shopId: string;
  insalesId: string;
  host: string;
  /** The shop's session generation at login: a proven reinstall or an uninstall bumps the shop's, which
   * ends this session (lib/auth/session.ts). Sessions minted before the field existed carry none. */
  sessionGeneration: number;
  /** Only set when token3/token2 verified the user fields. */
  userName?: string;
  userEmail?: string;
  userId?: string;
};

export function shouldUseSecureCookies(): boolean {
  return env().APP_URL.startsWith("https://");
}

export function sessionCookieName(): string {
  return shouldUseSecureCookies() ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().AUTH_SECRET,
    useSecureCookies: shouldUseSecureCookies(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    providers: [],
    pages: { signIn: "/login-required", error: "/login-required" },
    callbacks: {
      async session({ session, token }) {
        const claims = token as unknown as Partial<ShopSessionClaims>;
        return { ...session, shop: claims.shopId ? (claims as ShopSessionClaims) : undefined };
      },
    },
  };
}
