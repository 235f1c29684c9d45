import { describe, expect, it } from "vitest";
import { parseCheckoutRequest } from "./checkout-request";
import { checkoutSignature } from "./signatures";

const base: Record<string, string> = {
  shop_id: "123",
  amount: "1200.00",
  transaction_id: "2197421",
  key: "201c02c69db32b95ecf878b3172121c4",
  description: "Заказ №9999 на сайте test.myinsales.ru",
  order_id: "4020290",
  phone: "79991234567",
  email: "buyer@example.com",
  signature: "7a6d359379d29451365a664a332658df",
};

function form(over: Record<string, string | null> = {}): URLSearchParams {
  const f = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...base, ...over })) if (v !== null) f.append(k, v);
  return f;
}

describe("parseCheckoutRequest", () => {
  it("keeps the raw strings so the vendor vector still verifies (docs/protocols/test-vectors.md)", () => {
    // As the browser sends it: urlencoded UTF-8.
    const body = new URLSearchParams(form().toString());
    const r = parseCheckoutRequest(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fields.description).toBe("Заказ №9999 на сайте test.myinsales.ru");
    expect(r.fields.original_amount).toBe("");
    expect(r.fields.order_json).toBe("");
    expect(r.signature).toBe("7a6d359379d29451365a664a332658df");
    expect(r.amountKopecks).toBe(120000n);
    expect(r.request).toEqual({ ...r.fields, signature: r.signature });
    expect(checkoutSignature(r.fields, "secretpass")).toBe("7a6d359379d29451365a664a332658df");
  });

  it("keeps an amount with fewer decimals exactly as sent", () => {
    const r = parseCheckoutRequest(form({ amount: "1200.5" }));
    expect(r.ok && r.fields.amount).toBe("1200.5");
    expect(r.ok && r.amountKopecks).toBe(120050n);
  });

  it.each(["shop_id", "amount", "transaction_id", "key", "order_id", "signature"])("requires %s", (field) => {
    expect(parseCheckoutRequest(form({ [field]: null }))).toEqual({ ok: false, reason: "missing_field", field });
    expect(parseCheckoutRequest(form({ [field]: "" }))).toEqual({ ok: false, reason: "missing_field", field });
  });

  it("accepts the optional fields as absent", () => {
    const r = parseCheckoutRequest(form({ description: null, phone: null, email: null }));
    expect(r.ok).toBe(true);
  });

  it.each(["abc", "1,00", "-5", "1e3", "12.345", " 12"])("rejects the malformed amount %j", (amount) => {
    expect(parseCheckoutRequest(form({ amount }))).toEqual({ ok: false, reason: "invalid_field", field: "amount" });
  });

  it("rejects amounts under IntellectMoney's minimum of 1.00", () => {
    expect(parseCheckoutRequest(form({ amount: "0.99" }))).toEqual({ ok: false, reason: "amount_too_small", field: "amount" });
    expect(parseCheckoutRequest(form({ amount: "0" }))).toEqual({ ok: false, reason: "amount_too_small", field: "amount" });
    expect(parseCheckoutRequest(form({ amount: "1.00" })).ok).toBe(true);
  });

  it("rejects a duplicated field (the signature could cover one value and we could use another)", () => {
    const f = form();
    f.append("amount", "1.00");
    expect(parseCheckoutRequest(f)).toEqual({ ok: false, reason: "duplicate_field", field: "amount" });
    const g = form();
    g.append("order_json", "{}");
    g.append("order_json", "{}");
    expect(parseCheckoutRequest(g)).toEqual({ ok: false, reason: "duplicate_field", field: "order_json" });
  });

  it("rejects NUL bytes in any field", () => {
    expect(parseCheckoutRequest(form({ description: "a\0b" }))).toEqual({ ok: false, reason: "nul_byte", field: "description" });
    expect(parseCheckoutRequest(form({ email: "\0" }))).toEqual({ ok: false, reason: "nul_byte", field: "email" });
  });

  it("limits lengths: description 1024, order_json 1 MB, others 255", () => {
    expect(parseCheckoutRequest(form({ description: "я".repeat(1024) })).ok).toBe(true);
    expect(parseCheckoutRequest(form({ description: "я".repeat(1025) }))).toEqual({ ok: false, reason: "too_long", field: "description" });
    expect(parseCheckoutRequest(form({ email: "a".repeat(255) })).ok).toBe(true);
    expect(parseCheckoutRequest(form({ email: "a".repeat(256) }))).toEqual({ ok: false, reason: "too_long", field: "email" });
    expect(parseCheckoutRequest(form({ order_id: "1".repeat(256) }))).toEqual({ ok: false, reason: "too_long", field: "order_id" });
    expect(parseCheckoutRequest(form({ order_json: "x".repeat(1024 * 1024) })).ok).toBe(true);
    expect(parseCheckoutRequest(form({ order_json: "x".repeat(1024 * 1024 + 1) }))).toEqual({ ok: false, reason: "too_long", field: "order_json" });
    // 1 MB counted in UTF-8 bytes: 2-byte letters hit the limit at half the characters.
    expect(parseCheckoutRequest(form({ order_json: "я".repeat(512 * 1024 + 1) }))).toEqual({ ok: false, reason: "too_long", field: "order_json" });
  });

  it("accepts transaction ids of digits or a safe token up to 64 characters", () => {
    expect(parseCheckoutRequest(form({ transaction_id: "a".repeat(64) })).ok).toBe(true);
    expect(parseCheckoutRequest(form({ transaction_id: "tx_AB-12" })).ok).toBe(true);
    for (const bad of ["a".repeat(65), "12 34", "12/34", "<script>", "тест", "1.2"]) {
      expect(parseCheckoutRequest(form({ transaction_id: bad })), bad).toEqual({ ok: false, reason: "invalid_field", field: "transaction_id" });
    }
  });

  it("refuses a shop_id that could shift the fields of our `;`-joined result notice (issue 12 item 2)", () => {
    expect(parseCheckoutRequest(form({ shop_id: "654321" })).ok).toBe(true);
    for (const bad of ["123;1.00", "123;", ";123", "12 3", "a".repeat(65)]) {
      expect(parseCheckoutRequest(form({ shop_id: bad })), bad).toEqual({ ok: false, reason: "invalid_field", field: "shop_id" });
    }
  });

  it("limits the order key to a safe token of at most 64 characters", () => {
    expect(parseCheckoutRequest(form({ key: "k".repeat(64) })).ok).toBe(true);
    expect(parseCheckoutRequest(form({ key: "k".repeat(65) }))).toEqual({ ok: false, reason: "invalid_field", field: "key" });
    expect(parseCheckoutRequest(form({ key: "../admin" }))).toEqual({ ok: false, reason: "invalid_field", field: "key" });
  });

  it("requires the signature to be 32 hex digits", () => {
    expect(parseCheckoutRequest(form({ signature: "7A6D359379D29451365A664A332658DF" })).ok).toBe(true);
    for (const bad of ["xyz", "7a6d359379d29451365a664a332658d", "7a6d359379d29451365a664a332658dfa", "g".repeat(32)]) {
      expect(parseCheckoutRequest(form({ signature: bad }))).toEqual({ ok: false, reason: "invalid_field", field: "signature" });
    }
  });

  it("keeps currency conversion fields raw", () => {
    const r = parseCheckoutRequest(form({ original_currency: "USD", convert_currency: "RUB", original_amount: "12.5", conversion_rate: "96.0" }));
    expect(r.ok && [r.fields.original_currency, r.fields.convert_currency, r.fields.original_amount, r.fields.conversion_rate]).toEqual(["USD", "RUB", "12.5", "96.0"]);
  });

  it("ignores unknown extra fields", () => {
    const f = form();
    f.append("utm_source", "x");
    f.append("utm_source", "y");
    expect(parseCheckoutRequest(f).ok).toBe(true);
  });
});
