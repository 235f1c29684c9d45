// Accessibility as a habit (issue 14 part 9): every merchant page, in the states a merchant meets, and the
// pages a buyer sees on our side, pass axe-core's WCAG 2.0/2.1 A and AA rules (e2e/support/axe.ts: whole
// page, no rule disabled, no element excluded). A new page or state belongs here too.
import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { expectAxeClean } from "./support/axe";
import { shopId, withDb } from "./support/db";
import { control, e2eEnv } from "./support/e2e-env";
import { installAndLogin, loginAs } from "./support/login";
import { checkoutToPaymentPage, operationsShop } from "./support/operations-shop";
import { readyShop } from "./support/ready-shop";
import { E2E_SECRETS } from "./support/secrets";

async function insertMail(c: pg.Client, m: { shopId: string; kind: number; to: string; subject: string; text: string; state: string; lastError?: string }) {
  await c.query(
    `INSERT INTO "Mail" (id, "shopId", kind, "dedupeKey", "to", subject, text, html, state, "lastError", "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::"MailState", $10, now())`,
    [randomUUID(), m.shopId, m.kind, `${m.kind}:${m.shopId}:${randomUUID()}`, m.to, m.subject, m.text, `<p>${m.text}</p>`, m.state, m.lastError ?? null],
  );
}

test("without a session: «/» and «/login-required»", async ({ page }) => {
  const { appUrl } = e2eEnv();
  await page.goto(`${appUrl}/`);
  await expect(page.getByRole("heading", { name: "IntellectMoney для InSales" })).toBeVisible();
  await expectAxeClean(page, "/");
  await page.goto(`${appUrl}/settings`);
  await expect(page).toHaveURL(/\/login-required$/);
  await expectAxeClean(page, "/login-required");
});

test("a new shop: «Настройки» for both legal forms, with errors and once saved; empty «Платежи» and «Письма»", async ({ page }) => {
  const { appUrl } = e2eEnv();
  await installAndLogin(page, "a11ynew");
  await expect(page).toHaveURL(/\/settings$/);
  await expectAxeClean(page, "/settings (organization, new)");

  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Укажите номер магазина")).toBeVisible();
  await expectAxeClean(page, "/settings (organization, errors next to the fields)");

  await page.getByLabel("Номер магазина", { exact: true }).fill("123456");
  await page.getByLabel("Секретный ключ", { exact: true }).fill(E2E_SECRETS.secretKey);
  await page.getByLabel("Режим холдирования", { exact: true }).selectOption({ label: "Холдировать счёт" });
  await page.getByLabel("Тестовый режим", { exact: true }).check();
  await page.getByLabel("API-токен", { exact: true }).fill(E2E_SECRETS.apiToken);
  await page.getByLabel("Ключ подписи (signSecretKey)", { exact: true }).fill(E2E_SECRETS.signSecret);
  await page.getByLabel("Фискальные чеки (54-ФЗ)", { exact: true }).check();
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.locator("#receiptInn-error")).toBeVisible();
  await expectAxeClean(page, "/settings (receipts, errors next to the fields)");
  await page.getByLabel("ИНН", { exact: true }).fill("7707083893");
  await page.getByLabel("НДС для товаров", { exact: true }).selectOption({ label: "НДС 22%" });
  await page.getByLabel("НДС для доставки", { exact: true }).selectOption({ label: "Без НДС" });
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  // The first save also connects the payment method: wait for its outcome, then check the screen as it stays.
  await expect(page.getByTestId("gateway-status").getByText("Подключён", { exact: true })).toBeVisible({ timeout: 20_000 });
  await page.reload();
  await expect(page.getByText(`Сохранён: ••••••${E2E_SECRETS.secretKey.slice(-4)}`)).toBeVisible();
  await expectAxeClean(page, "/settings (organization, saved, test mode, hold, receipts, connected)");

  await page.getByLabel("Физическое лицо", { exact: true }).check();
  await expect(page.getByLabel("ID формы", { exact: true })).toBeVisible();
  await expectAxeClean(page, "/settings (individual)");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.locator("[id$='-error']").first()).toBeVisible();
  await expectAxeClean(page, "/settings (individual, errors next to the fields)");

  await page.goto(`${appUrl}/payments`);
  await expect(page.getByRole("heading", { name: "Платежи" })).toBeVisible();
  await expectAxeClean(page, "/payments (empty)");
  await page.goto(`${appUrl}/mails`);
  await expect(page.getByRole("heading", { name: "Письма" })).toBeVisible();
  await expectAxeClean(page, "/mails (empty)");
  await page.goto(`${appUrl}/payments/${randomUUID()}`);
  await expectAxeClean(page, "/payments/<unknown id>");
});

test("a shop with payments: «Платежи» with data, the card with its operations, «Письма» with letters", async ({ page }) => {
  const { appUrl } = e2eEnv();
  const shop = await operationsShop("a11yops", { holdMode: "HOLD" });
  const { paymentId } = await checkoutToPaymentPage(page, shop);
  await page.getByRole("button", { name: "Холдировать", exact: true }).click();
  await expect(page.getByRole("button", { name: "Отменить холд" })).toBeVisible();

  await loginAs(page, shop);
  await page.goto(`${appUrl}/payments/${paymentId}`);
  await expect(page.getByTestId("status-badge")).toHaveText("Захолдирован");
  await expectAxeClean(page, "/payments/<id> (held: capture and release offered)");
  await page.getByRole("button", { name: "Списать" }).click();
  await expect(page.getByTestId("operation-result")).toContainText("IntellectMoney принял списание");
  await expect(page.getByTestId("status-badge")).toHaveText("Оплачен", { timeout: 15_000 });
  await expect(page.getByTestId("operation")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Вернуть" })).toBeVisible();
  await expectAxeClean(page, "/payments/<id> (paid: operations list, refund form)");

  await page.goto(`${appUrl}/payments`);
  await expect(page.getByTestId("payment-row")).toHaveCount(1);
  await expectAxeClean(page, "/payments (with a payment)");

  await withDb(async (c) => {
    const id = await shopId(c, shop.insalesId);
    await insertMail(c, { shopId: id, kind: 3, to: "owner@shop.example", subject: "Заказ №1001 оплачен полностью", text: "Оплачен", state: "SENT" });
    await insertMail(c, { shopId: id, kind: 1, to: "buyer@example.com", subject: "Счёт на оплату заказа №1001", text: "Для покупателя", state: "STORED" });
    await insertMail(c, { shopId: id, kind: 10, to: "owner@shop.example", subject: "Подозрение на мошенническую операцию", text: "Фрод", state: "FAILED", lastError: "connect ECONNREFUSED 127.0.0.1:25" });
    await insertMail(c, { shopId: id, kind: 4, to: "owner@shop.example", subject: "Ожидает отправки", text: "В очереди", state: "PENDING" });
  });
  await page.goto(`${appUrl}/mails`);
  await expect(page.getByTestId("mail-row")).toHaveCount(4);
  await page.getByTestId("mail-row").first().locator("summary").click();
  await expectAxeClean(page, "/mails (letters in every state, one opened)");
});

test("a wallet shop without the key: the buyer's return page, then the journal's problems and the card's claims", async ({ page }) => {
  const { appUrl, insalesUrl } = e2eEnv();
  const shop = await readyShop("a11yclaim", { legalForm: "INDIVIDUAL" });
  const { paymentId } = await checkoutToPaymentPage(page, shop, "700.00");
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Платёж обрабатывается…" })).toBeVisible({ timeout: 20_000 });
  await expectAxeClean(page, "the buyer's return page (payment being processed)");

  await loginAs(page, shop);
  await page.goto(`${appUrl}/payments`);
  await expect(page.getByTestId("journal-flag").first()).toHaveText("Требует подтверждения");
  await expect(page.getByTestId("problem").first()).toBeVisible();
  await expectAxeClean(page, "/payments (a flag and «Требует внимания»)");
  await page.goto(`${appUrl}/payments/${paymentId}`);
  await expect(page.getByTestId("claim")).toHaveCount(1);
  await expectAxeClean(page, "/payments/<id> (a claim to confirm or reject)");
  await page.getByTestId("claim").first().getByRole("button", { name: "Отклонить" }).click();
  await expect(page.getByTestId("claim").first()).toHaveAttribute("data-state", "REJECTED");
  await expectAxeClean(page, "/payments/<id> (a rejected claim)");

  // The buyer's side of the checkout: our auto-submitting page (held on screen by answering its POST to
  // IntellectMoney with 204, which keeps the browser where it is) and our refusal page.
  await page.route(/\/merchant\/$/, (route) => route.fulfill({ status: 204 }));
  await page.goto(`${insalesUrl}/shops/${shop.host}/checkout?amount=700.00`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page).toHaveURL(/\/payment\.php$/);
  await expect(page.getByRole("button", { name: "Продолжить" })).toBeVisible();
  await expectAxeClean(page, "the checkout's auto-submitting page");
  await page.unroute(/\/merchant\/$/);
  await page.goto(`${insalesUrl}/shops/${shop.host}/checkout?amount=700.00&shop_id=1`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page).toHaveURL(/\/payment\.php$/);
  await expect(page.getByRole("heading", { name: "Оплата не выполнена" })).toBeVisible();
  await expectAxeClean(page, "the checkout's refusal page");
});

test("payment links: the merchant's screen, with a link made and for an unknown order; the buyer's page and a refused link", async ({ page }) => {
  const { appUrl, insalesUrl } = e2eEnv();
  const shop = await readyShop("a11ylink");
  const order = await control<{ id: number }>(insalesUrl, "order", { host: shop.host, amount: "900.00", backOffice: true });
  await loginAs(page, shop);
  await page.goto(`${appUrl}/payment-links?order=${order.id}`);
  await expect(page.getByTestId("link-amount")).toHaveText("900,00 ₽");
  await expectAxeClean(page, "/payment-links (an unpaid order)");
  await page.getByRole("button", { name: "Создать ссылку" }).click();
  const url = await page.getByTestId("link-url").inputValue();
  await expectAxeClean(page, "/payment-links (a link made, the links listed)");
  await page.goto(`${appUrl}/payment-links?order=999999999`);
  await expect(page.getByTestId("link-refused")).toHaveText("Заказ не найден в InSales.");
  await expectAxeClean(page, "/payment-links (an order InSales does not know)");

  await page.goto(url);
  await expect(page.getByRole("button", { name: "Оплатить 900,00 ₽" })).toBeVisible();
  await expectAxeClean(page, "the buyer's payment-link page");
  await page.goto(`${url.slice(0, -1)}${url.endsWith("A") ? "B" : "A"}`);
  await expect(page.getByRole("heading", { name: "Ссылка недействительна" })).toBeVisible();
  await expectAxeClean(page, "a refused payment link");
});

// A page added to the merchant's navigation fails this until it gets its axe check above.
test("every page the merchant's navigation links to is covered above", async ({ page }) => {
  await installAndLogin(page, "a11ynav");
  const links = await page.getByRole("navigation").getByRole("link").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  expect(links.sort()).toEqual(["/mails", "/payments", "/settings"]);
});
