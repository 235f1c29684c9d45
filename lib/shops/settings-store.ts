// Loading and saving the settings screen (spec/product.md flow 3). Secrets never leave the server in clear:
// the form gets a flag and a mask; the key is stored encrypted (guide/architecture.md convention 9).
import { decryptSecret, encryptSecret, maskSecret } from "../crypto";
import { db } from "../db";
import { log } from "../log";
import { requestGatewayConnectionIfNew } from "../payments/connect-gateway-job";
import { emptySettingsForm, fieldErrorsOf, settingsSchema, type SettingsFieldErrors, type SettingsFormValues } from "./settings-schema";

export type LoadedSettingsForm = {
  values: SettingsFormValues;
  /** «••••••abcd» when a key is saved, "" otherwise. */
  secretKeyMask: string;
};

export type SaveSettingsResult =
  | { ok: true; /** The automatic connection of the InSales payment method was queued (first save). */ connectQueued: boolean }
  | { ok: false; reason: "invalid"; fieldErrors: SettingsFieldErrors }
  | { ok: false; reason: "shop_not_active"; fieldErrors: SettingsFieldErrors };

/**
 * The screen's values. `userEmail` (the InSales user who logged in) prefills «E-mail магазина для
 * уведомлений» while the shop has saved nothing yet (spec/product.md «Почтовые уведомления»).
 */
export async function loadSettingsForm(shopId: string, options: { userEmail?: string | null } = {}): Promise<LoadedSettingsForm> {
  const s = await db().shopSettings.findUnique({ where: { shopId } });
  if (!s) {
    const shop = await db().shop.findUnique({ where: { id: shopId }, select: { ownerEmail: true } });
    return { values: emptySettingsForm(options.userEmail || shop?.ownerEmail || ""), secretKeyMask: "" };
  }
  return {
    values: {
      legalForm: s.legalForm,
      eshopId: s.eshopId ?? "",
      secretKey: "", // never sent back; "" = keep the saved one
      secretKeySaved: Boolean(s.secretKeyEnc),
      testMode: s.testMode,
      preference: s.preference,
      holdMode: s.holdMode,
      invoiceLifetimeDays: s.invoiceLifetimeDays === null ? "" : String(s.invoiceLifetimeDays),
      holdHours: s.holdHours === null ? "" : String(s.holdHours),
      markPaidOnHold: s.markPaidOnHold,
      walletFormId: s.walletFormId ?? "",
      walletLogin: s.walletLogin ?? "",
      mailKinds: s.mailKinds,
      notifyEmail: s.notifyEmail ?? "",
    },
    secretKeyMask: s.secretKeyEnc ? maskSealed(shopId, s.secretKeyEnc) : "",
  };
}

function maskSealed(shopId: string, sealed: string): string {
  try {
    return maskSecret(decryptSecret(sealed));
  } catch (error) {
    // A key that cannot be decrypted (ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS) still counts
    // as saved; the merchant can type it again.
    log.error({ shopId, err: (error as Error).message }, "settings: saved secret key cannot be decrypted");
    return "••••••";
  }
}

/**
 * Validates with the same schema as the browser and stores the chosen legal form's fields. The other
 * form's fields stay as they were, so switching back does not lose them. `shopId` must come from the
 * session, never from the form.
 */
export async function saveSettings(shopId: string, input: unknown): Promise<SaveSettingsResult> {
  const shop = await db().shop.findUnique({
    where: { id: shopId },
    select: { status: true, settings: { select: { secretKeyEnc: true } } },
  });
  if (!shop || shop.status !== "ACTIVE") {
    return { ok: false, reason: "shop_not_active", fieldErrors: { form: "Магазин не найден или приложение удалено" } };
  }
  // Whether a key is saved is the database's answer, not the browser's (settings-schema.ts `secretKeySaved`).
  const secretKeySaved = Boolean(shop.settings?.secretKeyEnc);
  const candidate = input !== null && typeof input === "object" ? { ...input, secretKeySaved } : input;
  const parsed = settingsSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, reason: "invalid", fieldErrors: fieldErrorsOf(parsed.error) };

  const v = parsed.data;
  const common = { legalForm: v.legalForm, mailKinds: v.mailKinds, notifyEmail: v.notifyEmail };
  const data =
    v.legalForm === "ORGANIZATION"
      ? {
          ...common,
          eshopId: v.eshopId,
          ...(v.secretKey !== null ? { secretKeyEnc: encryptSecret(v.secretKey) } : {}),
          testMode: v.testMode,
          preference: v.preference,
          holdMode: v.holdMode,
          invoiceLifetimeDays: v.invoiceLifetimeDays,
          holdHours: v.holdHours,
          markPaidOnHold: v.markPaidOnHold,
        }
      : {
          ...common,
          walletFormId: v.walletFormId,
          walletLogin: v.walletLogin,
          // The wallet form has no lifetime field, but checkout reads this column for wallets too: an
          // organization's hold-mode limit must not silently shorten wallet invoices.
          invoiceLifetimeDays: null,
        };
  // The first successful save also connects the InSales payment method (spec/product.md flow 3), in the
  // same transaction: saved settings never end up without their connect job, nor the job without them.
  const connectQueued = await db().$transaction(async (tx) => {
    await tx.shopSettings.upsert({ where: { shopId }, create: { shopId, ...data }, update: data });
    return requestGatewayConnectionIfNew(shopId, { tx });
  });
  log.info({ shopId, legalForm: v.legalForm, secretKeyChanged: v.legalForm === "ORGANIZATION" && v.secretKey !== null, connectQueued }, "settings: saved");
  return { ok: true, connectQueued };
}

/** For the header badge: invoices go in the test currency TST (organizations only; wallets have no TST). */
export async function isTestModeOn(shopId: string): Promise<boolean> {
  const s = await db().shopSettings.findUnique({ where: { shopId }, select: { testMode: true, legalForm: true } });
  return Boolean(s?.testMode && s.legalForm === "ORGANIZATION");
}
