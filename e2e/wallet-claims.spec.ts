// A personal-wallet («Физическое лицо») shop without the wallet form's «Секретный ключ»
// (docs/protocols/intellectmoney.md §2): IntellectMoney's notifications cannot be verified, so a «paid» is a
// claim — the payment shows «Требует подтверждения», InSales hears nothing and the buyer is not sent back
// as paid — until the merchant confirms it on the payment card. A forged «paid» (anyone who saw the
// invoice form can write one) is rejected there and changes nothing. (With the key: e2e/payment.spec.ts.)
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { withDb } from "./support/db";
import { control, e2eEnv } from "./support/e2e-env";
import { loginAs } from "./support/login";
import { readyShop, type ReadyShop } from "./support/ready-shop";

type Notice = { channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean };
type Invoice = { paymentId: string; orderId: string; eshopId: string; resultUrl: string; serviceName: string; form: Record<string, string> };

async function notices(shop: ReadyShop, key: string) {
  return control<{ financial_status: string; notices: Notice[] }>(e2eEnv().insalesUrl, `external-payments/notices?host=${shop.host}&key=${key}`);
}

/** The buyer checks out and lands on the stand-in's payment page; the order key and our payment id. */
async function checkout(page: Page, shop: ReadyShop, amount = "700.00") {
  const { insalesUrl } = e2eEnv();
  await page.goto(`${insalesUrl}/shops/${shop.host}/checkout?amount=${amount}`);
  await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
  await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
  const standIn = await control<{ orders: Array<{ key: string }> }>(insalesUrl, `shop?host=${shop.host}`);
  const orderKey = standIn.orders.at(-1)!.key;
  const payment = await withDb(async (c) => {
    const r = await c.query<{ id: string; imOrderId: string }>(
      `SELECT p.id, p."imOrderId" FROM "Payment" p JOIN "Shop" s ON s.id = p."shopId" WHERE s."insalesId" = $1 AND p."orderKey" = $2`,
      [shop.insalesId, orderKey],
    );
    return r.rows[0];
  });
  const invoice = (await control<Invoice[]>(e2eEnv().intellectmoneyUrl, `invoices?orderId=${encodeURIComponent(payment.imOrderId)}`))[0];
  return { orderKey, paymentId: payment.id, invoice };
}

const badge = (page: Page) => page.getByTestId("status-badge");
const claims = (page: Page) => page.getByTestId("claim");

test("without the key a «paid» waits for the merchant: «Требует подтверждения», then «Подтвердить» → «Оплачен» and InSales gets paid=1", async ({ page }) => {
  const shop = await readyShop("wclaimok", { legalForm: "INDIVIDUAL" });
  const { orderKey, paymentId, invoice } = await checkout(page, shop);
  await page.getByRole("button", { name: "Оплатить", exact: true }).click();
  // The buyer comes back while the payment is unconfirmed: an honest «обрабатывается», never a signed paid=1.
  await expect(page.getByRole("heading", { name: "Платёж обрабатывается…" })).toBeVisible({ timeout: 20_000 });
  // IntellectMoney got OK (the claim is stored), and nothing reached InSales.
  const sent = (await control<Array<{ notifications: Array<{ status: string; httpStatus: number; body: string }> }>>(e2eEnv().intellectmoneyUrl, `invoices?orderId=${encodeURIComponent(invoice.orderId)}`))[0];
  expect(sent.notifications.map((n) => [n.status, n.httpStatus, n.body])).toEqual([
    ["3", 200, "OK"],
    ["5", 200, "OK"],
  ]);
  let seen = await notices(shop, orderKey);
  expect(seen.notices).toHaveLength(0);
  expect(seen.financial_status).toBe("pending");

  await loginAs(page, shop);
  await page.goto(`${e2eEnv().appUrl}/payments`);
  const row = page.getByTestId("payment-row").filter({ has: page.locator(`a[href="/payments/${paymentId}"]`) });
  await expect(row.getByTestId("status-badge")).toHaveText("Создан");
  await expect(row.getByTestId("journal-flag")).toHaveText("Требует подтверждения");
  await expect(page.getByTestId("problem").filter({ hasText: "требует подтверждения" }).first()).toBeVisible();
  // The status filter finds it by the mark.
  await page.goto(`${e2eEnv().appUrl}/payments?status=NEEDS_CONFIRMATION`);
  await expect(page.getByTestId("payment-row").filter({ has: page.locator(`a[href="/payments/${paymentId}"]`) })).toHaveCount(1);

  await page.goto(`${e2eEnv().appUrl}/payments/${paymentId}`);
  await expect(badge(page)).toHaveText("Создан");
  await expect(page.getByTestId("journal-flag")).toHaveText("Требует подтверждения");
  await expect(claims(page)).toHaveCount(1);
  await expect(claims(page).first()).toContainText("«оплачен, 700,00 ₽» — Требует подтверждения");
  await expect(claims(page).first()).toContainText(invoice.paymentId);

  await claims(page).first().getByRole("button", { name: "Подтвердить" }).click();
  await expect(badge(page)).toHaveText("Оплачен");
  await expect(claims(page).first()).toHaveAttribute("data-state", "CONFIRMED");
  await expect(page.getByTestId("journal-flag")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Подтвердить" })).toHaveCount(0);

  await expect
    .poll(async () => (await notices(shop, orderKey)).notices.filter((n) => n.channel === "server" && n.valid && n.fields.paid === "1").length, { timeout: 20_000 })
    .toBe(1);
  seen = await notices(shop, orderKey);
  expect(seen.financial_status).toBe("paid");
  expect(seen.notices.filter((n) => n.fields.paid === "1")).toHaveLength(1);
});

test("a forged «paid» from the buyer is rejected on the card: nothing changes and InSales hears nothing", async ({ page, request }) => {
  const shop = await readyShop("wclaimno", { legalForm: "INDIVIDUAL" });
  const { orderKey, paymentId, invoice } = await checkout(page, shop);

  // Everything but the hash is in the invoice form the buyer's browser posted (eshopId 450157, orderId,
  // amount, the resultUrl with ?shop=): the buyer writes IntellectMoney's «paid» themselves.
  const forged = await request.post(invoice.resultUrl, {
    form: {
      eshopId: "450157", paymentId: invoice.paymentId, orderId: invoice.orderId, eshopAccount: "", serviceName: invoice.serviceName, recipientAmount: "700.00",
      recipientOriginalAmount: "700.00", recipientCurrency: "RUB", paymentStatus: "5", userName: "", userEmail: "", paymentData: "2026-12-01 12:00:00", secretKey: "",
      UserField_0: invoice.form.UserField_0, UserField_9: invoice.form.UserField_9,
    },
  });
  expect(forged.status()).toBe(200);

  await loginAs(page, shop);
  await page.goto(`${e2eEnv().appUrl}/payments/${paymentId}`);
  await expect(badge(page)).toHaveText("Создан");
  await expect(claims(page)).toHaveCount(1);
  await claims(page).first().getByRole("button", { name: "Отклонить" }).click();
  await expect(claims(page).first()).toHaveAttribute("data-state", "REJECTED");
  await expect(claims(page).first()).toContainText("Отклонено");
  await expect(badge(page)).toHaveText("Создан");
  await expect(page.getByTestId("journal-flag")).toHaveCount(0);
  await expect(page.getByText("Магазин отклонил неподтверждённое уведомление")).toBeVisible();

  // Give the worker time to (wrongly) send something: nothing may reach InSales.
  await page.waitForTimeout(2_000);
  const seen = await notices(shop, orderKey);
  expect(seen.notices).toHaveLength(0);
  expect(seen.financial_status).toBe("pending");
});

/** The no-JS form of a server action: its hidden `$ACTION_ID_…` field, in the form carrying `button`. */
function actionIdOf(html: string, button: string): string | null {
  const form = html.split("<form").find((f) => f.slice(0, f.indexOf("</form>")).includes(`>${button}</button>`));
  return form ? (/name="\$ACTION_ID_([0-9a-f]+)"/.exec(form)?.[1] ?? null) : null;
}

async function postAction(request: APIRequestContext, path: string, actionId: string, fields: Record<string, string>, origin: string) {
  return request.post(`${e2eEnv().appUrl}${path}`, { multipart: { [`$ACTION_ID_${actionId}`]: "", ...fields }, headers: { Origin: origin }, maxRedirects: 0 });
}

async function claimState(claimId: string): Promise<string> {
  return withDb(async (c) => (await c.query<{ state: string }>(`SELECT state::text FROM "PaymentClaim" WHERE id = $1`, [claimId])).rows[0].state);
}

async function pendingClaimOf(paymentId: string): Promise<string> {
  return withDb(async (c) => (await c.query<{ id: string }>(`SELECT id FROM "PaymentClaim" WHERE "paymentId" = $1 AND state = 'PENDING'`, [paymentId])).rows[0].id);
}

test("«Подтвердить» acts only for the session's shop and only from our own origin", async ({ browser }) => {
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const pageA = await ctxA.newPage();
  const pageB = await ctxB.newPage();
  const shopA = await readyShop("wclaima", { legalForm: "INDIVIDUAL" });
  const shopB = await readyShop("wclaimb", { legalForm: "INDIVIDUAL" });
  const a = await checkout(pageA, shopA);
  const b = await checkout(pageB, shopB);
  await control(e2eEnv().intellectmoneyUrl, "notify", { paymentId: a.invoice.paymentId, status: "5" });
  await control(e2eEnv().intellectmoneyUrl, "notify", { paymentId: b.invoice.paymentId, status: "5" });
  const claimA = await pendingClaimOf(a.paymentId);
  const claimB = await pendingClaimOf(b.paymentId);

  await loginAs(pageA, shopA);
  const card = await (await pageA.request.get(`${e2eEnv().appUrl}/payments/${a.paymentId}`)).text();
  const confirmId = actionIdOf(card, "Подтвердить");
  expect(confirmId, "no «Подтвердить» server-action form on A's card").not.toBeNull();

  // A's session with B's claim id: B's claim stays pending, B's payment unpaid.
  await postAction(pageA.request, `/payments/${a.paymentId}`, confirmId!, { claimId: claimB }, e2eEnv().appUrl);
  expect(await claimState(claimB)).toBe("PENDING");
  // A foreign Origin is refused even for A's own claim …
  const evil = await postAction(pageA.request, `/payments/${a.paymentId}`, confirmId!, { claimId: claimA }, "http://evil.example");
  expect(evil.status()).toBeGreaterThanOrEqual(400);
  expect(await claimState(claimA)).toBe("PENDING");
  // … and without a session nothing happens at all.
  const anonymous = await browser.newContext();
  await postAction(anonymous.request, `/payments/${a.paymentId}`, confirmId!, { claimId: claimA }, e2eEnv().appUrl);
  expect(await claimState(claimA)).toBe("PENDING");
  // The same request from A's session and our own origin confirms it.
  await postAction(pageA.request, `/payments/${a.paymentId}`, confirmId!, { claimId: claimA }, e2eEnv().appUrl);
  expect(await claimState(claimA)).toBe("CONFIRMED");
  expect(await claimState(claimB)).toBe("PENDING");
  await Promise.all([ctxA.close(), ctxB.close(), anonymous.close()]);
});
