import { describe, expect, it } from "vitest";
import { parseResultNotification } from "./result-notification";
import { verifyResultNotificationHash } from "./signatures";

const base: Record<string, string> = {
  eshopId: "12345",
  paymentId: "3000000001",
  orderId: "ORDER-HASH",
  eshopAccount: "ACC",
  serviceName: "Test",
  recipientAmount: "100.00",
  recipientOriginalAmount: "100.00",
  recipientCurrency: "RUB",
  paymentStatus: "5",
  userName: "User",
  userEmail: "test@example.com",
  paymentData: "2025-01-01 12:00:00",
  secretKey: "",
  hash: "8f958db097c615a097e0548a3b57a9f6",
};

function body(over: Record<string, string | null> = {}): URLSearchParams {
  const f = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...base, ...over })) if (v !== null) f.append(k, v);
  return f;
}

describe("parseResultNotification", () => {
  it("parses raw strings that verify against the vendor vector", () => {
    const r = parseResultNotification(new URLSearchParams(body().toString()));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notification.paymentId).toBe("3000000001");
    expect(r.notification.paymentStatus).toBe("5");
    expect(verifyResultNotificationHash(r.notification, "testsecretkey", r.notification.hash)).toBe(true);
  });

  it("never carries the notification's own secretKey field", () => {
    const r = parseResultNotification(body({ secretKey: "leaked-in-clear" }));
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain("leaked-in-clear");
  });

  it.each(["eshopId", "paymentId", "orderId", "recipientAmount", "recipientCurrency", "paymentStatus"])("requires %s", (field) => {
    expect(parseResultNotification(body({ [field]: null }))).toEqual({ ok: false, reason: "missing_field", field });
    expect(parseResultNotification(body({ [field]: "" }))).toEqual({ ok: false, reason: "missing_field", field });
  });

  it("allows the other fields to be empty or absent", () => {
    const r = parseResultNotification(
      body({ eshopAccount: "", serviceName: "", userName: null, userEmail: null, paymentData: "", recipientOriginalAmount: null, secretKey: null }),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.notification.userName, r.notification.refundAmount]).toEqual(["", ""]);
  });

  it("accepts the status codes 3 to 8 only", () => {
    for (const code of ["3", "4", "5", "6", "7", "8"]) expect(parseResultNotification(body({ paymentStatus: code })).ok, code).toBe(true);
    for (const code of ["1", "2", "9", "05", "5 ", "paid"]) {
      expect(parseResultNotification(body({ paymentStatus: code })), code).toEqual({ ok: false, reason: "invalid_field", field: "paymentStatus" });
    }
  });

  it("leaves an absent or empty hash to the caller (wallet notifications, §2)", () => {
    for (const hash of [null, ""]) {
      const r = parseResultNotification(body({ eshopId: "450157", hash }));
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.notification.hash).toBe("");
    }
  });

  it("requires a present hash to be 32 hex digits", () => {
    expect(parseResultNotification(body({ hash: "8F958DB097C615A097E0548A3B57A9F6" })).ok).toBe(true);
    expect(parseResultNotification(body({ hash: "nothex" }))).toEqual({ ok: false, reason: "invalid_field", field: "hash" });
  });

  it("rejects duplicated fields", () => {
    const f = body();
    f.append("recipientAmount", "1.00");
    expect(parseResultNotification(f)).toEqual({ ok: false, reason: "duplicate_field", field: "recipientAmount" });
    const g = body({ UserField_9: "77" });
    g.append("UserField_9", "78");
    expect(parseResultNotification(g)).toEqual({ ok: false, reason: "duplicate_field", field: "UserField_9" });
  });

  it("rejects NUL bytes and overlong values", () => {
    expect(parseResultNotification(body({ userName: "a\0" }))).toEqual({ ok: false, reason: "nul_byte", field: "userName" });
    expect(parseResultNotification(body({ userName: "a".repeat(256) }))).toEqual({ ok: false, reason: "too_long", field: "userName" });
    expect(parseResultNotification(body({ serviceName: "я".repeat(1024) })).ok).toBe(true);
    expect(parseResultNotification(body({ serviceName: "я".repeat(2049) }))).toEqual({ ok: false, reason: "too_long", field: "serviceName" });
    expect(parseResultNotification(body({ UserField_0: "x\0" }))).toEqual({ ok: false, reason: "nul_byte", field: "UserField_0" });
  });

  it("keeps the optional payment details and echoed user fields", () => {
    const r = parseResultNotification(
      body({ paymentStatus: "8", refundAmount: "40.00", payMethod: "bankcard", shortPan: "4276****1234", UserField_0: "me@example.com", UserField_9: "777" }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.notification.refundAmount).toBe("40.00");
    expect(r.notification.shortPan).toBe("4276****1234");
    expect(r.notification.userFields).toEqual({ "0": "me@example.com", "9": "777" });
  });
});
