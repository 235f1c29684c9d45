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
  it("an empty individual form has errors on «ID формы» and the e-mail", () => {
    const e = errors({ ...emptySettingsForm(""), legalForm: "INDIVIDUAL" });
    expect(e.walletFormId).toBe("Укажите ID формы");
    expect(e.walletLogin).toBe("Укажите e-mail для входа в личный кабинет");
  });

  it("checks «ID формы» (digits, ≤ 12) and «Email, Логин» (an e-mail)", () => {
    expect(errors(individual({ walletFormId: "1234567890123" })).walletFormId).toBe("Только цифры, не больше 12");
    expect(errors(individual({ walletFormId: "12-3" })).walletFormId).toBe("Только цифры, не больше 12");
    expect(errors(individual({ walletLogin: "not-an-email" })).walletLogin).toBe("Неверный e-mail");
    expect(errors(individual({ walletFormId: "123456789012" }))).toEqual({});
  });

  it("does not ask an individual for the organization's fields and drops them from the output", () => {
    const out = parsed(individual({ eshopId: "", secretKey: "" }));
    expect(out).toEqual({ legalForm: "INDIVIDUAL", walletFormId: "4242", walletLogin: "wallet@example.com", mailKinds: [], notifyEmail: null });
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
    expect(errors(org({ mailKinds: [14] })).mailKinds).toBe("Неизвестное уведомление");
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
