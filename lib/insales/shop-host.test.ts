import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { TEST_ENV } from "../../tests/support/test-env";
import { parseShopHost, shopBaseUrl } from "./shop-host";

describe("parseShopHost", () => {
  it.each(["myshop.myinsales.ru", "shop-1.myinsales.ru", "a.myinsales.ru", "123.myinsales.ru", "xn--80ak6aa92e.myinsales.ru", `${"a".repeat(63)}.myinsales.ru`])(
    "accepts %s",
    (host) => {
      expect(parseShopHost(host)).toEqual({ ok: true, host });
    },
  );

  it.each([
    ["empty", ""],
    ["another domain", "evil.com"],
    ["the bare domain", "myinsales.ru"],
    ["an empty label", ".myinsales.ru"],
    ["a look-alike suffix", "shop.myinsales.ru.evil.com"],
    ["a look-alike domain", "shop.myinsales.rux"],
    ["a prefix trick", "shopmyinsales.ru"],
    ["a nested subdomain", "a.b.myinsales.ru"],
    ["upper case", "Shop.myinsales.ru"],
    ["a port", "shop.myinsales.ru:443"],
    ["a path", "shop.myinsales.ru/admin"],
    ["a scheme", "https://shop.myinsales.ru"],
    ["credentials", "user@shop.myinsales.ru"],
    ["a trailing dot", "shop.myinsales.ru."],
    ["a leading hyphen", "-shop.myinsales.ru"],
    ["a trailing hyphen", "shop-.myinsales.ru"],
    ["an underscore", "my_shop.myinsales.ru"],
    ["whitespace", " shop.myinsales.ru"],
    ["a newline", "shop.myinsales.ru\n"],
    ["cyrillic", "магазин.myinsales.ru"],
    ["a 64-character label", `${"a".repeat(64)}.myinsales.ru`],
    ["a query", "shop.myinsales.ru?x=1"],
    ["a backslash", "shop.myinsales.ru\\evil.com"],
  ])("refuses %s", (_name, host) => {
    expect(parseShopHost(host)).toEqual({ ok: false, reason: "bad_shop" });
  });
});

describe("shopBaseUrl", () => {
  const saved = process.env.INSALES_SHOP_URL_TEMPLATE;
  beforeEach(() => {
    Object.assign(process.env, TEST_ENV, { DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused" });
  });
  afterEach(() => {
    process.env.INSALES_SHOP_URL_TEMPLATE = saved;
    resetEnvCache();
  });

  it("builds the base from INSALES_SHOP_URL_TEMPLATE", () => {
    process.env.INSALES_SHOP_URL_TEMPLATE = "https://{shop}";
    resetEnvCache();
    expect(shopBaseUrl("myshop.myinsales.ru")).toBe("https://myshop.myinsales.ru");
    process.env.INSALES_SHOP_URL_TEMPLATE = "http://127.0.0.1:7001/shops/{shop}/";
    resetEnvCache();
    expect(shopBaseUrl("myshop.myinsales.ru")).toBe("http://127.0.0.1:7001/shops/myshop.myinsales.ru");
  });

  it("refuses to build a URL from a host that is not a shop host", () => {
    expect(() => shopBaseUrl("evil.com")).toThrow();
  });
});
