import { describe, expect, it } from "vitest";
import { renderBuyerMail, renderShopMail, type ShopLetterFacts, type ShopLetterKind } from "./templates";

const shop = { title: "Чайная лавка", host: "tea.myinsales.ru" };

const shopFacts: ShopLetterFacts = {
  shop,
  orderNumber: "9999",
  amountKopecks: 120000n,
  currency: "RUB",
  imPaymentId: "3200123456",
  imOrderId: "9999-2197421",
  status: "PAID",
  eventAmountKopecks: 150000n,
  reason: "подпись не совпала",
  journalUrl: "https://app.test.local/payments/8c1e8f7e-0000-4000-8000-000000000001",
};

const SHOP_KINDS: ShopLetterKind[] = [2, 3, 4, 6, 7, 8, 10, 11];

describe("mail templates", () => {
  it.each(SHOP_KINDS)("shop letter %i has a Russian subject with the order and the shop, and the facts in both bodies", (kind) => {
    const m = renderShopMail(kind, shopFacts);
    expect(m.subject).toMatch(/[а-яё]/i);
    expect(m.subject).toContain("9999");
    expect(m.subject).toContain("Чайная лавка");
    for (const body of [m.text, m.html]) {
      expect(body).toContain("tea.myinsales.ru");
      expect(body).toContain("№9999");
      expect(body).toContain("1\u00a0200,00\u00a0₽");
      expect(body).toContain("3200123456");
      expect(body).toContain("https://app.test.local/payments/8c1e8f7e-0000-4000-8000-000000000001");
    }
  });

  it("letter 7 about a claim says the wallet notification waits for confirmation, what it claims, and how to stop it", () => {
    const m = renderShopMail(7, { ...shopFacts, status: "CREATED", reason: "IntellectMoney сообщает: оплачен, 1 200,00 ₽ (счёт 3200123456)", claim: true });
    expect(m.subject).toContain("Уведомление об оплате заказа №9999 требует подтверждения");
    for (const body of [m.text, m.html]) {
      expect(body).toContain("не отмечен оплаченным в InSales");
      expect(body).toContain("подтвердите или отклоните");
      expect(body).toContain("«Секретный ключ»");
      expect(body).toContain("оплачен, 1 200,00 ₽");
      expect(body).toContain("https://app.test.local/payments/8c1e8f7e-0000-4000-8000-000000000001");
    }
    expect(m.text).toContain("Уведомление: IntellectMoney сообщает");
    // Without `claim` the same kind is the «счёт не создан» letter.
    expect(renderShopMail(7, shopFacts).subject).toContain("Не удалось создать счёт");
  });

  it("names the paid total in an overpayment letter and the refund in a refund letter", () => {
    expect(renderShopMail(11, shopFacts).text).toContain("Оплачено: 1\u00a0500,00\u00a0₽");
    expect(renderShopMail(8, { ...shopFacts, eventAmountKopecks: 50000n }).text).toContain("Сумма возврата: 500,00\u00a0₽");
  });

  it("escapes every interpolated value in HTML", () => {
    const evil = '<script>alert("x")</script>&';
    const m = renderShopMail(10, { ...shopFacts, shop: { title: evil, host: "h.myinsales.ru" }, orderNumber: evil, reason: evil });
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;");
    const b = renderBuyerMail(1, { shop: { title: evil, host: "h" }, orderNumber: evil, amountKopecks: 100n, currency: "RUB" });
    expect(b.html).not.toContain("<script>");
  });

  it("keeps subjects on one line (no header injection)", () => {
    const m = renderShopMail(3, { ...shopFacts, orderNumber: "1\r\nBcc: victim@example.com" });
    expect(m.subject).not.toMatch(/[\r\n]/);
    const b = renderBuyerMail(9, { shop: { title: "A\nB", host: "h" }, orderNumber: "1\r\n2", amountKopecks: 100n, currency: "RUB" });
    expect(b.subject).not.toMatch(/[\r\n]/);
  });

  it("buyer letters carry the shop, order and amount but no journal link, internal ids or merchant-only reasons", () => {
    for (const kind of [1, 5, 9] as const) {
      const m = renderBuyerMail(kind, { shop, orderNumber: "9999", amountKopecks: 120000n, currency: "RUB", refundedKopecks: 120000n });
      for (const body of [m.subject, m.text, m.html]) {
        expect(body).not.toContain("/payments/");
        expect(body).not.toContain("9999-2197421");
        expect(body).not.toContain("3200123456");
        expect(body).not.toMatch(/журнал/i);
      }
      expect(m.text).toContain("№9999");
      expect(m.text).toContain("1\u00a0200,00\u00a0₽");
      expect(m.text).toContain("Чайная лавка");
    }
    expect(renderBuyerMail(1, { shop, orderNumber: "9999", amountKopecks: 120000n, currency: "RUB" }).subject).toMatch(/^Счёт на оплату заказа №9999/);
    expect(renderBuyerMail(9, { shop, orderNumber: "9999", amountKopecks: 120000n, currency: "RUB" }).subject).toMatch(/^Возврат по заказу №9999/);
  });

  it("marks letters about test-mode invoices", () => {
    expect(renderShopMail(3, { ...shopFacts, currency: "TST" }).subject).toMatch(/^\[ТЕСТ\] /);
    expect(renderShopMail(3, { ...shopFacts, currency: "TST" }).text).toContain("1\u00a0200,00\u00a0TST");
  });
});

describe("trigger table", () => {
  it("sends every applicable kind (1–11, and the payment link's 14) to the recipient kinds.ts names, and nothing for 12 and 13", async () => {
    const { TRIGGER_LETTERS } = await import("./queue-mail");
    const { MAIL_KINDS } = await import("./kinds");
    const planned = Object.values(TRIGGER_LETTERS).flatMap((letters) => letters.flatMap((l) => l.kinds.map((k) => [k, l.to] as const)));
    expect([...new Set(planned.map(([k]) => k))].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14]);
    for (const [k, to] of planned) expect(MAIL_KINDS.find((m) => m.number === k)?.recipient).toBe(to);
  });
});

describe("maskEmail", () => {
  it("keeps the first and last character of the local part and the domain", async () => {
    const { maskEmail } = await import("./mail-query");
    expect(maskEmail("buyer@example.com")).toBe("b***r@example.com");
    expect(maskEmail("ab@example.com")).toBe("a***@example.com");
    expect(maskEmail("x@example.com")).toBe("x***@example.com");
    expect(maskEmail("broken")).toBe("***");
  });
});
