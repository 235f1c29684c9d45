// Capture, release and refund from the payment card (issue 7; docs/protocols/intellectmoney.md §4): the
// merchant clicks in the journal, the app calls the IntellectMoney stand-in's Merchant API (which checks
// Bearer, Sign and Hash), and the payment's state changes only when the stand-in's result notification
// arrives — then InSales hears about it through the app's notice. Issue 13 item 12 added: code 1 is a
// success with a warning, every refund is read back (getPurchaseInfo) and a refund that cannot be
// confirmed stops refunds until the merchant clears it, TST payments are signed too; the refund calls are
// now counted apart from the read-backs (merchantApiCalls) and a wrong token is OperationState.Code 2.
import { expect, test, type Page } from "@playwright/test";
import { e2eEnv } from "./support/e2e-env";
import { loginAs } from "./support/login";
import { withDb } from "./support/db";
import { allMerchantApiCalls, checkoutToPaymentPage, insalesNotices, merchantApiBehaviour, merchantApiCalls, operationsShop, type OperationsShop } from "./support/operations-shop";

/** The buyer pays (or holds) on the stand-in's page; the merchant then opens the payment card. */
async function paymentCard(page: Page, shop: OperationsShop, buyerAction: "Оплатить" | "Холдировать") {
  const ids = await checkoutToPaymentPage(page, shop);
  await page.getByRole("button", { name: buyerAction, exact: true }).click();
  if (buyerAction === "Холдировать") await expect(page.getByRole("button", { name: "Отменить холд" })).toBeVisible();
  // Paid: the buyer is sent back through our return page to the shop's order page; let that finish
  // before the merchant's navigation, or it interrupts the login.
  else await page.waitForURL(/\/orders\/[0-9a-f]+$/, { timeout: 20_000 });
  await loginAs(page, shop);
  await page.goto(`${e2eEnv().appUrl}/payments/${ids.paymentId}`);
  await expect(page.getByTestId("status-badge")).toHaveText(buyerAction === "Холдировать" ? "Захолдирован" : "Оплачен");
  return ids;
}

const badge = (page: Page) => page.getByTestId("status-badge");
const result = (page: Page) => page.getByTestId("operation-result");
const amounts = (page: Page) => page.locator("dl").first();

async function expectServerNotice(shop: OperationsShop, orderKey: string, paid: "0" | "1") {
  await expect
    .poll(async () => (await insalesNotices(shop, orderKey)).notices.filter((n) => n.channel === "server" && n.valid && n.fields.paid === paid).length, { timeout: 20_000 })
    .toBe(1);
}

test("a held payment captured from the journal becomes paid in the journal and in InSales", async ({ page }) => {
  const shop = await operationsShop("opcapture", { holdMode: "HOLD" });
  const { orderKey, imOrderId } = await paymentCard(page, shop, "Холдировать");
  await expect(page.getByRole("button", { name: "Вернуть" })).toHaveCount(0);

  await page.getByRole("button", { name: "Списать" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял списание");
  // The page refreshes itself until the notification 5 has been applied.
  await expect(badge(page)).toHaveText("Оплачен", { timeout: 15_000 });
  await expect(page.getByTestId("operation")).toHaveCount(1);
  await expect(page.getByTestId("operation").first()).toHaveAttribute("data-state", "ACCEPTED");
  await expect(page.getByRole("button", { name: "Списать" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Вернуть" })).toBeVisible();

  expect(await merchantApiCalls(imOrderId)).toEqual([expect.objectContaining({ method: "purchaseToPaid", authorized: true, signed: true, hashed: true, resultCode: 0 })]);
  await expectServerNotice(shop, orderKey, "1");
  expect((await insalesNotices(shop, orderKey)).financial_status).toBe("paid");
});

test("a released hold becomes cancelled and InSales hears paid=0", async ({ page }) => {
  const shop = await operationsShop("oprelease", { holdMode: "HOLD" });
  const { orderKey, imOrderId } = await paymentCard(page, shop, "Холдировать");

  await page.getByRole("button", { name: "Отменить холдирование" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял отмену холдирования");
  await expect(badge(page)).toHaveText("Отменён", { timeout: 15_000 });
  await expect(amounts(page)).toContainText("Оплачено0,00 ₽");
  expect(await merchantApiCalls(imOrderId)).toEqual([expect.objectContaining({ method: "purchaseToRefund", amount: null, resultCode: 0 })]);
  await expectServerNotice(shop, orderKey, "0");
  expect((await insalesNotices(shop, orderKey)).notices.filter((n) => n.fields.paid === "1")).toHaveLength(0);
});

test("a paid payment refunded in part, then in full: states and amounts right", async ({ page }) => {
  const shop = await operationsShop("oprefund");
  const { imOrderId } = await paymentCard(page, shop, "Оплатить");
  const amount = page.getByLabel("Сумма возврата, ₽");
  await expect(amount).toHaveValue("1500,00");
  await expect(page.getByText("Доступно к возврату: 1 500,00 ₽")).toBeVisible();

  await amount.fill("500");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял возврат 500,00 ₽");
  await expect(badge(page)).toHaveText("Частично возвращён", { timeout: 15_000 });
  await expect(amounts(page)).toContainText("Возвращено500,00 ₽");
  // The default is now the remainder: a full refund of what is left.
  await expect(amount).toHaveValue("1000,00");

  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял возврат 1 000,00 ₽");
  await expect(badge(page)).toHaveText("Возвращён", { timeout: 15_000 });
  await expect(amounts(page)).toContainText("Оплачено1 500,00 ₽");
  await expect(amounts(page)).toContainText("Возвращено1 500,00 ₽");
  await expect(page.getByRole("button", { name: "Вернуть" })).toHaveCount(0);
  await expect(page.locator('[data-testid="operation"][data-state="ACCEPTED"]')).toHaveCount(2);
  expect((await merchantApiCalls(imOrderId)).map((c) => [c.method, c.amount, c.resultCode])).toEqual([
    ["purchaseToRefund", "500.00", 0],
    ["purchaseToRefund", "1000.00", 0],
  ]);
});

test("an over-refund is refused with a Russian message and no API call", async ({ page }) => {
  const shop = await operationsShop("opover");
  const { imOrderId } = await paymentCard(page, shop, "Оплатить");
  await page.getByLabel("Сумма возврата, ₽").fill("1500,01");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toHaveText("Сумма возврата 1 500,01 ₽ больше доступной к возврату 1 500,00 ₽.");
  await page.getByLabel("Сумма возврата, ₽").fill("сто");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toHaveText("Введите сумму возврата в рублях, например 500,00.");
  expect(await merchantApiCalls(imOrderId)).toEqual([]);
  await expect(page.getByTestId("operation")).toHaveCount(0);
  await page.reload();
  await expect(badge(page)).toHaveText("Оплачен");
});

test("a wrong API token shows IntellectMoney's refusal on the payment page and changes no state", async ({ page }) => {
  const shop = await operationsShop("opbadtoken", { holdMode: "HOLD", apiToken: "not-the-issued-token" });
  const { imOrderId, orderKey } = await paymentCard(page, shop, "Холдировать");

  await page.getByRole("button", { name: "Списать" }).click();
  await expect(result(page)).toHaveText("IntellectMoney отказал: Неверный API-токен (Authorization)");
  await expect(page.getByTestId("operation")).toHaveCount(1);
  await expect(page.getByTestId("operation").first()).toHaveAttribute("data-state", "FAILED");
  await expect(page.getByTestId("operation-message")).toHaveText("IntellectMoney отказал: Неверный API-токен (Authorization)");
  await page.reload();
  await expect(badge(page)).toHaveText("Захолдирован");
  await expect(page.getByRole("button", { name: "Списать" })).toBeVisible();
  expect(await merchantApiCalls(imOrderId)).toEqual([expect.objectContaining({ authorized: false, operationCode: 2 })]);
  const notices = await insalesNotices(shop, orderKey);
  expect(notices.notices.filter((n) => n.channel === "server")).toHaveLength(0);
});

test("a wrong sign key shows IntellectMoney's refusal and changes no state", async ({ page }) => {
  const shop = await operationsShop("opbadsign", { signSecret: "not-the-issued-sign-key" });
  await paymentCard(page, shop, "Оплатить");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toHaveText("IntellectMoney отказал: Неверная подпись запроса (Sign)");
  await page.reload();
  await expect(badge(page)).toHaveText("Оплачен");
  await expect(amounts(page)).toContainText("Возвращено0,00 ₽");
});

test("a refund answered «успешно с предупреждениями» (code 1) is accepted, with the warning shown", async ({ page }) => {
  const shop = await operationsShop("opwarn");
  const { imOrderId } = await paymentCard(page, shop, "Оплатить");
  await merchantApiBehaviour(imOrderId, { warning: "Возврат выполнен, чек возврата не сформирован" });
  await page.getByLabel("Сумма возврата, ₽").fill("500");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял возврат 500,00 ₽. Предупреждение IntellectMoney: Возврат выполнен, чек возврата не сформирован.");
  await expect(badge(page)).toHaveText("Частично возвращён", { timeout: 15_000 });
  const op = page.getByTestId("operation").first();
  await expect(op).toHaveAttribute("data-state", "ACCEPTED");
  await expect(op).toContainText("(с предупреждением)");
  await expect(op.getByTestId("operation-note")).toHaveText("Проверено: по данным IntellectMoney возвращено всего 500,00 ₽.");
  await expect(page.getByTestId("timeline")).toContainText("IntellectMoney выполнил операцию с предупреждением: Возврат выполнен, чек возврата не сформирован");
  // The default is the remainder: the accepted refund counts, nothing can be refunded twice.
  await expect(page.getByLabel("Сумма возврата, ₽")).toHaveValue("1000,00");
  const calls = await allMerchantApiCalls(imOrderId);
  expect(calls.map((c) => [c.method, c.contentType, c.resultCode])).toEqual([
    ["purchaseToRefund", "application/json", 1],
    ["getPurchaseInfo", "application/json", 0],
  ]);
});

test("a refund IntellectMoney reports as more than asked stops refunds until the merchant clears it on the card", async ({ page }) => {
  const shop = await operationsShop("opmore");
  const { imOrderId, paymentId } = await paymentCard(page, shop, "Оплатить");
  await merchantApiBehaviour(imOrderId, { refundWholeRemainder: true });
  await page.getByLabel("Сумма возврата, ₽").fill("500");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("Возвраты по этому платежу остановлены: по данным IntellectMoney возвращено 1 500,00 ₽ — больше, чем запрошено");

  // The card: the critical problem (no «Отметить решённой»), the stop with its clear button.
  await page.reload();
  const problem = page.locator('[data-testid="problem"][data-kind="refunds_blocked"]');
  await expect(problem).toContainText("остановлены: по данным IntellectMoney возвращено 1 500,00 ₽");
  await expect(problem.getByRole("button", { name: "Отметить решённой" })).toHaveCount(0);
  await expect(page.getByTestId("refunds-blocked")).toBeVisible();
  // The journal's «Требует внимания» shows it too, sending the merchant to the card.
  await page.goto(`${e2eEnv().appUrl}/payments`);
  const listed = page.locator('[data-testid="problem"][data-kind="refunds_blocked"]').filter({ hasText: "1 500,00 ₽" });
  await expect(listed).toHaveCount(1);
  await expect(listed.getByRole("button", { name: "Отметить решённой" })).toHaveCount(0);
  await listed.getByRole("link", { name: "Открыть платёж" }).click();
  await expect(badge(page)).toHaveText("Возвращён", { timeout: 15_000 });

  // The merchant must confirm having checked the account; then refunds are allowed again.
  await page.getByRole("checkbox", { name: /Я проверил возвраты/ }).check();
  await page.getByRole("button", { name: "Снять остановку возвратов" }).click();
  await expect(result(page)).toContainText("Возвраты снова доступны");
  await page.reload();
  await expect(page.getByTestId("refunds-blocked")).toHaveCount(0);
  await expect(page.getByTestId("timeline")).toContainText("Продавец снял остановку возвратов");
  const open = await withDb((c) => c.query(`SELECT count(*)::int AS n FROM "Problem" WHERE "paymentId" = $1 AND "resolvedAt" IS NULL`, [paymentId]));
  expect(open.rows[0].n).toBe(0);
});

test("while refunds are stopped «Вернуть» is disabled with the reason, and the server refuses too", async ({ page }) => {
  const shop = await operationsShop("opnoread");
  const { imOrderId } = await paymentCard(page, shop, "Оплатить");
  await merchantApiBehaviour(imOrderId, { purchaseInfo: "unavailable" });
  await page.getByLabel("Сумма возврата, ₽").fill("100");
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("проверить, сколько по платежу возвращено, не удалось");
  await page.reload();
  await expect(page.getByTestId("refunds-blocked")).toContainText("Возвраты по этому платежу остановлены");
  await expect(page.getByRole("button", { name: "Вернуть" })).toBeDisabled();
  await expect(page.getByText("Возвраты остановлены до проверки в личном кабинете IntellectMoney.")).toBeVisible();
  // A forged post of the refund form (the button re-enabled by hand) is refused by the server.
  await page.getByRole("button", { name: "Вернуть" }).evaluate((b: HTMLButtonElement) => {
    b.disabled = false;
    (b.form!.elements.namedItem("amount") as HTMLInputElement).disabled = false;
  });
  await page.getByRole("button", { name: "Вернуть" }).click();
  await expect(result(page)).toContainText("Возвраты по этому платежу остановлены");
  expect((await merchantApiCalls(imOrderId)).filter((c) => c.method === "purchaseToRefund")).toHaveLength(1);
});

test("a test-mode (TST) payment is captured with the API token and Sign like any other", async ({ page }) => {
  const shop = await operationsShop("optst", { holdMode: "HOLD", testMode: true });
  const { imOrderId } = await paymentCard(page, shop, "Холдировать");
  await expect(page.getByTestId("test-badge")).toBeVisible();
  await page.getByRole("button", { name: "Списать" }).click();
  await expect(result(page)).toContainText("IntellectMoney принял списание");
  await expect(badge(page)).toHaveText("Оплачен", { timeout: 15_000 });
  expect(await merchantApiCalls(imOrderId)).toEqual([expect.objectContaining({ method: "purchaseToPaid", headers: true, authorized: true, signed: true, hashed: true, resultCode: 0 })]);
});

test("a refund the old release recorded as failed after code 1 shows as «Возможно, выполнено» on the card and in the journal", async ({ page }) => {
  const shop = await operationsShop("opold");
  const { paymentId } = await paymentCard(page, shop, "Оплатить");
  // The rows as the data migration leaves an old FAILED refund answered «код 1» (the migration itself is
  // tested on old-shape rows in lib/operations/refunds-code1-migration.test.ts).
  await withDb(async (c) => {
    const p = await c.query<{ shopId: string; orderNumber: string | null; insalesOrderId: string }>(`SELECT "shopId", "orderNumber", "insalesOrderId" FROM "Payment" WHERE id = $1`, [paymentId]);
    const { shopId, orderNumber, insalesOrderId } = p.rows[0];
    await c.query(
      `INSERT INTO "PaymentOperation" (id, "shopId", "paymentId", kind, "amountKopecks", state, message, "resultCode", note, "updatedAt")
       VALUES (gen_random_uuid(), $1, $2, 'REFUND', 50000, 'UNCERTAIN', 'IntellectMoney отказал: код 1', 1,
               'Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями» (код 1), а приложение до исправления записало ответ как ошибку.', now())`,
      [shopId, paymentId],
    );
    await c.query(`UPDATE "Payment" SET "refundsBlockedAt" = now(), "refundsBlockedReason" = 'Возможно, выполнено: возврат был записан как ошибка.' WHERE id = $1`, [paymentId]);
    await c.query(
      `INSERT INTO "Problem" (id, "shopId", "paymentId", kind, message) VALUES (gen_random_uuid(), $1, $2, 'refunds_blocked', $3)`,
      [shopId, paymentId, `Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями» на возврат 500,00 ₽ по заказу №${orderNumber ?? insalesOrderId}.`],
    );
  });
  await page.reload();
  const op = page.locator('[data-testid="operation"][data-state="UNCERTAIN"]');
  await expect(op).toContainText("результат неизвестен");
  await expect(op.getByTestId("operation-note")).toContainText("Возможно, выполнено: IntellectMoney ответил «успешно с предупреждениями»");
  await expect(page.getByRole("button", { name: "Вернуть" })).toBeDisabled();
  await page.goto(`${e2eEnv().appUrl}/payments`);
  await expect(page.locator('[data-testid="problem"][data-kind="refunds_blocked"]').filter({ hasText: "на возврат 500,00 ₽" })).toHaveCount(1);
});
