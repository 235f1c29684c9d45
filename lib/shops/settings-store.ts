// Loading and saving the settings screen (docs/PRODUCT.md flow 3). Secrets never leave the server in clear:
// the form gets a flag and a mask; the key is stored encrypted (docs/ARCHITECTURE.md convention 9).
import { decryptSecret, encryptSecret, maskSecret } from "../crypto";
import { db } from "../db";
import { log } from "../log";
import { requestGatewayConnectionIfNew } from "./connect-gateway-queue";
import { DEFAULT_RECEIPT_METHOD_TYPE, DEFAULT_RECEIPT_SUBJECT_TYPE } from "../intellectmoney/receipt-codes";
import { emptySettingsForm, fieldErrorsOf, settingsSchema, type SecretChange, type SettingsFieldErrors, type SettingsFormValues } from "./settings-schema";

export type LoadedSettingsForm = {
  values: SettingsFormValues;
  /** «••••••abcd» when a key is saved, "" otherwise. */
  secretKeyMask: string;
  /** The same for «API-токен» and «Ключ подписи (signSecretKey)». */
  apiTokenMask: string;
  signSecretMask: string;
  /** The same for the wallet form's «Секретный ключ». */
  walletSecretKeyMask: string;
};

export type SaveSettingsResult =
  | { ok: true; /** The automatic connection of the InSales payment method was queued (first save). */ connectQueued: boolean }
  | { ok: false; reason: "invalid"; fieldErrors: SettingsFieldErrors }
  | { ok: false; reason: "shop_not_active"; fieldErrors: SettingsFieldErrors };

/**
 * The screen's values. `userEmail` (the InSales user who logged in) prefills «E-mail магазина для
 * уведомлений» while the shop has saved nothing yet (docs/PRODUCT.md «Почтовые уведомления»).
 */
export async function loadSettingsForm(shopId: string, options: { userEmail?: string | null } = {}): Promise<LoadedSettingsForm> {
  const s = await db().shopSettings.findUnique({ where: { shopId } });
  if (!s) {
    const shop = await db().shop.findUnique({ where: { id: shopId }, select: { ownerEmail: true } });
    return { values: emptySettingsForm(options.userEmail || shop?.ownerEmail || ""), secretKeyMask: "", apiTokenMask: "", signSecretMask: "", walletSecretKeyMask: "" };
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
      apiToken: "",
      apiTokenSaved: Boolean(s.apiTokenEnc),
      apiTokenClear: false,
      signSecret: "",
      signSecretSaved: Boolean(s.signSecretEnc),
      signSecretClear: false,
      receiptsEnabled: s.receiptsEnabled,
      receiptInn: s.receiptInn ?? "",
      receiptGroup: s.receiptGroup ?? "",
      receiptVatGoods: codeText(s.receiptVatGoods),
      receiptVatDelivery: codeText(s.receiptVatDelivery),
      receiptSubjectType: codeText(s.receiptSubjectType ?? DEFAULT_RECEIPT_SUBJECT_TYPE),
      receiptMethodType: codeText(s.receiptMethodType ?? DEFAULT_RECEIPT_METHOD_TYPE),
      walletFormId: s.walletFormId ?? "",
      walletLogin: s.walletLogin ?? "",
      walletSecretKey: "", // never sent back, like the organization's key
      walletSecretKeySaved: Boolean(s.walletSecretKeyEnc),
      walletSecretKeyClear: false,
      mailKinds: s.mailKinds,
      notifyEmail: s.notifyEmail ?? "",
    },
    secretKeyMask: s.secretKeyEnc ? maskSealed(shopId, s.secretKeyEnc, "secret key") : "",
    apiTokenMask: s.apiTokenEnc ? maskSealed(shopId, s.apiTokenEnc, "API token") : "",
    signSecretMask: s.signSecretEnc ? maskSealed(shopId, s.signSecretEnc, "sign key") : "",
    walletSecretKeyMask: s.walletSecretKeyEnc ? maskSealed(shopId, s.walletSecretKeyEnc, "wallet secret key") : "",
  };
}

const codeText = (code: number | null) => (code === null ? "" : String(code));

/** The column update of one secret: absent = keep, null = cleared, else the new value sealed. */
function secretColumn(change: SecretChange): string | null | undefined {
  if (change.kind === "keep") return undefined;
  return change.kind === "clear" ? null : encryptSecret(change.value);
}

function maskSealed(shopId: string, sealed: string, what: string): string {
  try {
    return maskSecret(decryptSecret(sealed));
  } catch (error) {
    // A key that cannot be decrypted (ENCRYPTION_KEY changed without ENCRYPTION_KEY_PREVIOUS) still counts
    // as saved; the merchant can type it again.
    log.error({ shopId, err: (error as Error).message }, `settings: saved ${what} cannot be decrypted`);
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
    select: { status: true, settings: { select: { secretKeyEnc: true, apiTokenEnc: true, signSecretEnc: true, walletSecretKeyEnc: true } } },
  });
  if (!shop || shop.status !== "ACTIVE") {
    return { ok: false, reason: "shop_not_active", fieldErrors: { form: "Магазин не найден или приложение удалено" } };
  }
  // Whether a key is saved is the database's answer, not the browser's (settings-schema.ts `secretKeySaved`).
  const secretKeySaved = Boolean(shop.settings?.secretKeyEnc);
  // Likewise for the Merchant API pair: whether one is saved decides «both or neither» (settings-schema.ts).
  const apiTokenSaved = Boolean(shop.settings?.apiTokenEnc);
  const signSecretSaved = Boolean(shop.settings?.signSecretEnc);
  const walletSecretKeySaved = Boolean(shop.settings?.walletSecretKeyEnc);
  const candidate = input !== null && typeof input === "object" ? { ...input, secretKeySaved, apiTokenSaved, signSecretSaved, walletSecretKeySaved } : input;
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
          apiTokenEnc: secretColumn(v.apiToken),
          signSecretEnc: secretColumn(v.signSecret),
          receiptsEnabled: v.receipts.enabled,
          // Receipts off: the other receipt fields stay as saved, so switching them on again finds them.
          ...(v.receipts.enabled
            ? {
                receiptInn: v.receipts.inn,
                receiptGroup: v.receipts.group,
                receiptVatGoods: v.receipts.vatGoods,
                receiptVatDelivery: v.receipts.vatDelivery,
                receiptSubjectType: v.receipts.subjectType,
                receiptMethodType: v.receipts.methodType,
              }
            : {}),
        }
      : {
          ...common,
          walletFormId: v.walletFormId,
          walletLogin: v.walletLogin,
          walletSecretKeyEnc: secretColumn(v.walletSecretKey),
          // The wallet form has no lifetime field, but checkout reads this column for wallets too: an
          // organization's hold-mode limit must not silently shorten wallet invoices.
          invoiceLifetimeDays: null,
        };
  // The first successful save also connects the InSales payment method (docs/PRODUCT.md flow 3), in the
  // same transaction: saved settings never end up without their connect job, nor the job without them.
  const connectQueued = await db().$transaction(async (tx) => {
    await tx.shopSettings.upsert({ where: { shopId }, create: { shopId, ...data }, update: data });
    return requestGatewayConnectionIfNew(shopId, { tx });
  });
  const org = v.legalForm === "ORGANIZATION" ? v : null;
  const wallet = v.legalForm === "INDIVIDUAL" ? v : null;
  log.info(
    {
      shopId,
      legalForm: v.legalForm,
      secretKeyChanged: org !== null && org.secretKey !== null,
      apiTokenChange: org?.apiToken.kind ?? "keep",
      signSecretChange: org?.signSecret.kind ?? "keep",
      receiptsEnabled: org?.receipts.enabled,
      walletSecretKeyChange: wallet?.walletSecretKey.kind ?? "keep",
      connectQueued,
    },
    "settings: saved",
  );
  return { ok: true, connectQueued };
}

/** For the header badge: invoices go in the test currency TST (organizations only; wallets have no TST). */
export async function isTestModeOn(shopId: string): Promise<boolean> {
  const s = await db().shopSettings.findUnique({ where: { shopId }, select: { testMode: true, legalForm: true } });
  return Boolean(s?.testMode && s.legalForm === "ORGANIZATION");
}
