// Every URL of ours that we hand to InSales or IntellectMoney, built from APP_URL in one place.
import { env } from "./env";

/** The «URL внешнего сервиса» of the InSales payment method (keeps the original bridge's path). */
export function checkoutUrl(): string {
  return `${env().APP_URL}/payment.php`;
}

/** IntellectMoney's resultUrl: carries the shop's routing id (docs/protocols/intellectmoney.md §1). */
export function resultUrl(insalesId: string): string {
  return `${env().APP_URL}/api/intellectmoney/result?shop=${encodeURIComponent(insalesId)}`;
}

/** Where IntellectMoney sends the buyer back; ours and per invoice (docs/PRODUCT.md flow 8). */
export function buyerReturnUrl(paymentId: string, outcome: "success" | "fail"): string {
  return `${env().APP_URL}/api/intellectmoney/return/${paymentId}/${outcome}`;
}

/** The merchant's journal page of one payment (used in shop e-mails). */
export function journalPaymentUrl(paymentId: string): string {
  return `${env().APP_URL}/payments/${paymentId}`;
}

/**
 * «Войти» with a deep link (the order-card widget's «Открыть платёж», «Отправить ссылку на оплату»): the
 * login round trip through the shop's back office, then the screen at `returnTo` (lib/http/return-path.ts).
 */
export function merchantLoginUrl(shop: { host: string; insalesId: string }, returnTo: string): string {
  const q = new URLSearchParams({ shop: shop.host, insales_id: shop.insalesId, return_to: returnTo });
  return `${env().APP_URL}/api/insales/login?${q}`;
}

/** A payment link the buyer opens (lib/payment-links/link-token.ts makes the token). */
export function paymentLinkUrl(token: string): string {
  return `${env().APP_URL}/pay/${token}`;
}
