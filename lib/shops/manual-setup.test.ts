import { describe, expect, it } from "vitest";
import { manualSetupValues } from "./manual-setup";

describe("manualSetupValues", () => {
  it("shows APP_URL/payment.php and the shop's insales_id", () => {
    expect(manualSetupValues("https://im.example.ru", "123456")).toEqual({ url: "https://im.example.ru/payment.php", serviceIsHttps: true, shopIdentifier: "123456" });
  });

  it("always shows https, and reports a plain-http service so the screen can warn", () => {
    expect(manualSetupValues("http://im.example.ru/", "1")).toEqual({ url: "https://im.example.ru/payment.php", serviceIsHttps: false, shopIdentifier: "1" });
  });
});
