"use server";
// «Сохранить». Server actions are public endpoints: the session is checked on every call and the shop is
// the session's, never an id from the form (docs/ARCHITECTURE.md convention 11). The values are
// re-validated with the same schema as in the browser (lib/shops/settings-store.ts).
import { revalidatePath } from "next/cache";
import { getShopSession } from "@/lib/auth/session";
import { log } from "@/lib/log";
import type { SettingsFieldErrors } from "@/lib/shops/settings-schema";
import { loadSettingsForm, saveSettings, type LoadedSettingsForm } from "@/lib/shops/settings-store";

export type SaveSettingsActionResult =
  | { ok: true; form: LoadedSettingsForm }
  | { ok: false; reason: "no_session" | "invalid" | "shop_not_active" | "error"; fieldErrors: SettingsFieldErrors };

export async function saveSettingsAction(values: unknown): Promise<SaveSettingsActionResult> {
  const session = await getShopSession();
  if (!session) {
    return { ok: false, reason: "no_session", fieldErrors: { form: "Сессия истекла: откройте приложение из бэк-офиса InSales ещё раз" } };
  }
  try {
    const result = await saveSettings(session.shopId, values);
    if (!result.ok) return result;
    // The header's «Тестовый режим» badge is rendered by the layout.
    revalidatePath("/", "layout");
    return { ok: true, form: await loadSettingsForm(session.shopId, { userEmail: session.userEmail }) };
  } catch (error) {
    log.error({ shopId: session.shopId, err: (error as Error).message }, "settings: save failed");
    return { ok: false, reason: "error", fieldErrors: { form: "Не удалось сохранить настройки, попробуйте ещё раз" } };
  }
}
