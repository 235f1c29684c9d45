// What `npm run sandbox` sets up for a newcomer: the demo InSales shop and a demo IntellectMoney account
// that the IntellectMoney stand-in knows from the start. A merchant copies the shop number and keys from
// their IntellectMoney account into «Настройки»; in the sandbox the account is this one, printed on start.
// The stand-in stays as strict as IntellectMoney: a number or key other than these is refused
// («Магазин … не найден», «Неверная контрольная подпись»), which is what a real mistyped key would meet.
import type { IntellectMoneyStandIn } from "../e2e/stand-ins/intellectmoney-stand-in";

export const DEMO_SHOP = { host: "demo-shop.myinsales.ru", insalesId: "100001", title: "Демо-магазин" };

/** Fixed, so the values typed once stay right after every restart (the database keeps them). */
export const DEMO_INTELLECTMONEY = {
  /** «Юридическое лицо»: «Номер магазина» (eshopId) and «Секретный ключ». */
  eshopId: "460001",
  secretKey: "sandbox-secret-key",
  /** Optional, for «Списать», «Отменить холдирование», «Вернуть» (the Merchant API). */
  apiToken: "sandbox-api-token",
  signSecretKey: "sandbox-sign-key",
  /** «Физическое лицо»: «ID формы», «Номер личного кабинета» (10 digits) and the form's «Секретный ключ». */
  walletFormId: "460002",
  walletAccount: "1000460001",
  walletSecretKey: "sandbox-wallet-key",
} as const;

export function registerDemoAccount(intellectmoney: IntellectMoneyStandIn): void {
  const d = DEMO_INTELLECTMONEY;
  intellectmoney.registerShop(d.eshopId, d.secretKey, { apiToken: d.apiToken, signSecretKey: d.signSecretKey });
  intellectmoney.registerWalletForm(d.walletFormId, d.walletSecretKey);
}

/** The console lines that tell the newcomer what to type (README «Try it: the sandbox» quotes them). */
export function describeDemoAccount(): string {
  const d = DEMO_INTELLECTMONEY;
  return [
    "  Demo IntellectMoney account (type into «Настройки»):",
    `    Юридическое лицо: «Номер магазина» ${d.eshopId}, «Секретный ключ» ${d.secretKey}`,
    `      optional, for «Списать» / «Вернуть»: «API-токен» ${d.apiToken}, «Ключ подписи (signSecretKey)» ${d.signSecretKey}`,
    `    Физическое лицо:  «ID формы» ${d.walletFormId}, «Номер личного кабинета» ${d.walletAccount}, «Секретный ключ» ${d.walletSecretKey}`,
  ].join("\n");
}
