// Request bodies for the load scenarios, generated up front so the load generator spends no CPU on MD5
// while measuring. Signatures come from the protocol modules (the same formulas the vendors publish,
// tested against docs/protocols/test-vectors.md), never from the code under test.
import { checkoutSignature, type CheckoutFields } from "../lib/insales/signatures";
import { resultNotificationHash } from "../lib/intellectmoney/signatures";
import { POOL_AMOUNT_RAW, type BenchShop } from "./seed";

export type BenchRequest = { path: string; body: string };

/** A valid checkout POST (§2 «Checkout request») with a distinct transaction id: `${tag}${k}`. */
export function checkoutBody(shop: BenchShop, tag: string, k: number): BenchRequest {
  const amount = `${1000 + (k % 9000)}.00`;
  const fields: CheckoutFields = {
    shop_id: shop.insalesId,
    amount,
    transaction_id: `${tag}${k}`,
    key: `${(k * 2654435761) >>> 0}`.padStart(32, "0"),
    description: `Заказ №${30000 + k} на сайте bench-${shop.index}.myinsales.ru`,
    order_id: String(8_000_000 + k),
    phone: "79991234567",
    email: `buyer${k}@example.com`,
    original_currency: "",
    convert_currency: "",
    original_amount: "",
    conversion_rate: "",
    // As the payment methods the app connects send it (send_order): the order's currency comes with the
    // checkout, so the app reads nothing from InSales (lib/checkout/checkout-currency.ts).
    order_json: JSON.stringify({ id: 8_000_000 + k, number: 30000 + k, total_price: amount, currency_code: "RUR" }),
  };
  const signature = checkoutSignature(fields, shop.gatewayPassword);
  const form = new URLSearchParams({ ...fields, signature });
  for (const name of ["original_currency", "convert_currency", "original_amount", "conversion_rate"]) form.delete(name);
  return { path: `/payment.php?shop=${shop.insalesId}`, body: form.toString() };
}

/** A valid status-5 notification (§3) for pooled payment k (see seed.ts seedResultPool). */
export function resultBody(shops: BenchShop[], prefix: string, k: number): BenchRequest {
  const shop = shops[k % shops.length];
  const f = {
    eshopId: shop.eshopId,
    orderId: `${prefix}${k}`,
    serviceName: `Заказ №${20000 + k} на сайте bench.myinsales.ru`,
    eshopAccount: "1234567890",
    recipientAmount: POOL_AMOUNT_RAW,
    recipientCurrency: "RUB",
    paymentStatus: "5",
    userName: "Покупатель",
    userEmail: `buyer${k}@example.com`,
    paymentData: "2026-11-28 12:00:00",
  };
  const hash = resultNotificationHash(f, shop.secretKey);
  const form = new URLSearchParams({
    ...f,
    paymentId: String(3_100_000_000 + k),
    recipientOriginalAmount: POOL_AMOUNT_RAW,
    secretKey: "",
    hash,
  });
  return { path: `/api/intellectmoney/result?shop=${shop.insalesId}`, body: form.toString() };
}

export function generate(count: number, make: (k: number) => BenchRequest): BenchRequest[] {
  const out: BenchRequest[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = make(k);
  return out;
}
