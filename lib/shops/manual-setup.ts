// The values a merchant pastes into «Внешний способ оплаты» when setting it up by hand
// (docs/PRODUCT.md flow 4, docs/protocols/insales.md §2 «Its settings»).
// The URL is always shown as https: InSales redirects http → https and a redirected POST can lose its body
// (docs/protocols/insales.md §4 pitfall 1); a plain-http service also makes browsers warn the buyer.

export type ManualSetupValues = {
  /** «URL внешнего сервиса». */
  url: string;
  /** False when APP_URL itself is not https: the screen warns. */
  serviceIsHttps: boolean;
  /** «Идентификатор магазина»: the shop's insales_id. */
  shopIdentifier: string;
};

export function manualSetupValues(appUrl: string, insalesId: string): ManualSetupValues {
  const base = appUrl.replace(/\/+$/, "");
  return {
    url: `${base.replace(/^http:\/\//i, "https://")}/payment.php`,
    serviceIsHttps: /^https:\/\//i.test(base),
    shopIdentifier: insalesId,
  };
}
