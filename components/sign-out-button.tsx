// «Выйти»: a plain form posting the sign-out server action; works without client JavaScript.
import { signOutAction } from "@/lib/auth/sign-out-action";

export function SignOutButton({ className }: { className?: string }) {
  return (
    <form action={signOutAction}>
      <button type="submit" className={className}>
        Выйти
      </button>
    </form>
  );
}
