// «Письма»: the signed-in shop sees its own letters only (docs/PRODUCT.md «The 13 e-mail notifications»;
// «Non-negotiables»: one shop never sees another shop's data).
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { withDb, shopId } from "./support/db";
import { e2eEnv } from "./support/e2e-env";
import { installAndLogin, installShop, uniqueShop } from "./support/login";

async function insertMail(
  c: pg.Client,
  m: { shopId: string; kind: number; to: string; subject: string; text: string; state: string; lastError?: string; minutesAgo: number },
) {
  await c.query(
    `INSERT INTO "Mail" (id, "shopId", kind, "dedupeKey", "to", subject, text, html, state, "lastError", "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::"MailState", $10, now() - make_interval(mins => $11))`,
    [randomUUID(), m.shopId, m.kind, `${m.kind}:${m.shopId}:${randomUUID()}`, m.to, m.subject, m.text, `<p>${m.text}</p>`, m.state, m.lastError ?? null, m.minutesAgo],
  );
}

test("«Письма» lists this shop's letters only, newest first, buyers masked, with the body on demand", async ({ page }) => {
  const other = uniqueShop("mailsother");
  await installShop(other);
  const shop = await installAndLogin(page, "mails");

  await withDb(async (c) => {
    const mine = await shopId(c, shop.insalesId);
    const theirs = await shopId(c, other.insalesId);
    await insertMail(c, { shopId: mine, kind: 3, to: "owner@shop.example", subject: "Заказ №1001 оплачен полностью — мой магазин", text: "Текст письма об оплате 1001", state: "SENT", minutesAgo: 1 });
    await insertMail(c, { shopId: mine, kind: 1, to: "buyer@example.com", subject: "Счёт на оплату заказа №1001 — мой магазин", text: "Для покупателя", state: "STORED", minutesAgo: 5 });
    await insertMail(c, { shopId: mine, kind: 10, to: "owner@shop.example", subject: "Подозрение на мошенническую операцию — мой магазин", text: "Фрод", state: "FAILED", lastError: "connect ECONNREFUSED 127.0.0.1:25", minutesAgo: 10 });
    await insertMail(c, { shopId: theirs, kind: 3, to: "stranger@other.example", subject: "Заказ №7777 оплачен полностью — чужой магазин", text: "Чужое письмо", state: "SENT", minutesAgo: 0 });
  });

  await page.goto(`${e2eEnv().appUrl}/mails`);
  await expect(page.getByRole("heading", { name: "Письма" })).toBeVisible();
  // The e2e app runs without SMTP_URL.
  await expect(page.getByText("SMTP не настроен: письма сохраняются здесь и не отправляются.")).toBeVisible();

  const rows = page.getByTestId("mail-row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("Заказ №1001 оплачен полностью");
  await expect(rows.nth(0)).toContainText("Отправлено");
  await expect(rows.nth(1)).toContainText("b***r@example.com");
  await expect(rows.nth(1)).toContainText("Сохранено — SMTP не настроен");
  await expect(rows.nth(2)).toContainText("Ошибка");
  await expect(rows.nth(2)).toContainText("ECONNREFUSED");
  await expect(page.locator("body")).not.toContainText("buyer@example.com");
  await expect(page.locator("body")).not.toContainText("чужой магазин");
  await expect(page.locator("body")).not.toContainText("stranger@other.example");

  await expect(page.getByText("Текст письма об оплате 1001")).toBeHidden();
  await rows.nth(0).locator("summary").click();
  await expect(page.getByText("Текст письма об оплате 1001")).toBeVisible();
});

test("«Письма» needs a session", async ({ page }) => {
  await page.goto(`${e2eEnv().appUrl}/mails`);
  await expect(page).toHaveURL(/\/login-required$/);
});
