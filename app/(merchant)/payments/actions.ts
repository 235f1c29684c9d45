"use server";
// «Отметить решённой». A server action is a public endpoint: it re-checks the session on every call and
// only touches this shop's rows (docs/ARCHITECTURE.md convention 11).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getShopSession } from "@/lib/auth/session";
import { formField } from "@/lib/http/action-args";
import { log } from "@/lib/log";
import { resolveProblem } from "@/lib/journal/journal-problems";

/** `formData` is whatever the caller sent: a form's FormData from our button, anything from anyone else. */
export async function resolveProblemAction(formData: unknown): Promise<void> {
  const session = await getShopSession();
  if (!session) redirect("/login-required");
  const field = formField("resolveProblem", formData, "problemId");
  if (!field.ok) return;
  const problemId = field.value;
  const outcome = await resolveProblem(session.shopId, problemId);
  if (!outcome.ok) log.warn({ shopId: session.shopId, problemId: problemId.slice(0, 64), reason: outcome.reason }, "journal: problem not resolved");
  // Re-renders the page the button was on (the list or a payment card) with the problem gone.
  revalidatePath("/payments", "layout");
}
