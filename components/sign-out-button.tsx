"use client";
// «Выйти»: next-auth's own sign-out (POST /api/auth/signout with its CSRF token, which clears the session
// cookie), then the «войдите через InSales» page. redirect:false because next-auth would otherwise build the
// return URL from NEXTAUTH_URL, which this app does not set (APP_URL is the contract).
import { signOut } from "next-auth/react";
import { useState } from "react";

export function SignOutButton({ className }: { className?: string }) {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  const onClick = async () => {
    setPending(true);
    setFailed(false);
    try {
      await signOut({ redirect: false });
      // A full page load on purpose: it drops the client router's cache of this shop's pages.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/login-required");
    } catch {
      setPending(false);
      setFailed(true);
    }
  };
  return (
    <>
      <button type="button" className={className} onClick={onClick} disabled={pending}>
        Выйти
      </button>
      {failed ? <span role="alert">Не удалось выйти, попробуйте ещё раз</span> : null}
    </>
  );
}
