import { describe, expect, it } from "vitest";
import { fallbackAmountMatches, sameCurrency, type FallbackAmountInput } from "./fallback-amount";

const NO_CONVERSION = { original_amount: "", original_currency: "", convert_currency: "", conversion_rate: "" };

function check(request: Partial<FallbackAmountInput["request"]>, order: Partial<FallbackAmountInput["order"]> = {}) {
  return fallbackAmountMatches({
    request: { amount: "1200.00", ...NO_CONVERSION, ...request },
    order: { totalPrice: "1200.0", currencyCode: "RUR", ...order },
    invoiceCurrency: "RUB",
  });
}

describe("fallbackAmountMatches (issue 12 item 3)", () => {
  it("admits the order's full price, compared in kopecks however it is written", () => {
    expect(check({ amount: "1200.00" })).toEqual({ ok: true });
    expect(check({ amount: "1200" })).toEqual({ ok: true });
    expect(check({ amount: "1200.5" }, { totalPrice: "1200.50" })).toEqual({ ok: true });
  });

  it("refuses any other amount, however close", () => {
    expect(check({ amount: "1199.99" })).toEqual({ ok: false, why: "amount_differs" });
    expect(check({ amount: "1200.01" })).toEqual({ ok: false, why: "amount_differs" });
    expect(check({ amount: "1.00" }, { totalPrice: "10000.0" })).toEqual({ ok: false, why: "amount_differs" });
    expect(check({ amount: "1200.00" }, { totalPrice: "1.2e3" })).toEqual({ ok: false, why: "amount_differs" });
  });

  it("lets original_amount count for nothing unless all four conversion fields come with it", () => {
    expect(check({ amount: "1.00", original_amount: "10000.00" }, { totalPrice: "10000.0" })).toEqual({ ok: false, why: "amount_differs" });
    expect(check({ amount: "1.00", original_amount: "10000.00", original_currency: "RUB", conversion_rate: "0.0001" }, { totalPrice: "10000.0" })).toEqual({ ok: false, why: "amount_differs" });
    // Stray fields do not stop a full-price checkout.
    expect(check({ amount: "1200.00", original_amount: "1.00" })).toEqual({ ok: true });
  });

  it("refuses an order that is not in roubles when nothing converts it", () => {
    expect(check({}, { currencyCode: "USD" })).toEqual({ ok: false, why: "order_currency" });
    expect(check({}, { currencyCode: null })).toEqual({ ok: false, why: "order_currency" });
    expect(check({}, { currencyCode: "rub" })).toEqual({ ok: true });
  });

  it("checks every conversion field against the order and our invoice currency", () => {
    const conversion = { amount: "1200.00", original_amount: "1200.00", original_currency: "RUB", convert_currency: "RUB", conversion_rate: "1" };
    expect(check(conversion)).toEqual({ ok: true });
    expect(check({ ...conversion, original_currency: "USD" })).toEqual({ ok: false, why: "conversion_currency" });
    expect(check({ ...conversion, convert_currency: "EUR" })).toEqual({ ok: false, why: "conversion_currency" });
    expect(check({ ...conversion, original_amount: "1100.00" })).toEqual({ ok: false, why: "conversion_amount" });
    expect(check({ ...conversion, amount: "1200.01" })).toEqual({ ok: false, why: "conversion_amount" });
    expect(check({ ...conversion, conversion_rate: "abc" })).toEqual({ ok: false, why: "conversion_amount" });
    expect(check({ ...conversion, conversion_rate: "0" })).toEqual({ ok: false, why: "conversion_amount" });
  });

  it("tolerates exactly the rounding of one product to kopecks, floor or ceiling", () => {
    // 10.01 × 3.333 = 33.36333 → 33.36 or 33.37; 33.35 and 33.38 are not rounding.
    const usd = { original_amount: "10.01", original_currency: "USD", convert_currency: "RUB", conversion_rate: "3.333" };
    const order = { totalPrice: "10.01", currencyCode: "USD" };
    for (const amount of ["33.36", "33.37"]) expect(check({ ...usd, amount }, order)).toEqual({ ok: false, why: "conversion_rate_unverifiable" });
    for (const amount of ["33.35", "33.38"]) expect(check({ ...usd, amount }, order)).toEqual({ ok: false, why: "conversion_amount" });
  });

  it("refuses a rate that only the unsigned request states: another currency, or anything but 1 for the same one", () => {
    const order = { totalPrice: "10000.0", currencyCode: "RUR" };
    expect(check({ amount: "1.00", original_amount: "10000.00", original_currency: "RUR", convert_currency: "RUB", conversion_rate: "0.0001" }, order)).toEqual({
      ok: false,
      why: "conversion_rate_unverifiable",
    });
    expect(check({ amount: "10000.00", original_amount: "10000.00", original_currency: "RUR", convert_currency: "RUB", conversion_rate: "1.000" }, order)).toEqual({ ok: true });
    expect(check({ amount: "900000.00", original_amount: "10000.00", original_currency: "USD", convert_currency: "RUB", conversion_rate: "90" }, { ...order, currencyCode: "USD" })).toEqual({
      ok: false,
      why: "conversion_rate_unverifiable",
    });
  });

  it("treats RUR as RUB and nothing as no currency", () => {
    expect(sameCurrency("RUR", "RUB")).toBe(true);
    expect(sameCurrency(" rur ", "rub")).toBe(true);
    expect(sameCurrency("", "")).toBe(false);
    expect(sameCurrency(null, "RUB")).toBe(false);
  });
});
