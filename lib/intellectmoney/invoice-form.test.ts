import { describe, expect, it } from "vitest";
import { md5Hex } from "../crypto";
import { buildInvoiceForm, deriveImOrderId, invoiceLifetimeHours, type InvoiceFormInput, type OrganizationInvoiceSettings } from "./invoice-form";

const NOW = new Date("2025-01-01T09:00:00Z"); // 12:00:00 in Moscow
const MERCHANT_URL = "https://merchant.intellectmoney.ru/ru/";

const org: OrganizationInvoiceSettings = {
  legalForm: "ORGANIZATION",
  eshopId: "17354",
  secretKey: "test",
  testMode: false,
  preference: [],
  holdMode: "NO_HOLD",
  invoiceLifetimeDays: null,
  holdHours: null,
};

function input(over: Partial<InvoiceFormInput> = {}, settings: Partial<OrganizationInvoiceSettings> = {}): InvoiceFormInput {
  return {
    merchantUrl: MERCHANT_URL,
    settings: { ...org, ...settings },
    imOrderId: "1",
    description: "покупка книги Хочу все знать",
    amountKopecks: 1010n,
    buyerEmail: null,
    buyerName: null,
    successUrl: "https://app.example/api/intellectmoney/return/p1/success",
    failUrl: "https://app.example/api/intellectmoney/return/p1/fail",
    resultUrl: "https://app.example/api/intellectmoney/result?shop=42",
    now: NOW,
    ...over,
  };
}

const get = (fields: Array<[string, string]>, name: string) => fields.find(([n]) => n === name)?.[1];
const names = (fields: Array<[string, string]>) => fields.map(([n]) => n);

describe("buildInvoiceForm — organization (§1)", () => {
  it("signs the exact strings it sends (IntellectMoney docs example)", () => {
    const form = buildInvoiceForm(input());
    expect(form.action).toBe(MERCHANT_URL);
    expect(get(form.fields, "eshopId")).toBe("17354");
    expect(get(form.fields, "orderId")).toBe("1");
    expect(get(form.fields, "serviceName")).toBe("покупка книги Хочу все знать");
    expect(get(form.fields, "recipientAmount")).toBe("10.10");
    expect(get(form.fields, "recipientCurrency")).toBe("RUB");
    expect(get(form.fields, "hash")).toBe("139de04be8c37061f99218353f4e13e0");
  });

  it("sends no field twice and hashes over what it sends", () => {
    const form = buildInvoiceForm(input({ buyerEmail: "b@example.com", buyerName: "Иван", merchantReceipt: "{}" }, { holdMode: "HOLD", preference: ["bankcard", "sbp"] }));
    expect(new Set(names(form.fields)).size).toBe(form.fields.length);
    const f = (n: string) => get(form.fields, n) ?? "";
    expect(get(form.fields, "hash")).toBe(
      md5Hex([f("eshopId"), f("orderId"), f("serviceName"), f("recipientAmount"), f("recipientCurrency"), "test"].join("::")),
    );
  });

  it("uses TST in test mode and the hash follows", () => {
    const form = buildInvoiceForm(input({}, { testMode: true }));
    expect(get(form.fields, "recipientCurrency")).toBe("TST");
    expect(get(form.fields, "hash")).toBe(md5Hex("17354::1::покупка книги Хочу все знать::10.10::TST::test"));
  });

  it("formats the amount with exactly two decimals", () => {
    expect(get(buildInvoiceForm(input({ amountKopecks: 150000n })).fields, "recipientAmount")).toBe("1500.00");
    expect(get(buildInvoiceForm(input({ amountKopecks: 100n })).fields, "recipientAmount")).toBe("1.00");
    expect(() => buildInvoiceForm(input({ amountKopecks: 99n }))).toThrow(RangeError);
  });

  it("passes our per-invoice URLs", () => {
    const form = buildInvoiceForm(input());
    expect(get(form.fields, "successUrl")).toBe("https://app.example/api/intellectmoney/return/p1/success");
    expect(get(form.fields, "failUrl")).toBe("https://app.example/api/intellectmoney/return/p1/fail");
    expect(get(form.fields, "resultUrl")).toBe("https://app.example/api/intellectmoney/result?shop=42");
  });

  it("HOLD → holdMode=1 with holdTime 119 by default and invoices living 3 days", () => {
    const form = buildInvoiceForm(input({}, { holdMode: "HOLD" }));
    expect(get(form.fields, "holdMode")).toBe("1");
    expect(get(form.fields, "holdTime")).toBe("119");
    expect(get(form.fields, "expireDate")).toBe("2025-01-04 12:00:00");
  });

  it("HOLD honours holdHours and the lifetime up to 5 days", () => {
    const form = buildInvoiceForm(input({}, { holdMode: "HOLD", holdHours: 24, invoiceLifetimeDays: 5 }));
    expect(get(form.fields, "holdTime")).toBe("24");
    expect(get(form.fields, "expireDate")).toBe("2025-01-06 12:00:00");
    const capped = buildInvoiceForm(input({}, { holdMode: "HOLD", holdHours: 500, invoiceLifetimeDays: 30 }));
    expect(get(capped.fields, "holdTime")).toBe("119");
    expect(get(capped.fields, "expireDate")).toBe("2025-01-06 12:00:00");
  });

  it("NO_HOLD → holdMode=0, no holdTime, lifetime 4319 hours by default", () => {
    const form = buildInvoiceForm(input({}, { holdMode: "NO_HOLD", holdHours: 24 }));
    expect(get(form.fields, "holdMode")).toBe("0");
    expect(get(form.fields, "holdTime")).toBeUndefined();
    // 4319 h = 179 days 23 h after 2025-01-01 12:00 MSK.
    expect(get(form.fields, "expireDate")).toBe("2025-06-30 11:00:00");
  });

  it("NO_HOLD honours the lifetime in days and caps it at 4319 hours", () => {
    expect(get(buildInvoiceForm(input({}, { invoiceLifetimeDays: 10 })).fields, "expireDate")).toBe("2025-01-11 12:00:00");
    expect(get(buildInvoiceForm(input({}, { invoiceLifetimeDays: 179 })).fields, "expireDate")).toBe("2025-06-29 12:00:00");
    expect(get(buildInvoiceForm(input({}, { invoiceLifetimeDays: 180 })).fields, "expireDate")).toBe("2025-06-30 11:00:00");
  });

  it("CABINET («Задано в личном кабинете») → no holdMode, no holdTime and no expireDate: the account decides (issue 13 item 4)", () => {
    const form = buildInvoiceForm(input({}, { holdMode: "CABINET", holdHours: 24, invoiceLifetimeDays: 10 }));
    expect(names(form.fields)).not.toContain("holdMode");
    expect(names(form.fields)).not.toContain("holdTime");
    expect(names(form.fields)).not.toContain("expireDate");
  });

  it("computes expireDate in Moscow time from the given instant", () => {
    const form = buildInvoiceForm(input({ now: new Date("2025-03-01T22:30:15Z") }, { invoiceLifetimeDays: 1 }));
    expect(get(form.fields, "expireDate")).toBe("2025-03-03 01:30:15");
  });

  it("joins preference codes with commas and omits it when empty", () => {
    expect(get(buildInvoiceForm(input({}, { preference: ["bankcard", "sbp"] })).fields, "preference")).toBe("bankcard,sbp");
    expect(names(buildInvoiceForm(input({}, { preference: [] })).fields)).not.toContain("preference");
    expect(names(buildInvoiceForm(input({}, { preference: ["", " "] })).fields)).not.toContain("preference");
  });

  it("sends user_email and email, and userName, only when known", () => {
    const bare = buildInvoiceForm(input());
    for (const n of ["user_email", "email", "userName", "merchantReceipt"]) expect(names(bare.fields)).not.toContain(n);
    const full = buildInvoiceForm(input({ buyerEmail: "buyer@example.com", buyerName: "Иван Петров" }));
    expect(get(full.fields, "user_email")).toBe("buyer@example.com");
    expect(get(full.fields, "email")).toBe("buyer@example.com");
    expect(get(full.fields, "userName")).toBe("Иван Петров");
  });

  it("adds merchantReceipt raw (escaping is the page's job) and keeps it out of the hash", () => {
    const receipt = '{"inn":"7700000000","content":{"positions":[{"text":"Чай & кофе"}]}}';
    const form = buildInvoiceForm(input({ merchantReceipt: receipt }));
    expect(get(form.fields, "merchantReceipt")).toBe(receipt);
    expect(get(form.fields, "hash")).toBe("139de04be8c37061f99218353f4e13e0");
  });

  it("truncates serviceName to 1024 and userName to 255 characters and signs the truncated text", () => {
    const long = "😀" + "я".repeat(2000);
    const form = buildInvoiceForm(input({ description: long, buyerName: "И".repeat(300) }));
    const serviceName = get(form.fields, "serviceName")!;
    expect(Array.from(serviceName)).toHaveLength(1024);
    expect(serviceName.startsWith("😀я")).toBe(true);
    expect(get(form.fields, "userName")).toBe("И".repeat(255));
    expect(get(form.fields, "hash")).toBe(md5Hex(`17354::1::${serviceName}::10.10::RUB::test`));
  });

  it("refuses incomplete settings instead of sending an unsigned form", () => {
    expect(() => buildInvoiceForm(input({}, { secretKey: "" }))).toThrow();
    expect(() => buildInvoiceForm(input({}, { eshopId: "" }))).toThrow();
  });
});

describe("buildInvoiceForm — personal wallet (§2)", () => {
  const wallet = input({
    settings: { legalForm: "INDIVIDUAL", walletFormId: "123456", walletLogin: "owner@example.com" },
    imOrderId: "9999-2197421",
    description: "Заказ №9999 на сайте test.myinsales.ru",
    amountKopecks: 120000n,
    buyerEmail: "buyer@example.com",
    buyerName: "Иван",
  });

  it("posts to the shared shop with the recipient in the user fields and no hash", () => {
    const form = buildInvoiceForm(wallet);
    expect(form.action).toBe(MERCHANT_URL);
    expect(form.fields).toEqual([
      ["eshopId", "450157"],
      ["orderId", "9999-2197421"],
      ["serviceName", "Заказ №9999 на сайте test.myinsales.ru"],
      ["recipientAmount", "1200.00"],
      ["recipientCurrency", "RUB"],
      ["user_email", "buyer@example.com"],
      ["email", "buyer@example.com"],
      ["successUrl", "https://app.example/api/intellectmoney/return/p1/success"],
      ["failUrl", "https://app.example/api/intellectmoney/return/p1/fail"],
      ["resultUrl", "https://app.example/api/intellectmoney/result?shop=42"],
      ["expireDate", "2025-06-30 11:00:00"],
      ["preference", "bankcard"],
      ["UserFieldName_0", "Перевод в кошелек"],
      ["UserField_0", "owner@example.com"],
      ["UserFieldName_9", "UserPaymentFormId"],
      ["UserField_9", "123456"],
    ]);
  });

  it("has no test currency and no hold parameters", () => {
    const form = buildInvoiceForm(wallet);
    expect(names(form.fields)).not.toContain("hash");
    expect(names(form.fields)).not.toContain("holdMode");
  });
});

describe("invoiceLifetimeHours", () => {
  it("applies the defaults and maxima of §1", () => {
    expect(invoiceLifetimeHours(false, null)).toBe(4319);
    expect(invoiceLifetimeHours(false, 179)).toBe(179 * 24);
    expect(invoiceLifetimeHours(false, 1000)).toBe(4319);
    expect(invoiceLifetimeHours(true, null)).toBe(72);
    expect(invoiceLifetimeHours(true, 5)).toBe(120);
    expect(invoiceLifetimeHours(true, 6)).toBe(120);
    expect(invoiceLifetimeHours(true, 0)).toBe(72);
    expect(invoiceLifetimeHours(false, -3)).toBe(4319);
    expect(invoiceLifetimeHours(false, 1.5)).toBe(4319);
  });
});

describe("deriveImOrderId", () => {
  it("joins the order number and the transaction id", () => {
    expect(deriveImOrderId("9999", "2197421")).toBe("9999-2197421");
  });

  it("stays within 50 characters and keeps the transaction id whole", () => {
    const id = deriveImOrderId("1".repeat(60), "2197421");
    expect(id).toHaveLength(50);
    expect(id.endsWith("-2197421")).toBe(true);
    const tx = "t".repeat(48);
    expect(deriveImOrderId("9999", tx)).toBe(`9-${tx}`);
    expect(deriveImOrderId("9999", "x".repeat(49))).toBe("x".repeat(49));
    expect(deriveImOrderId("9999", "x".repeat(50))).toBe("x".repeat(50));
  });

  it("replaces a transaction id too long for 50 characters by a stable digest", () => {
    const tx = "a".repeat(64);
    const id = deriveImOrderId("9999", tx);
    expect(id.length).toBeLessThanOrEqual(50);
    expect(id).toBe(`9999-t${md5Hex(tx)}`);
    expect(deriveImOrderId("9999", "b".repeat(64))).not.toBe(id);
  });

  it("drops characters that do not belong in an orderId from the order part", () => {
    expect(deriveImOrderId("№ 99/99", "2197421")).toBe("9999-2197421");
    expect(deriveImOrderId("", "2197421")).toBe("2197421");
  });
});
