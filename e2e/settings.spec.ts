// «Настройки» (docs/PRODUCT.md «The settings screen», flow 3): the merchant fills in the form, sees Russian
// errors next to the fields, saves, and the secret key never comes back in clear.
import { expect, test } from "@playwright/test";
import { expectAxeClean } from "./support/axe";
import { e2eEnv } from "./support/e2e-env";
import { installAndLogin } from "./support/login";
import { E2E_SECRETS } from "./support/secrets";

test("an organization's settings: limits refused next to the fields, then saved with the key masked", async ({ page }) => {
  await installAndLogin(page, "settings");
  await expect(page).toHaveURL(/\/settings$/);

  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Укажите номер магазина")).toBeVisible();
  await expect(page.getByText("Укажите секретный ключ")).toBeVisible();

  await page.getByLabel("Номер магазина", { exact: true }).fill("1234567");
  await page.getByLabel("Секретный ключ", { exact: true }).fill(E2E_SECRETS.secretKey);
  await page.getByLabel("Режим холдирования", { exact: true }).selectOption({ label: "Холдировать счёт" });
  await page.getByLabel("Срок жизни счёта (в днях)", { exact: true }).fill("6");
  await page.getByLabel("Срок холдирования денежных средств (в часах)", { exact: true }).fill("120");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Только цифры, не больше 6")).toBeVisible();
  await expect(page.getByText("С холдированием срок жизни счёта — не больше 5 дней")).toBeVisible();
  await expect(page.getByText("От 1 до 119 часов", { exact: true })).toBeVisible();

  await page.getByLabel("Номер магазина", { exact: true }).fill("123456");
  await page.getByLabel("Срок жизни счёта (в днях)", { exact: true }).fill("5");
  await page.getByLabel("Срок холдирования денежных средств (в часах)", { exact: true }).fill("119");
  await page.getByLabel("Тестовый режим", { exact: true }).check();
  await page.getByLabel("СБП (sbp)", { exact: true }).check();
  await page.getByLabel("Банковская карта (bankcard)", { exact: true }).check();
  await page.getByLabel("Уведомление для магазина о полной оплате СКО", { exact: true }).check();
  await page.getByLabel("E-mail магазина для уведомлений", { exact: true }).fill("shop@example.com");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  await expect(page.getByRole("banner").getByText("Тестовый режим")).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Секретный ключ", { exact: true })).toHaveValue("");
  await expect(page.getByText(`Сохранён: ••••••${E2E_SECRETS.secretKey.slice(-4)}`)).toBeVisible();
  await expect(page.getByLabel("Список видов оплаты", { exact: true })).toHaveValue("sbp, bankcard");
  await expect(page.getByLabel("Срок холдирования денежных средств (в часах)", { exact: true })).toHaveValue("119");
  expect(await page.content()).not.toContain(E2E_SECRETS.secretKey);

  // Saving again with the key field empty keeps the saved key.
  await page.getByLabel("Номер магазина", { exact: true }).fill("654321");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Номер магазина", { exact: true })).toHaveValue("654321");
  await expect(page.getByText(`Сохранён: ••••••${E2E_SECRETS.secretKey.slice(-4)}`)).toBeVisible();
});

test("«Merchant API и чеки»: both API secrets or neither, receipts with INN and VAT, saved and masked, cleared on request", async ({ page }) => {
  await installAndLogin(page, "settingsapi");
  await page.getByLabel("Номер магазина", { exact: true }).fill("123456");
  await page.getByLabel("Секретный ключ", { exact: true }).fill(E2E_SECRETS.secretKey);
  const section = page.getByRole("region", { name: "Merchant API и чеки" });
  await expect(section.getByText("в разделе API")).toBeVisible();

  // A token without its sign key, receipts on with a mistyped INN and no VAT: errors next to the fields.
  await page.getByLabel("API-токен", { exact: true }).fill(E2E_SECRETS.apiToken);
  await expect(page.getByLabel("ИНН", { exact: true })).toHaveCount(0);
  await page.getByLabel("Фискальные чеки (54-ФЗ)", { exact: true }).check();
  // Optional: empty means the IntellectMoney account's default group (docs/protocols/intellectmoney.md §6).
  await expect(page.getByLabel("Группа касс", { exact: true })).toHaveValue("");
  await expect(page.getByText("Необязательно. Как в личном кабинете IntellectMoney; пустое поле — группа касс по умолчанию.")).toBeVisible();
  await page.getByLabel("ИНН", { exact: true }).fill("7707083894");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.locator("#signSecret-error")).toHaveText("Укажите ключ подписи: без него Merchant API не примет токен");
  await expect(page.locator("#receiptInn-error")).toHaveText("Неверный ИНН: не сходится контрольное число");
  await expect(page.locator("#receiptVatGoods-error")).toHaveText("Выберите НДС для товаров");
  await expect(page.locator("#receiptVatDelivery-error")).toHaveText("Выберите НДС для доставки");
  await expect(page.getByLabel("ИНН", { exact: true })).toHaveAttribute("aria-describedby", /receiptInn-error/);

  await page.getByLabel("Ключ подписи (signSecretKey)", { exact: true }).fill(E2E_SECRETS.signSecret);
  await page.getByLabel("ИНН", { exact: true }).fill("7707083893");
  await page.getByLabel("НДС для товаров", { exact: true }).selectOption({ label: "НДС 22%" });
  await page.getByLabel("НДС для доставки", { exact: true }).selectOption({ label: "Без НДС" });
  await page.getByLabel("Признак способа расчёта", { exact: true }).selectOption({ label: "Предоплата 100%" });
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("API-токен", { exact: true })).toHaveValue("");
  await expect(section.getByText(`Сохранён: ••••••${E2E_SECRETS.apiToken.slice(-4)}`)).toBeVisible();
  await expect(section.getByText(`Сохранён: ••••••${E2E_SECRETS.signSecret.slice(-4)}`)).toBeVisible();
  await expect(page.getByLabel("Фискальные чеки (54-ФЗ)", { exact: true })).toBeChecked();
  await expect(page.getByLabel("ИНН", { exact: true })).toHaveValue("7707083893");
  await expect(page.getByLabel("НДС для товаров", { exact: true })).toHaveValue("11");
  await expect(page.getByLabel("НДС для доставки", { exact: true })).toHaveValue("6");
  await expect(page.getByLabel("Признак предмета расчёта", { exact: true })).toHaveValue("1");
  await expect(page.getByLabel("Признак способа расчёта", { exact: true })).toHaveValue("1");
  const html = await page.content();
  expect(html).not.toContain(E2E_SECRETS.apiToken);
  expect(html).not.toContain(E2E_SECRETS.signSecret);

  // «Удалить» both: the masks are gone after saving.
  await page.getByLabel("Удалить сохранённый API-токен", { exact: true }).check();
  await page.getByLabel("Удалить сохранённый ключ подписи", { exact: true }).check();
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  await page.reload();
  await expect(section.getByText(/Сохранён:/)).toHaveCount(0);
  await expect(page.getByLabel("Удалить сохранённый API-токен", { exact: true })).toHaveCount(0);

  // Only for «Юридическое лицо».
  await page.getByLabel("Физическое лицо", { exact: true }).check();
  await expect(page.getByRole("region", { name: "Merchant API и чеки" })).toHaveCount(0);
});

test("the screen says what to set in the IntellectMoney account, next to the fields, copyable and axe-clean", async ({ page, context }) => {
  // docs/protocols/intellectmoney.md §8: Result URL (optional, ours with ?shop=), the «Уведомления» events
  // (only enabled ones are sent), «уникальный номер покупки» (hold, capture, refund), the keys test mode still needs.
  const shop = await installAndLogin(page, "settingscab");
  const cabinet = page.getByTestId("cabinet-setup");
  await expect(cabinet.getByRole("heading", { name: "Что настроить в личном кабинете IntellectMoney" })).toBeVisible();
  const ourResultUrl = `${e2eEnv().appUrl}/api/intellectmoney/result?shop=${shop.insalesId}`;
  await expect(cabinet.locator("#cabinet-result-url")).toHaveText(ourResultUrl);
  await expect(cabinet).toContainText("Result URL");
  await expect(cabinet).toContainText("необязательно");
  await expect(cabinet).toContainText("вкладке «Уведомления»");
  await expect(cabinet).toContainText("создание счёта, оплата, частичная оплата, холдирование, отмена, возврат");
  await expect(cabinet).toContainText("«Принимать только уникальный номер покупки»");
  await expect(cabinet).toContainText("включена по умолчанию");
  // Near the fields they concern: the block sits in «Магазин в IntellectMoney», between the key and «Тестовый режим».
  const section = page.getByRole("region", { name: "Магазин в IntellectMoney" });
  await expect(section.getByTestId("cabinet-setup")).toHaveCount(1);
  await expect(section.getByText("«Подключение магазина»; по умолчанию он не задан", { exact: false })).toBeVisible();
  await expect(section.getByText("требуют API-токена и ключа подписи", { exact: false })).toBeVisible();
  await expect(section.getByText("включена «Принимать только уникальный номер покупки»", { exact: false })).toBeVisible();

  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: e2eEnv().appUrl });
  await cabinet.getByRole("button", { name: "Копировать" }).click();
  await expect(cabinet.getByRole("status")).toHaveText("Скопировано");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(ourResultUrl);

  await expectAxeClean(page, "/settings (organization, the IntellectMoney account block)");

  // A wallet: what is known about the form's «Секретный ключ», honestly; no organization block.
  await page.getByLabel("Физическое лицо", { exact: true }).check();
  await expect(page.getByTestId("cabinet-setup")).toHaveCount(0);
  await expect(page.getByTestId("wallet-key-explained")).toContainText("Где его взять");
  await expect(page.getByTestId("wallet-key-explained")).toContainText("не сказано");
  await expectAxeClean(page, "/settings (individual)");
});

test("«Физическое лицо» asks for «ID формы» and the login e-mail; hold fields follow the hold mode", async ({ page }) => {
  await installAndLogin(page, "settingsind");
  await page.getByLabel("Режим холдирования", { exact: true }).selectOption({ label: "Не холдировать счёт" });
  await expect(page.getByLabel("Срок холдирования денежных средств (в часах)", { exact: true })).toHaveCount(0);
  // Without hold: at most 4319 hours, so 180 days is refused next to the field and 179 accepted.
  await page.getByLabel("Срок жизни счёта (в днях)", { exact: true }).fill("180");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Не больше 179 дней")).toBeVisible();
  await page.getByLabel("Срок жизни счёта (в днях)", { exact: true }).fill("179");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Не больше 179 дней")).toHaveCount(0);
  await expect(page.getByText("Укажите номер магазина")).toBeVisible();
  await page.getByLabel("Режим холдирования", { exact: true }).selectOption({ label: "Холдировать счёт" });
  await expect(page.getByLabel("Срок холдирования денежных средств (в часах)", { exact: true })).toBeVisible();

  await page.getByLabel("Физическое лицо", { exact: true }).check();
  await expect(page.getByLabel("Номер магазина", { exact: true })).toHaveCount(0);
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Укажите ID формы")).toBeVisible();
  await expect(page.getByText("Укажите номер личного кабинета (10 цифр) или e-mail для входа в личный кабинет")).toBeVisible();

  await page.getByLabel("ID формы", { exact: true }).fill("4242");
  // docs/protocols/intellectmoney.md §2: the 10-digit account number (what IntellectMoney's modules send) or the e-mail.
  const account = page.getByLabel("Номер личного кабинета или e-mail для входа", { exact: true });
  await account.fill("123456789");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.locator("#walletLogin-error")).toHaveText("Номер личного кабинета — ровно 10 цифр, а здесь 9");
  await account.fill("1234567890");
  // The wallet form's «Секретный ключ» is optional; the screen says what it is for and what happens without it.
  const explained = page.getByTestId("wallet-key-explained");
  await expect(explained).toContainText("Без ключа");
  await expect(explained).toContainText("Требует подтверждения");
  await page.getByLabel("Секретный ключ", { exact: true }).fill(E2E_SECRETS.walletSecretKey);
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Физическое лицо", { exact: true })).toBeChecked();
  await expect(page.getByLabel("ID формы", { exact: true })).toHaveValue("4242");
  await expect(page.getByLabel("Номер личного кабинета или e-mail для входа", { exact: true })).toHaveValue("1234567890");
  // Never sent back: an empty field, a mask of the last 4 characters, kept when saved empty.
  await expect(page.getByLabel("Секретный ключ", { exact: true })).toHaveValue("");
  await expect(page.getByText(`Сохранён: ••••••${E2E_SECRETS.walletSecretKey.slice(-4)}`)).toBeVisible();
  expect(await page.content()).not.toContain(E2E_SECRETS.walletSecretKey);
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByText("Настройки сохранены")).toBeVisible();
  await page.reload();
  await expect(page.getByText(`Сохранён: ••••••${E2E_SECRETS.walletSecretKey.slice(-4)}`)).toBeVisible();
});

test("the manual setup values are shown, and «Выйти» ends the session", async ({ page }) => {
  const shop = await installAndLogin(page, "settingsout");
  const section = page.getByRole("region", { name: "Способ оплаты в InSales" });
  await expect(section.getByText(/^https:\/\/.*\/payment\.php$/)).toBeVisible();
  await expect(section.getByText(shop.insalesId, { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Выйти" }).click();
  await expect(page).toHaveURL(/\/login-required$/);
  await page.goto(page.url().replace(/\/login-required$/, "/settings"));
  await expect(page).toHaveURL(/\/login-required$/);
});
