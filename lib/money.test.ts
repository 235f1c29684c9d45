import { describe, expect, it } from "vitest";
import { formatKopecks, formatRubles, parseKopecks } from "./money";

describe("money", () => {
  it("parses decimal strings into kopecks without floats", () => {
    expect(parseKopecks("1200.00")).toBe(120000n);
    expect(parseKopecks("1200")).toBe(120000n);
    expect(parseKopecks("0.1")).toBe(10n);
    expect(parseKopecks("10.10")).toBe(1010n);
    expect(parseKopecks("999999999999.99")).toBe(99999999999999n);
  });
  it("refuses anything that is not a plain non-negative decimal", () => {
    for (const bad of ["", "-1", "1e3", "1,00", "1.001", " 1", "1 ", "abc", ".5", "1.", "+1", "0x10"]) {
      expect(parseKopecks(bad), bad).toBeNull();
    }
  });
  it("formats kopecks with exactly two decimals", () => {
    expect(formatKopecks(150000n)).toBe("1500.00");
    expect(formatKopecks(5n)).toBe("0.05");
    expect(formatRubles(150000n)).toBe("1\u00a0500,00\u00a0₽");
    // Issue 13 item 5: the journal and the letters show the payment's own currency.
    expect(formatRubles(150000n, "USD")).toBe("1\u00a0500,00\u00a0$");
    expect(formatRubles(9900n, "EUR")).toBe("99,00\u00a0€");
    expect(formatRubles(99000n, "TST")).toBe("990,00\u00a0TST");
    expect(formatRubles(100n, "RUR")).toBe("1,00\u00a0₽");
  });
});
