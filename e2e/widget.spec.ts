// The payment inside InSales (issue 16): our widget on the back-office order card, as the InSales stand-in
// embeds it (an iframe on its own origin with `window.order_info`: e2e/stand-ins/insales-widgets.ts), in a
// real browser. It is created when the merchant connects the payment method, follows the payment after the
// buyer pays, and its actions open our payment card through the «Войти» round trip (the widget's secret only
// reads). A phone order gets a payment link from the widget; the buyer pays it once, and InSales has the order
// marked paid; the link opened again, or tampered with, is refused in Russian.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAxeClean } from "./support/axe";
import { control, e2eEnv } from "./support/e2e-env";
import { loginAs } from "./support/login";
import { operationsShop } from "./support/operations-shop";
import { readyShop, type ReadyShop } from "./support/ready-shop";

type Order = { id: number; key: string; number: number; financial_status: string };

/** «Обновить способ оплаты» on the settings screen: the method is connected again and the widget pushed with it. */
async function connectWithWidget(page: Page, shop: ReadyShop) {
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
  await page.getByRole("button", { name: "Обновить способ оплаты" }).click();
  await expect(page.getByTestId("gateway-status").getByText("Подключён", { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("widget-state").textContent();
      },
      { timeout: 30_000, intervals: [500, 1_000, 2_000] },
    )
    .toContain("Установлен");
}

function orderCard(shop: ReadyShop, orderId: number): string {
  return `${e2eEnv().insalesUrl}/shops/${shop.host}/admin/orders/${orderId}`;
}

const widgetOf = (page: Page) => page.frameLocator("iframe[data-widget-id]");

/** A buyer of their own, in a browser context without the merchant's session. */
async function buyerPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: "ru-RU" });
  return context.newPage();
}

test("the order card shows our payment, follows it after the buyer pays, and captures a hold through the widget", async ({ page, context, browser }) => {
  const { insalesUrl } = e2eEnv();
  const shop = await operationsShop("widgethold", { holdMode: "HOLD" });
  await connectWithWidget(page, shop);
  const order = await control<Order>(insalesUrl, "order", { host: shop.host, amount: "1500.00" });

  await page.goto(orderCard(shop, order.id));
  const widget = widgetOf(page);
  await expect(widget.getByTestId("im-none")).toHaveText("Платежей IntellectMoney по этому заказу нет.");

  // The buyer pays the order from its page in the shop, with a hold.
  const buyer = await buyerPage(browser);
  await buyer.goto(`${insalesUrl}/shops/${shop.host}/orders/${order.key}`);
  await buyer.getByRole("button", { name: "Оплатить заказ" }).click();
  await buyer.getByRole("button", { name: "Холдировать", exact: true }).click();
  await expect(buyer.getByRole("button", { name: "Отменить холд" })).toBeVisible();
  await buyer.context().close();

  await page.reload();
  await expect(widget.getByTestId("im-status")).toHaveText("Захолдирован");
  await expect(widget.getByTestId("im-amounts")).toHaveText("Счёт 1 500,00 ₽ · оплачено 0,00 ₽ · возвращено 0,00 ₽");
  await expect(widget.getByTestId("im-hold")).toContainText("осталось");
  await expect(widget.getByTestId("im-events")).toContainText("деньги захолдированы");
  await expectAxeClean(page, "the back-office order card with our widget (held)");

  // The action is not the widget's: it opens our payment card through «Войти» in a new tab.
  const [card] = await Promise.all([context.waitForEvent("page"), widget.getByTestId("im-open-card").click()]);
  await expect(card).toHaveURL(/\/payments\/[0-9a-f-]{36}$/);
  await expect(card.getByTestId("status-badge")).toHaveText("Захолдирован");
  await card.getByRole("button", { name: "Списать" }).click();
  await expect(card.getByTestId("operation-result")).toContainText("IntellectMoney принял списание");
  await expect(card.getByTestId("status-badge")).toHaveText("Оплачен", { timeout: 15_000 });

  await expect
    .poll(
      async () => {
        await page.reload();
        return widget.getByTestId("im-notice").textContent();
      },
      { timeout: 20_000, intervals: [500, 1_000] },
    )
    .toBe("Уведомление InSales: Доставлено");
  await expect(widget.getByTestId("im-status")).toHaveText("Оплачен");
  await expect(widget.getByTestId("im-amounts")).toHaveText("Счёт 1 500,00 ₽ · оплачено 1 500,00 ₽ · возвращено 0,00 ₽");
  // The card's own HTML was rendered before the widget's data arrived: read InSales's side afresh.
  await page.reload();
  await expect(page.locator("#financial-status")).toHaveText("Оплачен");
});

test("a phone order: a payment link sent from the widget is paid once, and is refused when reused or tampered with", async ({ page, context, browser }) => {
  const { insalesUrl } = e2eEnv();
  const shop = await readyShop("widgetlink");
  await connectWithWidget(page, shop);
  const order = await control<Order>(insalesUrl, "order", { host: shop.host, amount: "2400.00", backOffice: true });

  await page.goto(orderCard(shop, order.id));
  const widget = widgetOf(page);
  await expect(widget.getByTestId("im-none")).toBeVisible();
  const [links] = await Promise.all([context.waitForEvent("page"), widget.getByTestId("im-send-link").click()]);
  await expect(links).toHaveURL(new RegExp(`/payment-links\\?order=${order.id}$`));
  await expect(links.getByTestId("link-amount")).toHaveText("2 400,00 ₽");
  await links.getByRole("button", { name: "Создать ссылку" }).click();
  const url = await links.getByTestId("link-url").inputValue();
  expect(url).toMatch(/\/pay\/pl1\./);
  await links.reload();
  await expect(links.getByTestId("links")).toContainText("создана для копирования");

  const buyer = await buyerPage(browser);
  await buyer.goto(url);
  await expect(buyer.getByRole("heading", { name: `Оплата: заказ №${order.number}` })).toBeVisible();
  await expect(buyer.getByText("К оплате: 2 400,00 ₽")).toBeVisible();
  await buyer.getByRole("button", { name: "Оплатить 2 400,00 ₽" }).click();
  await buyer.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expect(buyer.getByRole("heading", { name: "Оплата получена" })).toBeVisible({ timeout: 20_000 });
  await expectAxeClean(buyer, "the buyer's page after paying by a payment link");

  // InSales has the order marked paid through its API (no checkout transaction to notify).
  await expect.poll(async () => (await control<Order>(insalesUrl, `order?host=${shop.host}&id=${order.id}`)).financial_status, { timeout: 30_000 }).toBe("paid");
  await page.reload();
  await expect(widget.getByTestId("im-status")).toHaveText("Оплачен");

  await buyer.goto(url);
  await expect(buyer.getByRole("heading", { name: "Заказ уже оплачен" })).toBeVisible();
  const tampered = url.replace(/\.(\d+)\.(\d+)\.([A-Za-z0-9_-]{43})$/, (_m, orderId: string, exp: string, mac: string) => `.${orderId}.${Number(exp) + 86_400}.${mac}`);
  expect(tampered).not.toBe(url);
  await buyer.goto(tampered);
  await expect(buyer.getByRole("heading", { name: "Ссылка недействительна" })).toBeVisible();
  await buyer.context().close();
});
