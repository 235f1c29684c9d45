// docs/protocols/insales.md §2 «http vs https»: which InSales URLs are moved to https, and which redirects
// a notice may follow.
import { describe, expect, it } from "vitest";
import { sameHostHttpsUpgrade, secureInsalesUrl, secureInsalesUrlOrNull } from "./secure-url";

describe("secureInsalesUrl", () => {
  it("moves the vendor's example URLs (http on a shop's technical host) to https, only the scheme changing", () => {
    // insales/insales-docs-source, «Подключение внешнего способа оплаты»: success_url / server_url examples.
    expect(secureInsalesUrl("http://shop.myinsales.ru/payments/external/server")).toBe("https://shop.myinsales.ru/payments/external/server");
    expect(secureInsalesUrl("http://shop.myinsales.ru/payments/external/12/success")).toBe("https://shop.myinsales.ru/payments/external/12/success");
    expect(secureInsalesUrl("http://my-shop-1.myinsales.ru")).toBe("https://my-shop-1.myinsales.ru");
    expect(secureInsalesUrl("http://my-shop-1.myinsales.ru?a=1#b")).toBe("https://my-shop-1.myinsales.ru?a=1#b");
    expect(secureInsalesUrl("HTTP://Shop.MyInsales.RU/x")).toBe("https://Shop.MyInsales.RU/x");
  });

  it("leaves https, other hosts, ports, user info and what is not a URL as they are", () => {
    for (const url of [
      "https://shop.myinsales.ru/payments/external/server",
      // A shop's own domain: whether it serves https is not known.
      "http://shop.example.ru/payments/external/server",
      // The local stand-ins.
      "http://127.0.0.1:7001/shops/shop.myinsales.ru/payments/external/server",
      "http://localhost:7001/shops/shop.myinsales.ru/payments/external/server",
      // Look-alikes and shapes InSales does not use.
      "http://shop.myinsales.ru.evil.com/x",
      "http://evil.com/shop.myinsales.ru",
      "http://a.b.myinsales.ru/x",
      "http://shop.myinsales.ru:80/x",
      "http://shop.myinsales.ru:8080/x",
      "http://user:pw@shop.myinsales.ru/x",
      "http://myinsales.ru/x",
      "ftp://shop.myinsales.ru/x",
      "not a url",
      "",
    ]) {
      expect(secureInsalesUrl(url), url).toBe(url);
    }
    expect(secureInsalesUrlOrNull(null)).toBeNull();
    expect(secureInsalesUrlOrNull("")).toBeNull();
  });
});

describe("sameHostHttpsUpgrade", () => {
  it("is the same URL moved to https on the same host (another port allowed)", () => {
    expect(sameHostHttpsUpgrade("http://shop.example.ru/payments/external/server", "https://shop.example.ru/payments/external/server")).toBe(true);
    expect(sameHostHttpsUpgrade("http://127.0.0.1:7001/shops/a/payments/external/server?x=1", "https://127.0.0.1:7443/shops/a/payments/external/server?x=1")).toBe(true);
    // A Location may be relative to the scheme.
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "https://shop.example.ru/p")).toBe(true);
  });

  it("is not: another host, another path or query, https to http, http to http, user info, garbage", () => {
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "https://evil.example/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://127.0.0.1:7001/p", "https://localhost:7443/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "https://shop.example.ru.evil.com/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "https://shop.example.ru/other")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p?a=1", "https://shop.example.ru/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "/p")).toBe(false);
    expect(sameHostHttpsUpgrade("https://shop.example.ru/p", "https://shop.example.ru/p")).toBe(false);
    expect(sameHostHttpsUpgrade("https://shop.example.ru/p", "http://shop.example.ru/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "https://user:pw@shop.example.ru/p")).toBe(false);
    expect(sameHostHttpsUpgrade("http://shop.example.ru/p", "http://[")).toBe(false);
  });
});
