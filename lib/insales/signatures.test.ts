// Vendor vectors: docs/protocols/test-vectors.md (not a second copy of our formulas).
import { describe, expect, it } from "vitest";
import {
  checkoutSignature,
  checkoutSignatureLayouts,
  matchCheckoutSignature,
  installPassword,
  loginToken,
  loginToken2,
  loginToken3,
  resultNoticeSignature,
  verifyCheckoutSignature,
  verifyLoginToken,
  verifyLoginToken3,
  verifyResultNoticeSignature,
  type CheckoutFields,
} from "./signatures";

const NONCE = "3ad376b668c48c15d4beed467a567ef7";
const PASSWORD = "4c3f4c197336eb97475506e71c839c71";

const checkout: CheckoutFields = {
  shop_id: "123",
  amount: "1200.00",
  transaction_id: "2197421",
  key: "201c02c69db32b95ecf878b3172121c4",
  description: "Заказ №9999 на сайте test.myinsales.ru",
  order_id: "4020290",
  phone: "79991234567",
  email: "buyer@example.com",
  original_currency: "",
  convert_currency: "",
  original_amount: "",
  conversion_rate: "",
  order_json: "",
};

describe("InSales signatures", () => {
  it("derives the app password from the install token and the app secret (InSales docs example)", () => {
    expect(installPassword("token123", "mysecret")).toBe("4c3f4c197336eb97475506e71c839c71");
  });

  it("computes the login token as MD5(nonce + password)", () => {
    expect(loginToken(NONCE, PASSWORD)).toBe("d339ec1c3e85f923e1f8adc538fe28fd");
    expect(verifyLoginToken(NONCE, PASSWORD, "d339ec1c3e85f923e1f8adc538fe28fd")).toBe(true);
    expect(verifyLoginToken(NONCE, PASSWORD, "D339EC1C3E85F923E1F8ADC538FE28FD")).toBe(true);
    expect(verifyLoginToken(NONCE, "other", "d339ec1c3e85f923e1f8adc538fe28fd")).toBe(false);
    expect(verifyLoginToken(NONCE, PASSWORD, "")).toBe(false);
  });

  it("computes token3 over the user fields exactly as received", () => {
    const f = { nonce: NONCE, userEmail: "user@myshop.ru", userName: "igor", userId: "1", emailConfirmed: "true", password: PASSWORD };
    expect(loginToken3(f)).toBe("5e3365c049cc78836c8dc940716cab42");
    expect(verifyLoginToken3(f, "5e3365c049cc78836c8dc940716cab42")).toBe(true);
    // A tampered user field (e.g. someone else's e-mail) does not verify.
    expect(verifyLoginToken3({ ...f, userEmail: "attacker@evil.ru" }, "5e3365c049cc78836c8dc940716cab42")).toBe(false);
    expect(verifyLoginToken3({ ...f, emailConfirmed: "false" }, "5e3365c049cc78836c8dc940716cab42")).toBe(false);
  });

  it("computes token2 without email_confirmed (differs from token3)", () => {
    const f = { nonce: NONCE, userEmail: "user@myshop.ru", userName: "igor", userId: "1", password: PASSWORD };
    const t2 = loginToken2(f);
    expect(t2).toMatch(/^[0-9a-f]{32}$/);
    expect(t2).not.toBe("5e3365c049cc78836c8dc940716cab42");
    expect(loginToken3({ ...f, emailConfirmed: "" })).toBe(t2); // same concatenation when the flag is empty
  });

  it("signs a checkout over the 13 positional fields with empty segments for absent ones", () => {
    expect(checkoutSignature(checkout, "secretpass")).toBe("7a6d359379d29451365a664a332658df");
    expect(verifyCheckoutSignature(checkout, "secretpass", "7a6d359379d29451365a664a332658df")).toBe(true);
    expect(verifyCheckoutSignature(checkout, "secretpass", "7A6D359379D29451365A664A332658DF")).toBe(true);
  });

  it("also verifies the compact layout of the vendor page's other version: only the fields that came, then the password", () => {
    // docs/protocols/test-vectors.md: MD5 of `123;1200.00;…;buyer@example.com;secretpass` (no empty segments).
    expect(verifyCheckoutSignature(checkout, "secretpass", "db3713fb14a946b4472f03403b214c1d")).toBe(true);
    expect(matchCheckoutSignature(checkout, "secretpass", "db3713fb14a946b4472f03403b214c1d")).toBe("compact");
    expect(matchCheckoutSignature(checkout, "secretpass", "7a6d359379d29451365a664a332658df")).toBe("positional");
    expect(verifyCheckoutSignature(checkout, "secretpass2", "db3713fb14a946b4472f03403b214c1d")).toBe(false);
  });

  it("verifies no layout when a `;` in a field could move segments between the two layouts", () => {
    // The compact string of this tuple equals the positional string of the genuine one above.
    const shifted = { ...checkout, email: "buyer@example.com;;;;;" };
    expect(checkoutSignatureLayouts(shifted, "secretpass")).toEqual([]);
    expect(verifyCheckoutSignature(shifted, "secretpass", "7a6d359379d29451365a664a332658df")).toBe(false);
    expect(verifyCheckoutSignature({ ...checkout, phone: "7999;1" }, "secretpass", checkoutSignature({ ...checkout, phone: "7999;1" }, "secretpass"))).toBe(false);
  });

  it("rejects a checkout whose amount was re-formatted or whose password differs", () => {
    expect(verifyCheckoutSignature({ ...checkout, amount: "1200" }, "secretpass", "7a6d359379d29451365a664a332658df")).toBe(false);
    expect(verifyCheckoutSignature({ ...checkout, amount: "1200.0" }, "secretpass", "7a6d359379d29451365a664a332658df")).toBe(false);
    expect(verifyCheckoutSignature(checkout, "secretpass2", "7a6d359379d29451365a664a332658df")).toBe(false);
    expect(verifyCheckoutSignature({ ...checkout, order_json: "{}" }, "secretpass", "7a6d359379d29451365a664a332658df")).toBe(false);
  });

  it("signs the result notice as MD5(shop_id;amount;transaction_id;key;paid;password)", () => {
    const f = { shopId: "123", amount: "1200.00", transactionId: "2197421", key: "201c02c69db32b95ecf878b3172121c4", paid: "1" as const };
    expect(resultNoticeSignature(f, "secretpass")).toBe("77fb9ae360eaf8d073fc4a502e28b963");
    expect(verifyResultNoticeSignature(f, "secretpass", "77fb9ae360eaf8d073fc4a502e28b963")).toBe(true);
    expect(verifyResultNoticeSignature({ ...f, paid: "0" }, "secretpass", "77fb9ae360eaf8d073fc4a502e28b963")).toBe(false);
  });
});
