// Capture, release and refund from the payment card (issue 7; spec/intellectmoney-protocol.md §4): the
// merchant clicks in the journal, the app calls the IntellectMoney stand-in's Merchant API (which checks
// Bearer, Sign and hash), and the payment's state changes only when the stand-in's result notification
// arrives — then InSales hears about it through the app's notice.
import { expect, test, type Page } from "@playwright/test";
import { e2eEnv } from "./support/e2e-env";
import { loginAs } from "./support/login";
import { checkoutToPaymentPage, insalesNotices, merchantApiCalls, operationsShop, type OperationsShop } from "./support/operations-shop";

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
  expect(await merchantApiCalls(imOrderId)).toEqual([expect.objectContaining({ authorized: false, operationCode: 1 })]);
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
