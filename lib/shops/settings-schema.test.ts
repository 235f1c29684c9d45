import { describe, expect, it } from "vitest";
import { emptySettingsForm, fieldErrorsOf, parsePaymentMethodCodes, settingsSchema, type SettingsFormValues } from "./settings-schema";

function org(over: Partial<SettingsFormValues> = {}): SettingsFormValues {
  return { ...emptySettingsForm("shop@example.com"), eshopId: "123456", secretKey: "s3cr3t-key", ...over };
}

function individual(over: Partial<SettingsFormValues> = {}): SettingsFormValues {
  return { ...emptySettingsForm(""), legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "wallet@example.com", ...over };
}

function errors(values: unknown) {
  const r = settingsSchema.safeParse(values);
  return r.success ? {} : fieldErrorsOf(r.error);
}

function parsed(values: unknown) {
  const r = settingsSchema.safeParse(values);
  if (!r.success) throw new Error(`expected valid, got ${JSON.stringify(fieldErrorsOf(r.error))}`);
  return r.data;
}

describe("settingsSchema, «Юридическое лицо»", () => {
  it("accepts a complete organization and stores numbers, not strings", () => {
    const out = parsed(org({ holdMode: "HOLD", invoiceLifetimeDays: "5", holdHours: "119", preference: ["bankcard", "sbp"] }));
    expect(out).toMatchObject({ legalForm: "ORGANIZATION", eshopId: "123456", secretKey: "s3cr3t-key", invoiceLifetimeDays: 5, holdHours: 119, preference: ["bankcard", "sbp"] });
  });

  it("requires «Номер магазина», digits only, at most 6", () => {
    expect(errors(org({ eshopId: "" })).eshopId).toBe("Укажите номер магазина");
    expect(errors(org({ eshopId: "1234567" })).eshopId).toBe("Только цифры, не больше 6");
    expect(errors(org({ eshopId: "12a456" })).eshopId).toBe("Только цифры, не больше 6");
    expect(errors(org({ eshopId: " 654321 " })).eshopId).toBeUndefined();
  });

  it("requires «Секретный ключ» on the first save", () => {
    expect(errors(org({ secretKey: "", secretKeySaved: false })).secretKey).toBe("Укажите секретный ключ");
  });

  it("keeps the saved secret when the field is left empty", () => {
    const out = parsed(org({ secretKey: "  ", secretKeySaved: true }));
    expect(out.legalForm === "ORGANIZATION" && out.secretKey).toBeNull();
  });

  it("refuses 6 days of invoice lifetime with hold and accepts 5", () => {
    expect(errors(org({ holdMode: "HOLD", invoiceLifetimeDays: "6" })).invoiceLifetimeDays).toBe("С холдированием срок жизни счёта — не больше 5 дней");
    expect(errors(org({ holdMode: "HOLD", invoiceLifetimeDays: "5" }))).toEqual({});
  });

  it("refuses 180 days without hold and accepts 179 (4319 hours at most)", () => {
    for (const holdMode of ["NO_HOLD", "CABINET"] as const) {
      expect(errors(org({ holdMode, invoiceLifetimeDays: "180" })).invoiceLifetimeDays).toBe("Не больше 179 дней");
      expect(errors(org({ holdMode, invoiceLifetimeDays: "179" }))).toEqual({});
    }
  });

  it("refuses 0 days and non-numbers; empty means the default", () => {
    expect(errors(org({ invoiceLifetimeDays: "0" })).invoiceLifetimeDays).toBe("Не меньше 1 дня");
    expect(errors(org({ invoiceLifetimeDays: "2.5" })).invoiceLifetimeDays).toBe("Введите целое число");
    expect(errors(org({ invoiceLifetimeDays: "-1" })).invoiceLifetimeDays).toBe("Введите целое число");
    expect(parsed(org({ holdMode: "HOLD", invoiceLifetimeDays: "" }))).toMatchObject({ invoiceLifetimeDays: null, holdHours: null });
  });

  it("refuses 120 hours of hold and accepts 119; 0 is refused too", () => {
    expect(errors(org({ holdMode: "HOLD", holdHours: "120" })).holdHours).toBe("От 1 до 119 часов");
    expect(errors(org({ holdMode: "HOLD", holdHours: "0" })).holdHours).toBe("От 1 до 119 часов");
    expect(errors(org({ holdMode: "HOLD", holdHours: "119" }))).toEqual({});
  });

  it("ignores the hold time unless «Холдировать счёт», and never marks holds paid without hold", () => {
    expect(parsed(org({ holdMode: "NO_HOLD", holdHours: "500", markPaidOnHold: true }))).toMatchObject({ holdHours: null, markPaidOnHold: false });
    expect(parsed(org({ holdMode: "CABINET", markPaidOnHold: true }))).toMatchObject({ holdHours: null, markPaidOnHold: true });
    expect(parsed(org({ holdMode: "HOLD", holdHours: "24", markPaidOnHold: true }))).toMatchObject({ holdHours: 24, markPaidOnHold: true });
  });

  it("keeps the order of «Список видов оплаты», allows free codes of the right shape, refuses duplicates", () => {
    expect(parsed(org({ preference: ["sbp", "my_method_2", "bankcard"] }))).toMatchObject({ preference: ["sbp", "my_method_2", "bankcard"] });
    expect(errors(org({ preference: ["sbp", "bankcard", "sbp"] })).preference).toBe("Вид оплаты «sbp» указан дважды");
    expect(errors(org({ preference: ["Bank Card"] })).preference).toMatch(/^Неверный код «Bank Card»/);
    expect(errors(org({ preference: ["a".repeat(33)] })).preference).toMatch(/^Неверный код/);
  });

  it("refuses an unknown hold mode", () => {
    expect(errors(org({ holdMode: "SOMETIMES" as never })).holdMode).toBe("Выберите режим холдирования");
  });
});

describe("settingsSchema, «Физическое лицо»", () => {
  it("an empty individual form has errors on «ID формы» and the account", () => {
    const e = errors({ ...emptySettingsForm(""), legalForm: "INDIVIDUAL" });
    expect(e.walletFormId).toBe("Укажите ID формы");
    expect(e.walletLogin).toBe("Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет");
  });

  it("checks «ID формы» (digits, ≤ 12) and the account (a 10-digit number or an e-mail)", () => {
    expect(errors(individual({ walletFormId: "1234567890123" })).walletFormId).toBe("Только цифры, не больше 12");
    expect(errors(individual({ walletFormId: "12-3" })).walletFormId).toBe("Только цифры, не больше 12");
    expect(errors(individual({ walletLogin: "not@an-email" })).walletLogin).toBe("Неверный e-mail");
    expect(errors(individual({ walletFormId: "123456789012" }))).toEqual({});
  });

  it("takes the 10-digit account number IntellectMoney's modules send (docs/protocols/intellectmoney.md §2), as entered", () => {
    expect(errors(individual({ walletLogin: "1234567890" }))).toEqual({});
    expect(errors(individual({ walletLogin: " 0012345678 " }))).toEqual({});
    expect(parsed(individual({ walletLogin: " 0012345678 " }))).toMatchObject({ walletLogin: "0012345678" });
    expect(parsed(individual({ walletLogin: "Wallet@Example.com" }))).toMatchObject({ walletLogin: "Wallet@Example.com" });
  });

  it("explains in Russian what is wrong with an account value", () => {
    expect(errors(individual({ walletLogin: "123456789" })).walletLogin).toBe("Номер личного кабинета — ровно 10 цифр, а здесь 9");
    expect(errors(individual({ walletLogin: "12345678901" })).walletLogin).toBe("Номер личного кабинета — ровно 10 цифр, а здесь 11");
    expect(errors(individual({ walletLogin: "123 456 7890" })).walletLogin).toBe("Номер личного кабинета — 10 цифр подряд, без пробелов и других знаков");
    expect(errors(individual({ walletLogin: "123-456-78-90" })).walletLogin).toBe("Номер личного кабинета — 10 цифр подряд, без пробелов и других знаков");
    expect(errors(individual({ walletLogin: "ivanov" })).walletLogin).toBe("Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет");
    expect(errors(individual({ walletLogin: "   " })).walletLogin).toBe("Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет");
  });

  it("does not ask an individual for the organization's fields and drops them from the output", () => {
    const out = parsed(individual({ eshopId: "", secretKey: "" }));
    expect(out).toEqual({ legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "wallet@example.com", walletSecretKey: { kind: "keep" }, mailKinds: [], notifyEmail: null });
  });

  it("takes the wallet form's «Секретный ключ» as optional: set when typed, kept when empty, cleared on request", () => {
    expect(errors(individual({ walletSecretKey: "" }))).toEqual({});
    expect(parsed(individual({ walletSecretKey: "  form-key-1  " }))).toMatchObject({ walletSecretKey: { kind: "set", value: "form-key-1" } });
    expect(parsed(individual({ walletSecretKey: "", walletSecretKeySaved: true }))).toMatchObject({ walletSecretKey: { kind: "keep" } });
    expect(parsed(individual({ walletSecretKey: "", walletSecretKeySaved: true, walletSecretKeyClear: true }))).toMatchObject({ walletSecretKey: { kind: "clear" } });
    // A typed key wins over the «Удалить» checkbox.
    expect(parsed(individual({ walletSecretKey: "new-key", walletSecretKeyClear: true }))).toMatchObject({ walletSecretKey: { kind: "set", value: "new-key" } });
    expect(errors(individual({ walletSecretKey: "k".repeat(257) })).walletSecretKey).toBe("Слишком длинный ключ");
  });

  it("refuses an unknown legal form", () => {
    expect(errors({ ...org(), legalForm: "LLC" }).legalForm).toBe("Выберите организационно-правовую форму");
  });
});

describe("settingsSchema, «Почтовые уведомления»", () => {
  it("requires the shop e-mail when any shop-addressed kind is on", () => {
    for (const kind of [2, 3, 4, 6, 7, 8, 10, 11, 12]) {
      expect(errors(org({ mailKinds: [kind], notifyEmail: "" })).notifyEmail, `kind ${kind}`).toMatch(/^Укажите e-mail магазина/);
    }
  });

  it("does not require it for buyer kinds only", () => {
    expect(parsed(org({ mailKinds: [1, 5, 9, 13], notifyEmail: "" }))).toMatchObject({ mailKinds: [1, 5, 9, 13], notifyEmail: null });
  });

  it("reports the missing shop e-mail together with other field errors, for both legal forms", () => {
    const e = errors({ ...emptySettingsForm(""), legalForm: "INDIVIDUAL", mailKinds: [3] });
    expect(Object.keys(e).sort()).toEqual(["notifyEmail", "walletFormId", "walletLogin"]);
    const o = errors({ ...emptySettingsForm(""), eshopId: "1234567", holdMode: "HOLD", invoiceLifetimeDays: "x", mailKinds: [2] });
    expect(Object.keys(o).sort()).toEqual(["eshopId", "invoiceLifetimeDays", "notifyEmail", "secretKey"]);
  });

  it("refuses a bad e-mail and unknown kinds; sorts and de-duplicates kinds", () => {
    expect(errors(org({ notifyEmail: "shop@" })).notifyEmail).toBe("Неверный e-mail");
    expect(errors(org({ mailKinds: [15] })).mailKinds).toBe("Неизвестное уведомление");
    expect(errors(org({ mailKinds: [0] })).mailKinds).toBe("Неизвестное уведомление");
    expect(parsed(org({ mailKinds: [13, 2, 2, 1] }))).toMatchObject({ mailKinds: [1, 2, 13] });
  });
});

describe("parsePaymentMethodCodes", () => {
  it("splits the free-entry text on commas and spaces, keeping the order", () => {
    expect(parsePaymentMethodCodes(" qiwi, my_pay ,,x1 ")).toEqual(["qiwi", "my_pay", "x1"]);
    expect(parsePaymentMethodCodes("")).toEqual([]);
  });
});

describe("settingsSchema, «Merchant API и чеки»", () => {
  /** The receipts part of an organization's output. */
  const receiptsOf = (values: unknown) => {
    const out = parsed(values);
    if (out.legalForm !== "ORGANIZATION") throw new Error("expected an organization");
    return out.receipts;
  };
  const receiptsOn = (over: Partial<SettingsFormValues> = {}) =>
    org({ receiptsEnabled: true, receiptInn: "7707083893", receiptVatGoods: "1", receiptVatDelivery: "6", ...over });

  it("needs neither the API pair nor receipts: both are optional and off by default", () => {
    expect(parsed(org())).toMatchObject({ apiToken: { kind: "keep" }, signSecret: { kind: "keep" }, receipts: { enabled: false } });
  });

  it("sets, keeps and clears each Merchant API secret", () => {
    expect(parsed(org({ apiToken: " tok-123 ", signSecret: "sign-456" }))).toMatchObject({
      apiToken: { kind: "set", value: "tok-123" },
      signSecret: { kind: "set", value: "sign-456" },
    });
    expect(parsed(org({ apiTokenSaved: true, signSecretSaved: true }))).toMatchObject({ apiToken: { kind: "keep" }, signSecret: { kind: "keep" } });
    expect(parsed(org({ apiTokenSaved: true, signSecretSaved: true, apiTokenClear: true, signSecretClear: true }))).toMatchObject({
      apiToken: { kind: "clear" },
      signSecret: { kind: "clear" },
    });
    // A typed value wins over the «Удалить» checkbox.
    expect(parsed(org({ apiTokenSaved: true, signSecretSaved: true, apiTokenClear: true, apiToken: "new-token" }))).toMatchObject({
      apiToken: { kind: "set", value: "new-token" },
      signSecret: { kind: "keep" },
    });
  });

  it("asks for both API secrets or neither, whether typed, saved or being cleared", () => {
    expect(errors(org({ apiToken: "tok" }))).toEqual({ signSecret: "Укажите ключ подписи: без него Merchant API не примет токен" });
    expect(errors(org({ signSecret: "sig" }))).toEqual({ apiToken: "Укажите API-токен: без него Merchant API не примет ключ подписи" });
    expect(errors(org({ apiTokenSaved: true, signSecretSaved: true, signSecretClear: true })).signSecret).toMatch(/^Укажите ключ подписи/);
    expect(errors(org({ apiTokenSaved: true, signSecret: "sig" }))).toEqual({});
  });

  it("refuses a token that cannot travel in an Authorization header", () => {
    expect(errors(org({ apiToken: "two words", signSecret: "s" })).apiToken).toBe("Токен — латинские буквы, цифры и знаки, без пробелов");
    expect(errors(org({ apiToken: "токен", signSecret: "s" })).apiToken).toBe("Токен — латинские буквы, цифры и знаки, без пробелов");
    expect(errors(org({ apiToken: "x".repeat(513), signSecret: "s" })).apiToken).toBe("Слишком длинный токен");
  });

  it("requires every receipt field but «Группа касс» when receipts are on, each with its own Russian message", () => {
    const e = errors(org({ receiptsEnabled: true, receiptGroup: " ", receiptSubjectType: "", receiptMethodType: "" }));
    expect(e).toEqual({
      receiptInn: "Укажите ИНН",
      receiptVatGoods: "Выберите НДС для товаров",
      receiptVatDelivery: "Выберите НДС для доставки",
      receiptSubjectType: "Выберите признак предмета расчёта",
      receiptMethodType: "Выберите признак способа расчёта",
    });
  });

  it("checks the INN: 10 or 12 digits with the FNS check digits", () => {
    expect(errors(receiptsOn({ receiptInn: "770708389" })).receiptInn).toBe("ИНН — 10 или 12 цифр");
    expect(errors(receiptsOn({ receiptInn: "77070838931" })).receiptInn).toBe("ИНН — 10 или 12 цифр");
    expect(errors(receiptsOn({ receiptInn: "77070838a3" })).receiptInn).toBe("ИНН — 10 или 12 цифр");
    expect(errors(receiptsOn({ receiptInn: "7707083894" })).receiptInn).toBe("Неверный ИНН: не сходится контрольное число");
    expect(errors(receiptsOn({ receiptInn: "500100732258" })).receiptInn).toBe("Неверный ИНН: не сходится контрольное число");
    expect(errors(receiptsOn({ receiptInn: "500100732259" }))).toEqual({});
    expect(errors(receiptsOn({ receiptInn: " 7707083893 " }))).toEqual({});
  });

  it("accepts only the §6 codes in the selects", () => {
    expect(errors(receiptsOn({ receiptVatGoods: "13" })).receiptVatGoods).toBe("Выберите значение из списка");
    expect(errors(receiptsOn({ receiptVatDelivery: "0" })).receiptVatDelivery).toBe("Выберите значение из списка");
    expect(errors(receiptsOn({ receiptSubjectType: "2" })).receiptSubjectType).toBe("Выберите значение из списка");
    expect(errors(receiptsOn({ receiptMethodType: "3" })).receiptMethodType).toBe("Выберите значение из списка");
    expect(errors(receiptsOn({ receiptVatGoods: "1.5" })).receiptVatGoods).toBe("Выберите значение из списка");
  });

  it("outputs the receipt settings as numbers when on, with the defaults: no group (the account's), товар, полный расчёт", () => {
    expect(receiptsOf(receiptsOn({ receiptVatGoods: "11", receiptVatDelivery: "12" }))).toEqual({
      enabled: true, inn: "7707083893", group: null, vatGoods: 11, vatDelivery: 12, subjectType: 1, methodType: 4,
    });
    expect(receiptsOf(receiptsOn({ receiptGroup: "   " }))).toMatchObject({ group: null });
    expect(receiptsOf(receiptsOn({ receiptGroup: "Web", receiptSubjectType: "4", receiptMethodType: "1" }))).toMatchObject({
      group: "Web", subjectType: 4, methodType: 1,
    });
  });

  it("ignores the receipt fields while receipts are off, even incomplete ones", () => {
    expect(receiptsOf(org({ receiptsEnabled: false, receiptInn: "123", receiptVatGoods: "" }))).toEqual({ enabled: false });
  });

  it("is only for «Юридическое лицо»: an individual's output has none of it", () => {
    const out = parsed(individual({ receiptsEnabled: true, receiptInn: "", apiToken: "tok" }));
    expect(Object.keys(out).sort()).toEqual(["legalForm", "mailKinds", "notifyEmail", "walletFormId", "walletLogin", "walletSecretKey"]);
  });
});
