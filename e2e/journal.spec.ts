// «Платежи»: the journal lists this shop's payments only, filters them, exports them as CSV and shows a
// payment's timeline; another shop's payment is neither listed nor reachable by its id (docs/PRODUCT.md
// flow 10 and «Non-negotiables»).
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { withDb, shopId } from "./support/db";
import { e2eEnv } from "./support/e2e-env";
import { installAndLogin, installShop, uniqueShop } from "./support/login";

type NewPayment = { shopId: string; orderNumber: string; status: string; notice: string; kopecks: number; paid: number; minutesAgo: number; buyerEmail?: string };

async function insertPayment(c: pg.Client, p: NewPayment): Promise<string> {
  const id = randomUUID();
  const amount = `${Math.floor(p.kopecks / 100)}.${String(p.kopecks % 100).padStart(2, "0")}`;
  await c.query(
    `INSERT INTO "Payment" (id, "shopId", "transactionId", "insalesShopIdRaw", "amountRaw", "orderKey", "insalesOrderId", "orderNumber",
       description, "buyerEmail", "verifiedBy", "legalForm", "imOrderId", "eshopId", currency, "amountKopecks", "imPaymentId", status,
       "paidKopecks", "noticeState", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, '1', $4, $5, $6, $7, $8, $9, 'signature', 'ORGANIZATION', $10, '450000', 'RUB', $11, $12, $13::"PaymentStatus",
       $14, $15::"NoticeSummary", now() - make_interval(mins => $16), now())`,
    [id, p.shopId, `tx-${id}`, amount, `key-${id}`, `ord-${id.slice(0, 8)}`, p.orderNumber, `Заказ ${p.orderNumber}`, p.buyerEmail ?? null,
      `im-${p.orderNumber}-${id.slice(0, 6)}`, p.kopecks, p.status === "CREATED" ? null : `44${p.orderNumber}`, p.status, p.paid, p.notice, p.minutesAgo],
  );
  return id;
}

async function insertEvent(c: pg.Client, e: { shopId: string; paymentId: string; type: string; message: string; minutesAgo: number }) {
  await c.query(
    `INSERT INTO "PaymentEvent" (id, "shopId", "paymentId", type, message, "createdAt") VALUES ($1, $2, $3, $4, $5, now() - make_interval(mins => $6))`,
    [randomUUID(), e.shopId, e.paymentId, e.type, e.message, e.minutesAgo],
  );
}

test("«Платежи» lists, filters and exports this shop's payments, shows the timeline, and hides another shop's", async ({ page, browser }) => {
  const { appUrl } = e2eEnv();
  const other = uniqueShop("journalother");
  await installShop(other);
  const shop = await installAndLogin(page, "journal");

  const ids = await withDb(async (c) => {
    const mine = await shopId(c, shop.insalesId);
    const theirs = await shopId(c, other.insalesId);
    const paid = await insertPayment(c, { shopId: mine, orderNumber: "1001", status: "PAID", notice: "DELIVERED", kopecks: 150050, paid: 150050, minutesAgo: 30, buyerEmail: "buyer@example.com" });
    await insertPayment(c, { shopId: mine, orderNumber: "1002", status: "CREATED", notice: "NONE", kopecks: 99900, paid: 0, minutesAgo: 20 });
    await insertPayment(c, { shopId: mine, orderNumber: "2001", status: "HELD", notice: "FAILED", kopecks: 500000, paid: 0, minutesAgo: 10 });
    await insertEvent(c, { shopId: mine, paymentId: paid, type: "checkout_received", message: "Переход к оплате заказа 1001", minutesAgo: 30 });
    await insertEvent(c, { shopId: mine, paymentId: paid, type: "result_rejected", message: "Уведомление IntellectMoney отклонено: неверная подпись", minutesAgo: 29 });
    await insertEvent(c, { shopId: mine, paymentId: paid, type: "result_applied", message: "Статус платежа: оплачен", minutesAgo: 28 });
    await insertEvent(c, { shopId: mine, paymentId: paid, type: "notice_delivered", message: "InSales принял уведомление: заказ «оплачен»", minutesAgo: 27 });
    const stranger = await insertPayment(c, { shopId: theirs, orderNumber: "7777", status: "PAID", notice: "DELIVERED", kopecks: 777700, paid: 777700, minutesAgo: 1, buyerEmail: "stranger@other.example" });
    await insertEvent(c, { shopId: theirs, paymentId: stranger, type: "checkout_received", message: "Чужой заказ 7777", minutesAgo: 1 });
    return { paid, stranger };
  });

  await page.goto(`${appUrl}/payments`);
  await expect(page.getByRole("heading", { name: "Платежи" })).toBeVisible();
  const rows = page.getByTestId("payment-row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText("№2001");
  await expect(rows.nth(0)).toContainText("Захолдирован");
  await expect(rows.nth(0)).toContainText("Ошибка");
  await expect(rows.nth(2)).toContainText("№1001");
  await expect(rows.nth(2)).toContainText("1 500,50 ₽");
  await expect(rows.nth(2)).toContainText("Оплачен");
  await expect(rows.nth(2)).toContainText("Доставлено");
  await expect(page.locator("body")).not.toContainText("7777");

  // The filter bar is a GET form: the URL carries the filter.
  await page.getByLabel("Оплачен", { exact: true }).check();
  await page.getByRole("button", { name: "Применить" }).click();
  await expect(page).toHaveURL(/status=PAID/);
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText("№1001");

  const downloadPromise = page.waitForEvent("download");
  await page.getByTestId("csv-link").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = await readFile((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const csv = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
  expect(csv).toHaveLength(2);
  expect(csv[0].startsWith("Дата (МСК);Заказ №;")).toBe(true);
  expect(csv[1]).toContain(";1001;");
  expect(csv[1]).toContain(";1500,50;1500,50;0,00;RUB;Оплачен;");

  // Unfiltered export: still only this shop's rows.
  const all = await page.request.get(`${appUrl}/payments/export`);
  expect(all.status()).toBe(200);
  expect(all.headers()["content-type"]).toContain("text/csv");
  const allText = await all.text();
  expect(allText.trimEnd().split("\r\n")).toHaveLength(4);
  expect(allText).not.toContain("7777");
  expect(allText).not.toContain("stranger@other.example");

  await rows.nth(0).getByRole("link", { name: "№1001" }).click();
  await expect(page).toHaveURL(new RegExp(`/payments/${ids.paid}$`));
  await expect(page.getByRole("heading", { name: "Платёж по заказу №1001" })).toBeVisible();
  await expect(page.getByText("buyer@example.com")).toBeVisible();
  const timeline = page.getByTestId("timeline-item");
  await expect(timeline).toHaveCount(4);
  await expect(timeline.nth(0)).toContainText("Переход к оплате");
  await expect(timeline.nth(1)).toContainText("Уведомление IntellectMoney отклонено");
  await expect(timeline.nth(1)).toContainText("неверная подпись");
  await expect(timeline.nth(3)).toContainText("Уведомление InSales доставлено");

  // Another shop's payment: a 404 that shows nothing of it.
  const foreign = await page.goto(`${appUrl}/payments/${ids.stranger}`);
  expect(foreign?.status()).toBe(404);
  await expect(page.getByText("Платёж не найден")).toBeVisible();
  await expect(page.locator("body")).not.toContainText("7777");
  await expect(page.locator("body")).not.toContainText("stranger@other.example");

  // Without a session neither the list nor the export answers.
  const anonymous = await browser.newContext();
  const anon = await anonymous.newPage();
  await anon.goto(`${appUrl}/payments`);
  await expect(anon).toHaveURL(/\/login-required$/);
  const anonCsv = await anonymous.request.get(`${appUrl}/payments/export`, { maxRedirects: 0 });
  expect(anonCsv.status()).toBe(303);
  expect(anonCsv.headers().location).toMatch(/\/login-required$/);
  await anonymous.close();
});

test("«Требует внимания» lists the shop's problems and «Отметить решённой» clears one", async ({ page }) => {
  const { appUrl } = e2eEnv();
  const shop = await installAndLogin(page, "journalproblems");
  await withDb(async (c) => {
    const mine = await shopId(c, shop.insalesId);
    const paymentId = await insertPayment(c, { shopId: mine, orderNumber: "3001", status: "PAID", notice: "FAILED", kopecks: 10000, paid: 10000, minutesAgo: 5 });
    await c.query(`INSERT INTO "Problem" (id, "shopId", "paymentId", kind, message) VALUES ($1, $2, $3, 'notice_rejected', $4)`, [
      randomUUID(), mine, paymentId, "InSales отклонил уведомление о том, что заказ 3001 «оплачен»",
    ]);
  });
  await page.goto(`${appUrl}/payments`);
  const problems = page.getByTestId("problem");
  await expect(page.getByRole("heading", { name: "Требует внимания" })).toBeVisible();
  await expect(problems).toHaveCount(1);
  await expect(problems.nth(0)).toContainText("заказ 3001");
  await problems.nth(0).getByRole("button", { name: "Отметить решённой" }).click();
  await expect(page.getByRole("heading", { name: "Требует внимания" })).toBeHidden();
  await page.reload();
  await expect(page.getByTestId("problem")).toHaveCount(0);
});
