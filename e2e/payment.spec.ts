// A buyer pays end to end (docs/PRODUCT.md flows 5–8): the InSales stand-in's checkout → our payment URL →
// the IntellectMoney stand-in's payment page → its result notification to us → our notice to InSales
// (server to server, by the app's job worker) and the buyer's return through the shop's success/fail URL
// → the order page in the shop.
import { expect, test, type Page } from "@playwright/test";
import { control, e2eEnv } from "./support/e2e-env";
import { readyShop, type ReadyShop } from "./support/ready-shop";
import { E2E_SECRETS } from "./support/secrets";

type Notice = { channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean };
type Shop = ReadyShop;

/** The buyer checks out in the shop and lands on IntellectMoney's payment page. */
async function checkout(page: Page, shop: Shop, amount = "1500.00") {
  await page.goto(`${e2eEnv().insalesUrl}/shops/${shop.host}/checkout?amount=${amount}`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  await expect(page.locator("#amount")).toHaveText(amount);
  const orderKey = await orderKeyOf(shop);
  return { orderKey };
}

async function orderKeyOf(shop: Shop): Promise<string> {
  const standIn = await control<{ orders: Array<{ key: string }> }>(e2eEnv().insalesUrl, `shop?host=${shop.host}`);
  return standIn.orders.at(-1)!.key;
}

async function notices(shop: Shop, key: string) {
  return control<{ financial_status: string; notices: Notice[] }>(e2eEnv().insalesUrl, `external-payments/notices?host=${shop.host}&key=${key}`);
}

/** The server-to-server notice the app's worker sends (flow 7), verified by the stand-in. */
async function expectServerNotice(shop: Shop, key: string, paid: "0" | "1") {
  await expect
    .poll(async () => (await notices(shop, key)).notices.filter((n) => n.channel === "server" && n.valid && n.fields.paid === paid).length, { timeout: 20_000 })
    .toBe(1);
}

async function expectOrderPage(page: Page, shop: Shop, key: string, status: "Оплачен" | "Не оплачен") {
  await expect(page).toHaveURL(`${e2eEnv().insalesUrl}/shops/${shop.host}/orders/${key}`);
  await expect(page.locator("#financial-status")).toHaveText(status);
}

test("a buyer pays an order and lands on the order page showing «Оплачен»", async ({ page }) => {
  const shop = await readyShop("pay");
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  const seen = await notices(shop, orderKey);
  expect(seen.notices.find((n) => n.channel === "success")).toMatchObject({ valid: true, fields: { paid: "1", amount: "1500.00", key: orderKey } });
  await expectServerNotice(shop, orderKey, "1");
  // IntellectMoney got exactly `OK` for every notification.
  const invoices = await control<Array<{ orderId: string; notifications: Array<{ httpStatus: number; body: string }> }>>(e2eEnv().intellectmoneyUrl, "invoices");
  const mine = invoices.find((i) => i.notifications.length && i.orderId.endsWith(seen.notices[0].fields.transaction_id))!;
  expect(mine.notifications.map((n) => [n.httpStatus, n.body])).toEqual([
    [200, "OK"],
    [200, "OK"],
  ]);
});

test("a held payment is not paid until «Списать», then it is", async ({ page }) => {
  const shop = await readyShop("hold", { holdMode: "HOLD" });
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Холдировать" }).click();
  await expect(page.getByRole("button", { name: "Списать" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Отменить холд" })).toBeVisible();
  // Give the worker time to (wrongly) send something: nothing may say «paid» yet.
  await page.waitForTimeout(2_000);
  const held = await notices(shop, orderKey);
  expect(held.financial_status).toBe("pending");
  expect(held.notices.filter((n) => n.fields.paid === "1")).toHaveLength(0);

  await page.getByRole("button", { name: "Списать" }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("a cancelled payment tells the shop paid=0 and the order stays unpaid", async ({ page }) => {
  const shop = await readyShop("cancel");
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Отменить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Не оплачен");
  const seen = await notices(shop, orderKey);
  expect(seen.notices.find((n) => n.channel === "fail")).toMatchObject({ valid: true, fields: { paid: "0" } });
  await expectServerNotice(shop, orderKey, "0");
});

test("test mode pays in TST with a valid hash", async ({ page }) => {
  const shop = await readyShop("tst", { testMode: true });
  const { orderKey } = await checkout(page, shop, "990.00");
  await expect(page.locator("#test-badge")).toBeVisible();
  await expect(page.locator("body")).toContainText("TST");
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("a personal wallet (Физическое лицо) payment with the form's «Секретный ключ» is verified and applied like an organization's", async ({ page }) => {
  const shop = await readyShop("wallet", { legalForm: "INDIVIDUAL", walletSecretKey: E2E_SECRETS.walletSecretKey });
  const { orderKey } = await checkout(page, shop, "700.00");
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
  const invoices = await control<Array<{ eshopId: string; form: Record<string, string>; notifications: Array<{ httpStatus: number; body: string; fields: Record<string, string> }> }>>(
    e2eEnv().intellectmoneyUrl,
    "invoices",
  );
  const mine = invoices.find((i) => i.eshopId === "450157" && i.form.UserField_9 === shop.walletFormId);
  expect(mine?.form.UserField_0).toBe("wallet@example.com");
  // The wallet invoice form carries no hash (docs/protocols/intellectmoney.md §2); the notifications do.
  expect(mine?.form.hash).toBeUndefined();
  expect(mine?.notifications.map((n) => [n.httpStatus, n.body, n.fields.hash.length])).toEqual([
    [200, "OK", 32],
    [200, "OK", 32],
  ]);
});

// ---- issue 13: behave as IntellectMoney really does (docs/protocols/intellectmoney.md §1, §3, §10) ----------

type ImInvoiceView = { paymentId: string; orderId: string; recipientCurrency: string; form: Record<string, string> };

/** The buyer opens the order in the shop and presses «Оплатить заказ» again (same order, same transaction). */
async function payAgainFromOrderPage(page: Page, shop: Shop, key: string) {
  await page.goto(`${e2eEnv().insalesUrl}/shops/${shop.host}/orders/${key}`);
  await page.getByRole("button", { name: "Оплатить заказ" }).click();
}

async function currentInvoiceId(page: Page): Promise<string> {
  return (await page.locator("#payment-id").textContent())!.trim();
}

test("a repeated checkout of an open invoice continues it: IntellectMoney gets only invoiceId and shows the same invoice, then «Оплачен»", async ({ page }) => {
  const shop = await readyShop("repeat");
  const { orderKey } = await checkout(page, shop);
  const first = await currentInvoiceId(page);
  await payAgainFromOrderPage(page, shop, orderKey);
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  expect(await currentInvoiceId(page)).toBe(first);
  await expect(page.locator("#error")).toHaveCount(0);
  const refused = await control<unknown[]>(e2eEnv().intellectmoneyUrl, "refused-repeats");
  expect(refused.filter((r) => JSON.stringify(r).includes(first))).toEqual([]);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("without the «created» notification the repeat posts the first form unchanged and IntellectMoney continues the invoice", async ({ page }) => {
  const shop = await readyShop("repeat-nocreated");
  await control(e2eEnv().intellectmoneyUrl, "events", { eshopId: shop.eshopId, disabled: ["3"] });
  const { orderKey } = await checkout(page, shop);
  const first = await currentInvoiceId(page);
  await page.waitForTimeout(1_100); // a form rebuilt now would carry another expireDate (to the second)
  await payAgainFromOrderPage(page, shop, orderKey);
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  expect(await currentInvoiceId(page)).toBe(first);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
});

test("after a cancelled invoice, paying the order again opens a new invoice, and the order ends «Оплачен»", async ({ page }) => {
  const shop = await readyShop("recancel");
  const { orderKey } = await checkout(page, shop);
  const first = await currentInvoiceId(page);
  await page.getByRole("button", { name: "Отменить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Не оплачен");
  await expectServerNotice(shop, orderKey, "0");

  await payAgainFromOrderPage(page, shop, orderKey);
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  const second = await currentInvoiceId(page);
  expect(second).not.toBe(first);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
  const invoices = await control<ImInvoiceView[]>(e2eEnv().intellectmoneyUrl, "invoices");
  const mine = invoices.filter((i) => i.paymentId === first || i.paymentId === second).map((i) => i.orderId).sort();
  expect(mine).toHaveLength(2);
  expect(mine[1]).toBe(`${mine[0]}_2`);
});

test("a windows-1251 notification (no charset declared, hash over windows-1251) ends «Оплачен»", async ({ page }) => {
  const shop = await readyShop("cp1251");
  await control(e2eEnv().intellectmoneyUrl, "notification-encoding", { eshopId: shop.eshopId, body: "windows-1251", declareCharset: false, hashOver: "windows-1251" });
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});

test("IntellectMoney redirecting the re-posted form straight back to our return URL is allowed by the checkout page's CSP", async ({ page }) => {
  // «оплачен» is switched off in the account: the app never hears of the payment, so the buyer's second
  // checkout goes to the (already paid) invoice by its id, and IntellectMoney sends the browser straight to the
  // invoice's successUrl on our host (docs/protocols/intellectmoney.md §10).
  const shop = await readyShop("csp-return");
  await control(e2eEnv().intellectmoneyUrl, "events", { eshopId: shop.eshopId, disabled: ["5"] });
  const { orderKey } = await checkout(page, shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Платёж обрабатывается…" })).toBeVisible({ timeout: 20_000 });
  await payAgainFromOrderPage(page, shop, orderKey);
  await expect(page).toHaveURL(new RegExp(`^${e2eEnv().appUrl}/api/intellectmoney/return/[0-9a-f-]{36}/success$`), { timeout: 20_000 });
  await expect(page.getByRole("heading", { name: "Платёж обрабатывается…" })).toBeVisible({ timeout: 20_000 });
});

test("a USD order is invoiced in USD and ends «Оплачен»", async ({ page }) => {
  const shop = await readyShop("usd");
  await page.goto(`${e2eEnv().insalesUrl}/shops/${shop.host}/checkout?amount=100.00&currency=USD`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  await expect(page.locator("body")).toContainText("100.00 USD");
  const orderKey = await orderKeyOf(shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  await expectOrderPage(page, shop, orderKey, "Оплачен");
  await expectServerNotice(shop, orderKey, "1");
});
