"use server";
// «Подтвердить» / «Отклонить» an unverifiable wallet notification on the payment card
// (lib/results/claims.ts). Server actions are public endpoints: each re-checks the session and takes the
// shop from it only, never from the form (docs/ARCHITECTURE.md convention 11); Next refuses a foreign
// Origin before this runs (e2e/security.spec.ts). decideClaim scopes the claim by that shop and is
// idempotent, so a double click or a second tab changes nothing more.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getShopSession } from "@/lib/auth/session";
import type { ShopSessionClaims } from "@/lib/auth/options";
import { formField } from "@/lib/http/action-args";
import { log } from "@/lib/log";
import { decideClaim, type ClaimDecision } from "@/lib/results/claims";

/** Who decided, for the timeline: the InSales user the login verified, as far as it is known. */
function decidedBy(session: ShopSessionClaims): string {
  const who = [session.userName, session.userEmail].filter(Boolean).join(", ");
  return who || (session.userId ? `пользователь InSales ${session.userId}` : "пользователь InSales");
}

/** `formData` is whatever the caller sent: the card's form, or anything at all from anyone else. */
async function decide(formData: unknown, decision: ClaimDecision): Promise<void> {
  const session = await getShopSession();
  if (!session) redirect("/login-required");
  const field = formField("decideClaim", formData, "claimId");
  if (!field.ok) return;
  const claimId = field.value;
  const outcome = await decideClaim(session.shopId, claimId, decision, decidedBy(session));
  if (!outcome.ok) {
    log.warn({ shopId: session.shopId, claimId: claimId.slice(0, 64), decision }, "claims: decision on an unknown claim");
    return;
  }
  revalidatePath(`/payments/${outcome.paymentId}`);
  revalidatePath("/payments");
}

export async function confirmClaimAction(formData: unknown): Promise<void> {
  await decide(formData, "confirm");
}

export async function rejectClaimAction(formData: unknown): Promise<void> {
  await decide(formData, "reject");
}
