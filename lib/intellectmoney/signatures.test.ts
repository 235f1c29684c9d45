// Vendor vectors: docs/protocols/test-vectors.md (not a second copy of our formulas).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { invoiceFormHash, matchResultNotificationHash, merchantApiHash, merchantApiSign, resultNotificationHash, verifyResultNotificationHash } from "./signatures";

const notification = {
  eshopId: "12345",
  orderId: "ORDER-HASH",
  serviceName: "Test",
  eshopAccount: "ACC",
  recipientAmount: "100.00",
  recipientCurrency: "RUB",
  paymentStatus: "5",
  userName: "User",
  userEmail: "test@example.com",
  paymentData: "2025-01-01 12:00:00",
};

describe("IntellectMoney signatures", () => {
  it("hashes the invoice form like the IntellectMoney docs example", () => {
    const hash = invoiceFormHash(
      { eshopId: "17354", orderId: "1", serviceName: "покупка книги Хочу все знать", recipientAmount: "10.10", recipientCurrency: "RUB" },
      "test",
    );
    expect(hash).toBe("139de04be8c37061f99218353f4e13e0");
  });

  it("hashes the amount string as sent (10.1 is not 10.10)", () => {
    const hash = invoiceFormHash(
      { eshopId: "17354", orderId: "1", serviceName: "покупка книги Хочу все знать", recipientAmount: "10.1", recipientCurrency: "RUB" },
      "test",
    );
    expect(hash).not.toBe("139de04be8c37061f99218353f4e13e0");
  });

  it("hashes a result notification over the 11 segments with the stored key last", () => {
    expect(resultNotificationHash(notification, "testsecretkey")).toBe("8f958db097c615a097e0548a3b57a9f6");
  });

  it("verifies the notification hash case-insensitively", () => {
    expect(verifyResultNotificationHash(notification, "testsecretkey", "8f958db097c615a097e0548a3b57a9f6")).toBe(true);
    expect(verifyResultNotificationHash(notification, "testsecretkey", "8F958DB097C615A097E0548A3B57A9F6")).toBe(true);
  });

  it("rejects a notification hashed with another shop's key, a changed field, or an empty key", () => {
    expect(verifyResultNotificationHash(notification, "otherkey", "8f958db097c615a097e0548a3b57a9f6")).toBe(false);
    expect(verifyResultNotificationHash({ ...notification, recipientAmount: "100" }, "testsecretkey", "8f958db097c615a097e0548a3b57a9f6")).toBe(false);
    expect(verifyResultNotificationHash({ ...notification, paymentStatus: "4" }, "testsecretkey", "8f958db097c615a097e0548a3b57a9f6")).toBe(false);
    expect(verifyResultNotificationHash(notification, "testsecretkey", "")).toBe(false);
    const forged = resultNotificationHash(notification, "");
    expect(verifyResultNotificationHash(notification, "", forged)).toBe(false);
  });

  // docs/protocols/test-vectors.md «IntellectMoney result notification, Cyrillic»: the same fields hashed over
  // their UTF-8 bytes and over their windows-1251 bytes (§3 «Encoding»).
  const cyrillic = {
    eshopId: "12345", orderId: "9999-2197421", serviceName: "Заказ №9999 на сайте test.myinsales.ru", eshopAccount: "ACC", recipientAmount: "1200.00",
    recipientCurrency: "RUB", paymentStatus: "5", userName: "Иван", userEmail: "buyer@example.com", paymentData: "2025-01-01 12:00:00",
  };

  it("accepts a Cyrillic notification hashed over its UTF-8 bytes or its windows-1251 bytes, and says which", () => {
    expect(resultNotificationHash(cyrillic, "testsecretkey")).toBe("b8505ab7ba04db4a6ad07e246d3ff387");
    expect(matchResultNotificationHash(cyrillic, "testsecretkey", "b8505ab7ba04db4a6ad07e246d3ff387")).toBe("utf-8");
    expect(matchResultNotificationHash(cyrillic, "testsecretkey", "CC86DAA7BE62D9312A1682D96C5AD704")).toBe("windows-1251");
    expect(verifyResultNotificationHash(cyrillic, "testsecretkey", "cc86daa7be62d9312a1682d96c5ad704")).toBe(true);
    // Either encoding still needs our key, and any other bytes (here KOI8-R's) are refused.
    expect(matchResultNotificationHash(cyrillic, "otherkey", "cc86daa7be62d9312a1682d96c5ad704")).toBeNull();
    const joined = "12345::9999-2197421::Заказ №9999 на сайте test.myinsales.ru::ACC::1200.00::RUB::5::Иван::buyer@example.com::2025-01-01 12:00:00::testsecretkey";
    const koi8 = createHash("md5").update(Buffer.from([...joined].map((c) => (c.charCodeAt(0) < 128 ? c.charCodeAt(0) : 0xc1)))).digest("hex");
    expect(matchResultNotificationHash(cyrillic, "testsecretkey", koi8)).toBeNull();
  });

  it("offers no windows-1251 hash for a string windows-1251 cannot hold", () => {
    expect(matchResultNotificationHash({ ...cyrillic, userName: "✓" }, "k", createHash("md5").update("x").digest("hex"))).toBeNull();
  });

  it("signs Merchant API calls: SHA-256 for Sign, MD5 for hash, `::` joined, secret last (§4)", () => {
    // Independent check with node:crypto over the documented pattern EshopId::OrderId::ToPaid::<secret>.
    const sign = createHash("sha256").update("450157::9999-2197421::ToPaid::signsecret", "utf8").digest("hex");
    const hash = createHash("md5").update("450157::9999-2197421::ToPaid::shopsecret", "utf8").digest("hex");
    expect(merchantApiSign(["450157", "9999-2197421", "ToPaid"], "signsecret")).toBe(sign);
    expect(merchantApiHash(["450157", "9999-2197421", "ToPaid"], "shopsecret")).toBe(hash);
    expect(merchantApiSign(["1", "", "Refund"], "s")).toBe(createHash("sha256").update("1::::Refund::s").digest("hex"));
  });
});
