import { describe, expect, it } from "vitest";
import { escapeHtml, renderAutoSubmitPage, renderMessagePage } from "./auto-submit-page";

function inputs(html: string): Array<[string, string]> {
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [decode(m[1]), decode(m[2])]);
}

describe("escapeHtml", () => {
  it("escapes & < > \" ' and nothing else", () => {
    expect(escapeHtml(`a&b<c>d"e'f ж`)).toBe("a&amp;b&lt;c&gt;d&quot;e&#39;f ж");
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
  });
});

describe("renderAutoSubmitPage", () => {
  const receipt = '{"inn":"7700000000","content":{"positions":[{"text":"Чай & \\"кофе\\" <b>"}]}}';
  const fields: Array<[string, string]> = [
    ["eshopId", "17354"],
    ["serviceName", "Заказ №9999 — «подарки» & <всё>"],
    ["merchantReceipt", receipt],
    ["userName", "O'Brien"],
  ];
  const html = renderAutoSubmitPage({
    title: "Переход к оплате",
    message: "Сейчас откроется страница оплаты…",
    action: "https://merchant.intellectmoney.ru/ru/?a=1&b=2",
    method: "POST",
    fields,
    nonce: "abc+/=",
  });

  it("is a complete Russian UTF-8 page that search engines skip", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain("<title>Переход к оплате</title>");
    expect(html).toContain("</html>");
  });

  it("escapes every value exactly once, so the browser posts the original strings", () => {
    expect(inputs(html)).toEqual(fields);
    expect(html).toContain("&quot;inn&quot;");
    expect(html).not.toContain("&amp;quot;");
    expect(html).toContain('action="https://merchant.intellectmoney.ru/ru/?a=1&amp;b=2"');
    expect(html).toContain("O&#39;Brien");
  });

  it("posts the hidden form to the action and offers a «Продолжить» button", () => {
    expect(html).toMatch(/<form id="auto-submit" method="post" action="[^"]+" accept-charset="UTF-8">/);
    expect(html).toContain('<button type="submit">Продолжить</button>');
  });

  it("submits at once from an inline script that carries the CSP nonce", () => {
    expect(html).toContain('<script nonce="abc+/=">HTMLFormElement.prototype.submit.call(document.getElementById("auto-submit"));</script>');
    expect(html).toContain('<style nonce="abc+/=">');
  });

  it("cannot be broken out of by field names or values", () => {
    const evil = renderAutoSubmitPage({
      title: "<script>alert(1)</script>",
      message: "</p><script>alert(2)</script>",
      action: 'https://x.test/"><script>alert(3)</script>',
      method: "POST",
      fields: [['"><script>alert(4)</script>', "</script><script>alert(5)</script>"]],
    });
    expect(evil.match(/<script/g)).toHaveLength(1);
    expect(evil).not.toContain("nonce=");
  });
});

describe("renderMessagePage", () => {
  it("renders an escaped Russian message page with an optional status", () => {
    const html = renderMessagePage({ title: "Оплата не выполнена", message: "Магазин <не> настроил оплату", status: 422 });
    expect(html).toContain('<meta name="robots" content="noindex">');
    expect(html).toContain("<h1>Оплата не выполнена</h1>");
    expect(html).toContain("Магазин &lt;не&gt; настроил оплату");
    expect(html).toContain("Код ответа: 422");
    expect(html).not.toContain("<script");
    expect(renderMessagePage({ title: "Готово", message: "ok" })).not.toContain("Код ответа");
  });
});
