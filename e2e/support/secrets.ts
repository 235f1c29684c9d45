// Secret values the specs type into the app. The audit project (e2e/audit) proves none of them ever
// appears in clear in the server log, the database or a page sent to the browser.
export const E2E_SECRETS = {
  /** «Секретный ключ» of IntellectMoney shops used by the specs. */
  secretKey: "e2e-im-secret-key-Zq81",
  otherSecretKey: "e2e-im-secret-key-Yw42",
  apiToken: "e2e-im-api-token-Lp07",
  signSecret: "e2e-im-sign-secret-Rt55",
  /** «Секретный ключ» of the personal-wallet payment forms used by the specs. */
  walletSecretKey: "e2e-im-wallet-key-Hn36",
} as const;
