// «Войти»: the merchant opens the app from the InSales back office (docs/protocols/insales.md §1).
import { expect, test } from "@playwright/test";
import { control, e2eEnv } from "./support/e2e-env";
import { installShop, loginAs, uniqueShop } from "./support/login";

test("a correct round trip through InSales opens the settings of that shop", async ({ page }) => {
  const shop = uniqueShop("login");
  await installShop(shop);
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByText(shop.host)).toBeVisible();
});

test("the vendor example's login answer (token3 only, `email_сonfirmed` with a Cyrillic «с») opens the settings", async ({ page }) => {
  // docs/protocols/insales.md §1 «Войти» step 3: the stand-in answers exactly in the example's shape.
  const shop = uniqueShop("tok3");
  await installShop(shop);
  await control(e2eEnv().insalesUrl, "login-answer", { host: shop.host, shape: "vendor_example" });
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("shop-host")).toHaveText(shop.host);
  // token3 covered the user fields: the user's name is shown as a fact.
  await expect(page.getByRole("banner").getByText("Игорь")).toBeVisible();
});

test("a login answer with a wrong token is refused with a Russian page and no session", async ({ page, context }) => {
  const shop = uniqueShop("badtoken");
  await installShop(shop);
  await control(e2eEnv().insalesUrl, "login-tamper", { host: shop.host, mode: "token" });
  await loginAs(page, shop);
  await expect(page.locator("body")).toContainText(/вход|подпис|не удалось/i);
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name.includes("session-token"))).toBeUndefined();
  await page.goto(`${e2eEnv().appUrl}/settings`);
  await expect(page).toHaveURL(/\/login-required$/);
});

test("a right token with a wrong token3 signs in, but the user fields are not shown", async ({ page }) => {
  // docs/protocols/insales.md §1 «Войти» step 4: the answer is authentic, the user fields unverified.
  const shop = uniqueShop("badtok3");
  await installShop(shop);
  await control(e2eEnv().insalesUrl, "login-tamper", { host: shop.host, mode: "token3" });
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByTestId("shop-host")).toHaveText(shop.host);
  await expect(page.getByRole("banner").getByText("Игорь")).toHaveCount(0);
});

test("a token3-only answer with a wrong token3 is refused with a Russian page and no session", async ({ page, context }) => {
  const shop = uniqueShop("badonly3");
  await installShop(shop);
  await control(e2eEnv().insalesUrl, "login-answer", { host: shop.host, shape: "vendor_example" });
  await control(e2eEnv().insalesUrl, "login-tamper", { host: shop.host, mode: "token3" });
  await loginAs(page, shop);
  await expect(page.locator("body")).toContainText(/не удалось войти/i);
  expect((await context.cookies()).find((c) => c.name.includes("session-token"))).toBeUndefined();
});

test("logging in to another shop replaces the session", async ({ page }) => {
  const a = uniqueShop("swapa");
  const b = uniqueShop("swapb");
  await installShop(a);
  await installShop(b);
  await loginAs(page, a);
  await expect(page.getByText(a.host)).toBeVisible();
  await loginAs(page, b);
  await expect(page.getByText(b.host)).toBeVisible();
  await expect(page.getByText(a.host)).toHaveCount(0);
});

test("an uninstalled shop's session stops working at once", async ({ page }) => {
  const shop = uniqueShop("gone");
  await installShop(shop);
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
  const r = await control<{ status: number }>(e2eEnv().insalesUrl, "uninstall", { host: shop.host });
  expect(r.status).toBe(200);
  await page.goto(`${e2eEnv().appUrl}/settings`);
  await expect(page).toHaveURL(/\/login-required$/);
});

test("a forged install ends no session; the merchant's proven reinstall ends every older one", async ({ page }) => {
  const shop = uniqueShop("reinst");
  await installShop(shop);
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);

  // Anyone can send this: another host, any token, the shop's public insales_id (docs/protocols/insales.md §1).
  const q = new URLSearchParams({ shop: "evil-shop.myinsales.ru", token: "x", insales_id: shop.insalesId });
  expect((await fetch(`${e2eEnv().appUrl}/api/insales/install?${q}`)).status).toBe(200);
  await page.goto(`${e2eEnv().appUrl}/settings`);
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByText(shop.host)).toBeVisible();

  // The merchant reinstalls from InSales: once proven, the session opened before it is over.
  await installShop(shop);
  await page.goto(`${e2eEnv().appUrl}/settings`);
  await expect(page).toHaveURL(/\/login-required$/);
  await loginAs(page, shop);
  await expect(page).toHaveURL(/\/settings$/);
});
