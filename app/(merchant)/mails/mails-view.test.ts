import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MailList, MailListItem } from "@/lib/mail/mail-query";
import { MailsView } from "./mails-view";

const item = (over: Partial<MailListItem>): MailListItem => ({
  id: "m1", createdAt: new Date("2026-11-28T09:05:00Z"), kind: 3, to: "owner@shop.example", subject: "Заказ №1 оплачен полностью",
  text: "Текст", state: "SENT", lastError: null, attempts: 1, sentAt: new Date(), ...over,
});

const render = (list: MailList, smtpConfigured: boolean) => renderToStaticMarkup(createElement(MailsView, { host: "shop.myinsales.ru", list, smtpConfigured }));

describe("«Письма» view", () => {
  it("shows the date in Moscow time, the kind label, the state and the body inside <details>", () => {
    const html = render({ items: [item({}), item({ id: "m2", kind: 1, to: "b***r@example.com", state: "STORED" }), item({ id: "m3", kind: 10, state: "FAILED", lastError: "connect ECONNREFUSED" })], page: 1, pages: 1, total: 3 }, false);
    expect(html).toContain("28.11.2026, 12:05");
    expect(html).toContain("Для магазина о полной оплате СКО");
    expect(html).toContain("Для клиента о создании СКО");
    expect(html).toContain("Отправлено");
    expect(html).toContain("Сохранено — SMTP не настроен");
    expect(html).toContain("Ошибка");
    expect(html).toContain("connect ECONNREFUSED");
    expect(html).toMatch(/<details><summary>Заказ №1 оплачен полностью<\/summary><pre[^>]*>Текст<\/pre><\/details>/);
    expect(html).toContain("SMTP не настроен: письма сохраняются здесь и не отправляются.");
  });

  it("hides the SMTP note when SMTP is configured, escapes letter text, and pages", () => {
    const html = render({ items: [item({ subject: "<b>x</b>", text: "<script>y</script>" })], page: 2, pages: 3, total: 120 }, true);
    expect(html).not.toContain("SMTP не настроен");
    expect(html).not.toContain("<script>y");
    expect(html).toContain("&lt;script&gt;y&lt;/script&gt;");
    expect(html).toContain('href="/mails?page=1"');
    expect(html).toContain('href="/mails?page=3"');
    expect(html).toContain("Страница 2 из 3");
  });
});
