import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it("admits our merchant screens as same-origin relative paths", () => {
    expect(safeReturnPath("/payments/0f8fad5b-d9cb-469f-a165-70867728950e")).toBe("/payments/0f8fad5b-d9cb-469f-a165-70867728950e");
    expect(safeReturnPath("/payment-links?order=4020290")).toBe("/payment-links?order=4020290");
    expect(safeReturnPath("/settings")).toBe("/settings");
    expect(safeReturnPath("/payments")).toBe("/payments");
  });

  it("refuses anything that could leave our origin or reach another path", () => {
    for (const bad of [
      "https://evil.example/payments",
      "//evil.example/payments",
      "/\\evil.example",
      "\\\\evil.example",
      "/%2F%2Fevil.example",
      "/payments/../api/insales/uninstall",
      "/./settings",
      "javascript:alert(1)",
      "/payments/not-a-uuid",
      "/api/health",
      "/settings?order=1",
      "/payment-links?order=1&next=//evil",
      "/payment-links?order=abc",
      "/settings#x",
      "/settings\n",
      " /settings",
      "/@evil.example",
      "",
      null,
      undefined,
      `/payment-links?order=${"1".repeat(300)}`,
    ]) {
      expect(safeReturnPath(bad), String(bad)).toBeNull();
    }
  });
});
