import { describe, expect, it } from "vitest";
import { decryptSecret } from "../crypto";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { emptySettingsForm, type SettingsFormValues } from "./settings-schema";
import { isTestModeOn, loadSettingsForm, saveSettings } from "./settings-store";

useTestDatabase();

const SECRET = "Sup3r-Secret-Key-7f3a";
let counter = 0;

async function newShop(over: { ownerEmail?: string; status?: "ACTIVE" | "UNINSTALLED" } = {}) {
  counter += 1;
  return db().shop.create({ data: { insalesId: `9${counter}00${counter}`, host: `shop-${counter}.myinsales.ru`, ...over } });
}

function orgForm(over: Partial<SettingsFormValues> = {}): SettingsFormValues {
  return { ...emptySettingsForm("shop@example.com"), eshopId: "123456", secretKey: SECRET, mailKinds: [2, 3], ...over };
}

async function rawRow(shopId: string): Promise<string> {
  const rows = await db().$queryRaw<Array<{ row: string }>>`SELECT row_to_json(s)::text AS row FROM "ShopSettings" s WHERE "shopId" = ${shopId}::uuid`;
  return rows[0]?.row ?? "";
}

describe("saveSettings / loadSettingsForm", () => {
  it("stores the secret key encrypted: the row never contains the plain key", async () => {
    const shop = await newShop();
    expect(await saveSettings(shop.id, orgForm())).toEqual({ ok: true, connectQueued: true });
    const row = await rawRow(shop.id);
    expect(row).not.toBe("");
    expect(row).not.toContain(SECRET);
    const stored = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(stored.secretKeyEnc).not.toBeNull();
    expect(decryptSecret(stored.secretKeyEnc!)).toBe(SECRET);
    expect(stored).toMatchObject({ legalForm: "ORGANIZATION", eshopId: "123456", mailKinds: [2, 3], notifyEmail: "shop@example.com", holdMode: "NO_HOLD" });
  });

  it("never returns the key from load: only a flag and a mask of the last 4 characters", async () => {
    const shop = await newShop();
    await saveSettings(shop.id, orgForm());
    const loaded = await loadSettingsForm(shop.id);
    expect(JSON.stringify(loaded)).not.toContain(SECRET);
    expect(loaded.values.secretKey).toBe("");
    expect(loaded.values.secretKeySaved).toBe(true);
    expect(loaded.secretKeyMask).toBe("••••••7f3a");
  });

  it("keeps the saved key when the field is left empty, and replaces it when a new one is typed", async () => {
    const shop = await newShop();
    await saveSettings(shop.id, orgForm());
    const before = (await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).secretKeyEnc;
    expect(await saveSettings(shop.id, orgForm({ secretKey: "", eshopId: "654321" }))).toMatchObject({ ok: true });
    const kept = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(kept.secretKeyEnc).toBe(before);
    expect(kept.eshopId).toBe("654321");
    await saveSettings(shop.id, orgForm({ secretKey: "another-key-0001" }));
    const replaced = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(decryptSecret(replaced.secretKeyEnc!)).toBe("another-key-0001");
  });

  it("does not trust a forged «key saved» flag: the first save without a key is refused", async () => {
    const shop = await newShop();
    const r = await saveSettings(shop.id, orgForm({ secretKey: "", secretKeySaved: true }));
    expect(r).toEqual({ ok: false, reason: "invalid", fieldErrors: { secretKey: "Укажите секретный ключ" } });
    expect(await db().shopSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();
  });

  it("returns the schema's field errors and writes nothing", async () => {
    const shop = await newShop();
    const r = await saveSettings(shop.id, orgForm({ holdMode: "HOLD", invoiceLifetimeDays: "6", holdHours: "120" }));
    expect(r).toEqual({
      ok: false,
      reason: "invalid",
      fieldErrors: { invoiceLifetimeDays: "С холдированием срок жизни счёта — не больше 5 дней", holdHours: "От 1 до 119 часов" },
    });
    expect(await db().shopSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();
    expect((await saveSettings(shop.id, "garbage")).ok).toBe(false);
    expect((await saveSettings(shop.id, null)).ok).toBe(false);
  });

  it("shop A's save never touches shop B's row", async () => {
    const a = await newShop();
    const b = await newShop();
    await saveSettings(b.id, orgForm({ eshopId: "222222", secretKey: "b-secret-key-bbbb", testMode: true }));
    const bBefore = await db().shopSettings.findUniqueOrThrow({ where: { shopId: b.id } });
    await saveSettings(a.id, orgForm({ eshopId: "111111", secretKey: "a-secret-key-aaaa" }));
    await saveSettings(a.id, { ...emptySettingsForm(""), legalForm: "INDIVIDUAL", walletFormId: "77", walletLogin: "a@example.com" });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shopId: b.id } })).toEqual(bBefore);
    expect((await loadSettingsForm(b.id)).secretKeyMask).toBe("••••••bbbb");
    expect(await isTestModeOn(b.id)).toBe(true);
    expect(await isTestModeOn(a.id)).toBe(false);
  });

  it("switching to «Физическое лицо» keeps the organization's fields for switching back", async () => {
    const shop = await newShop();
    await saveSettings(shop.id, orgForm({ holdMode: "HOLD", invoiceLifetimeDays: "4", holdHours: "48", preference: ["sbp", "bankcard"] }));
    expect(await saveSettings(shop.id, { ...orgForm(), legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "w@example.com" })).toMatchObject({ ok: true });
    const loaded = await loadSettingsForm(shop.id);
    expect(loaded.values).toMatchObject({
      legalForm: "INDIVIDUAL",
      walletFormId: "4242",
      walletLogin: "w@example.com",
      eshopId: "123456",
      secretKeySaved: true,
      holdMode: "HOLD",
      holdHours: "48",
      preference: ["sbp", "bankcard"],
      // the wallet invoice lifetime is the default, not the hold limit
      invoiceLifetimeDays: "",
    });
  });

  it("prefills the notify e-mail with the session user's e-mail while nothing is saved", async () => {
    const shop = await newShop({ ownerEmail: "owner@example.com" });
    expect((await loadSettingsForm(shop.id, { userEmail: "manager@example.com" })).values.notifyEmail).toBe("manager@example.com");
    expect((await loadSettingsForm(shop.id)).values.notifyEmail).toBe("owner@example.com");
    await saveSettings(shop.id, orgForm({ notifyEmail: "", mailKinds: [1] }));
    expect((await loadSettingsForm(shop.id, { userEmail: "manager@example.com" })).values.notifyEmail).toBe("");
  });

  it("refuses to save for an uninstalled or unknown shop", async () => {
    const gone = await newShop({ status: "UNINSTALLED" });
    expect(await saveSettings(gone.id, orgForm())).toMatchObject({ ok: false, reason: "shop_not_active" });
    expect(await saveSettings("00000000-0000-4000-8000-000000000000", orgForm())).toMatchObject({ ok: false, reason: "shop_not_active" });
    expect(await db().shopSettings.count({ where: { shopId: gone.id } })).toBe(0);
  });

  it("queues the connection of the InSales payment method with the first save only", async () => {
    const shop = await newShop();
    const jobs = () => db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'connect-gateway' AND singleton_key = ${shop.id}`;
    expect(await saveSettings(shop.id, orgForm())).toEqual({ ok: true, connectQueued: true });
    expect(await db().shopGateway.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ state: "CONNECTING" });
    expect(Number((await jobs())[0].n)).toBe(1);
    // Connected (or failed and waiting for the merchant's button): later saves do not reconnect by themselves.
    await db().shopGateway.update({ where: { shopId: shop.id }, data: { state: "CONNECTED" } });
    expect(await saveSettings(shop.id, orgForm({ secretKey: "" }))).toEqual({ ok: true, connectQueued: false });
    expect(Number((await jobs())[0].n)).toBe(1);
  });

  it("does not queue a connection when the save is refused", async () => {
    const shop = await newShop();
    expect(await saveSettings(shop.id, orgForm({ eshopId: "" }))).toMatchObject({ ok: false, reason: "invalid" });
    expect(await db().shopGateway.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("stores the API token and sign key encrypted, masks them on load, keeps them when left empty, clears them on request", async () => {
    const shop = await newShop();
    const TOKEN = "api-token-9c1e";
    const SIGN = "sign-secret-4b2d";
    expect(await saveSettings(shop.id, orgForm({ apiToken: TOKEN, signSecret: SIGN }))).toMatchObject({ ok: true });
    const row = await rawRow(shop.id);
    expect(row).not.toContain(TOKEN);
    expect(row).not.toContain(SIGN);
    const stored = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(decryptSecret(stored.apiTokenEnc!)).toBe(TOKEN);
    expect(decryptSecret(stored.signSecretEnc!)).toBe(SIGN);

    const loaded = await loadSettingsForm(shop.id);
    expect(JSON.stringify(loaded)).not.toContain(TOKEN);
    expect(JSON.stringify(loaded)).not.toContain(SIGN);
    expect(loaded).toMatchObject({ apiTokenMask: "••••••9c1e", signSecretMask: "••••••4b2d" });
    expect(loaded.values).toMatchObject({ apiToken: "", apiTokenSaved: true, apiTokenClear: false, signSecret: "", signSecretSaved: true, signSecretClear: false });

    // Left empty (the form as loaded): kept, byte for byte.
    expect(await saveSettings(shop.id, { ...loaded.values, secretKey: "" })).toMatchObject({ ok: true });
    const kept = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect([kept.apiTokenEnc, kept.signSecretEnc]).toEqual([stored.apiTokenEnc, stored.signSecretEnc]);

    // Clearing one alone is refused (the API needs both); clearing both removes both.
    const oneCleared = await saveSettings(shop.id, { ...loaded.values, apiTokenClear: true });
    expect(oneCleared).toMatchObject({ ok: false, fieldErrors: { apiToken: "Укажите API-токен: без него Merchant API не примет ключ подписи" } });
    expect(await saveSettings(shop.id, { ...loaded.values, apiTokenClear: true, signSecretClear: true })).toMatchObject({ ok: true });
    const cleared = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect([cleared.apiTokenEnc, cleared.signSecretEnc]).toEqual([null, null]);
    expect(await loadSettingsForm(shop.id)).toMatchObject({ apiTokenMask: "", signSecretMask: "", values: { apiTokenSaved: false, signSecretSaved: false } });
  });

  it("decides «API secret saved» from the database: a forged flag cannot pass a lone token", async () => {
    const shop = await newShop();
    const r = await saveSettings(shop.id, orgForm({ apiToken: "lonely-token", signSecretSaved: true }));
    expect(r).toMatchObject({ ok: false, fieldErrors: { signSecret: "Укажите ключ подписи: без него Merchant API не примет токен" } });
    expect(await db().shopSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();
  });

  it("saves the receipt settings when on, refuses them incomplete, and keeps them when switched off", async () => {
    const shop = await newShop();
    const missing = await saveSettings(shop.id, orgForm({ receiptsEnabled: true }));
    expect(missing).toMatchObject({ ok: false, fieldErrors: { receiptInn: "Укажите ИНН", receiptVatGoods: "Выберите НДС для товаров", receiptVatDelivery: "Выберите НДС для доставки" } });
    expect(await db().shopSettings.findUnique({ where: { shopId: shop.id } })).toBeNull();

    const on = orgForm({ receiptsEnabled: true, receiptInn: "500100732259", receiptGroup: "Web", receiptVatGoods: "11", receiptVatDelivery: "6", receiptSubjectType: "4", receiptMethodType: "1" });
    expect(await saveSettings(shop.id, on)).toMatchObject({ ok: true });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      receiptsEnabled: true, receiptInn: "500100732259", receiptGroup: "Web", receiptVatGoods: 11, receiptVatDelivery: 6, receiptSubjectType: 4, receiptMethodType: 1,
    });
    expect((await loadSettingsForm(shop.id)).values).toMatchObject({
      receiptsEnabled: true, receiptInn: "500100732259", receiptGroup: "Web", receiptVatGoods: "11", receiptVatDelivery: "6", receiptSubjectType: "4", receiptMethodType: "1",
    });

    // Off: the details stay for switching back on, even if the (hidden) fields were emptied meanwhile.
    expect(await saveSettings(shop.id, { ...on, secretKey: "", receiptsEnabled: false, receiptInn: "" })).toMatchObject({ ok: true });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ receiptsEnabled: false, receiptInn: "500100732259", receiptVatGoods: 11 });
  });

  it("loads the receipt defaults for a shop that has saved none: no group (the account's default), товар, полный расчёт, VAT to choose", async () => {
    const shop = await newShop();
    await saveSettings(shop.id, orgForm());
    expect((await loadSettingsForm(shop.id)).values).toMatchObject({
      receiptsEnabled: false, receiptInn: "", receiptGroup: "", receiptVatGoods: "", receiptVatDelivery: "", receiptSubjectType: "1", receiptMethodType: "4",
    });
  });

  it("saves an empty «Группа касс» as none (null), and a set one as set", async () => {
    const shop = await newShop();
    const on = orgForm({ receiptsEnabled: true, receiptInn: "500100732259", receiptGroup: "", receiptVatGoods: "1", receiptVatDelivery: "6" });
    expect(await saveSettings(shop.id, on)).toMatchObject({ ok: true });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ receiptsEnabled: true, receiptGroup: null });
    expect((await loadSettingsForm(shop.id)).values.receiptGroup).toBe("");
    expect(await saveSettings(shop.id, { ...on, secretKey: "", receiptGroup: " Web " })).toMatchObject({ ok: true });
    expect(await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ receiptGroup: "Web" });
  });

  it("stores the wallet form's «Секретный ключ» encrypted, masks it on load, keeps it when left empty, clears it on request", async () => {
    const shop = await newShop();
    const walletForm = (over: Partial<SettingsFormValues> = {}): SettingsFormValues => ({
      ...emptySettingsForm("shop@example.com"), legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "w@example.com", ...over,
    });
    const WALLET_KEY = "Wallet-Form-Key-9c1d";
    expect(await saveSettings(shop.id, walletForm({ walletSecretKey: WALLET_KEY }))).toMatchObject({ ok: true });
    expect(await rawRow(shop.id)).not.toContain(WALLET_KEY);
    const stored = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(decryptSecret(stored.walletSecretKeyEnc!)).toBe(WALLET_KEY);
    // The organization's key column is not where it goes.
    expect(stored.secretKeyEnc).toBeNull();

    const loaded = await loadSettingsForm(shop.id);
    expect(JSON.stringify(loaded)).not.toContain(WALLET_KEY);
    expect(loaded.values).toMatchObject({ walletSecretKey: "", walletSecretKeySaved: true, walletSecretKeyClear: false });
    expect(loaded.walletSecretKeyMask).toBe("••••••9c1d");

    expect(await saveSettings(shop.id, walletForm({ walletSecretKey: "", walletLogin: "other@example.com" }))).toMatchObject({ ok: true });
    const kept = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(kept.walletSecretKeyEnc).toBe(stored.walletSecretKeyEnc);
    // An organization's save leaves it alone too.
    expect(await saveSettings(shop.id, orgForm())).toMatchObject({ ok: true });
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).walletSecretKeyEnc).toBe(stored.walletSecretKeyEnc);

    expect(await saveSettings(shop.id, walletForm({ walletSecretKeyClear: true }))).toMatchObject({ ok: true });
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } })).walletSecretKeyEnc).toBeNull();
    expect((await loadSettingsForm(shop.id)).walletSecretKeyMask).toBe("");
  });

  it("an individual's save leaves the organization's API secrets and receipts untouched", async () => {
    const shop = await newShop();
    await saveSettings(shop.id, orgForm({ apiToken: "tok-1111", signSecret: "sig-2222", receiptsEnabled: true, receiptInn: "7707083893", receiptVatGoods: "1", receiptVatDelivery: "1" }));
    const before = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(await saveSettings(shop.id, { ...orgForm(), legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "w@example.com", apiTokenClear: true, signSecretClear: true, receiptsEnabled: false })).toMatchObject({ ok: true });
    const after = await db().shopSettings.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(after).toMatchObject({ apiTokenEnc: before.apiTokenEnc, signSecretEnc: before.signSecretEnc, receiptsEnabled: true, receiptInn: "7707083893" });
  });
});
