// Does an UNSIGNED checkout ask for the order's full price? (issue 12 item 3; docs/protocols/insales.md §2
// «Checkout request»). Only the API fallback asks this: with a valid signature InSales itself vouches for
// `amount`. Without one every field of the POST is the buyer's choice, and the only trusted numbers are the
// order's `total_price` and `currency_code` from GET /admin/orders/<id>.json. The invoice is then in the
// order's own currency (checkout-currency.ts): RUB, USD or EUR, or refused there.
//
// The rule:
// 1. Without all four conversion fields: `amount` = `total_price` in kopecks (minor units), and the order is
//    in the currency we invoice (InSales may say RUR for RUB, §4 pitfall 7). Stray conversion fields count
//    for nothing: `amount=1.00` with `original_amount=10000.00` and nothing else is this case.
// 2. With all four, they must be consistent: `original_currency` is the order's `currency_code`,
//    `original_amount` = `total_price` (API sums are in the site's currency, never converted),
//    `convert_currency` is the currency we invoice, and `amount` is `original_amount` × `conversion_rate`
//    rounded to kopecks either way — the floor or the ceiling of the exact product. That is the whole
//    tolerance: InSales rounds one product to kopecks and we do not know whether it rounds half-up,
//    half-even or truncates, but each of those lands on the floor or the ceiling; anything further off is
//    not rounding. (Converting line by line would drift further; InSales documents one converted «стоимость
//    заказа», and a refusal only sends the buyer back while the merchant sees why.) The vendor does not
//    state the rate's direction (docs/protocols/insales.md §2 «Currency conversion»): read here as «units
//    of convert_currency per unit of original_currency»; step 3 leaves it deciding only which reason a
//    refusal gives.
// 3. Even consistent, the rate is the sender's choice as much as `amount` is: with `conversion_rate=0.0001`
//    a 10 000.00 order is «consistently» worth 1.00. Nothing InSales answers states the rate, so without a
//    signature a conversion between two different currencies is refused, and one within a currency must
//    have the rate 1. (This is the step to change should a trusted source of rates appear.)
import { parseKopecks } from "../money";

export type FallbackAmountInput = {
  /** The raw strings of the POST (none of them signed). */
  request: { amount: string; original_amount: string; original_currency: string; convert_currency: string; conversion_rate: string };
  /** From the InSales API answer. */
  order: { totalPrice: string; currencyCode: string | null };
  /**
   * The currency of our invoice's money: the API order's own (checkout-verify.ts), since without a signature
   * no conversion into another currency is admitted (step 3). TST in test mode stands for that money too.
   */
  invoiceCurrency: string;
};

export type FallbackAmountMismatch =
  | "amount_differs"
  | "order_currency"
  | "conversion_currency"
  | "conversion_amount"
  | "conversion_rate_unverifiable";

export type FallbackAmountVerdict = { ok: true } | { ok: false; why: FallbackAmountMismatch };

/** ISO code as compared: upper case, the legacy RUR as RUB. */
export function sameCurrency(a: string | null, b: string | null): boolean {
  const norm = (c: string | null) => {
    const v = (c ?? "").trim().toUpperCase();
    return v === "RUR" ? "RUB" : v;
  };
  return norm(a) !== "" && norm(a) === norm(b);
}

/** InSales renders decimals the Rails way ("1200.0"); compared in kopecks, never as floats. */
function kopecks(raw: string): bigint | null {
  return parseKopecks(raw.trim());
}

/** A positive decimal rate as an exact fraction (numerator / 10^scale); null when it is not one. */
function parseRate(raw: string): { numerator: bigint; scale: bigint } | null {
  const m = /^(\d{1,9})(?:\.(\d{1,12}))?$/.exec(raw.trim());
  if (!m) return null;
  const fraction = m[2] ?? "";
  const numerator = BigInt(m[1] + fraction);
  return numerator > 0n ? { numerator, scale: 10n ** BigInt(fraction.length) } : null;
}

/** Is `amount` the exact product `original × rate` rounded to kopecks one way or the other? */
function isRoundedProduct(amount: bigint, original: bigint, rate: { numerator: bigint; scale: bigint }): boolean {
  const exact = original * rate.numerator; // in kopecks × scale
  const floor = exact / rate.scale;
  const ceiling = exact % rate.scale === 0n ? floor : floor + 1n;
  return amount === floor || amount === ceiling;
}

export function fallbackAmountMatches(input: FallbackAmountInput): FallbackAmountVerdict {
  const r = input.request;
  const total = kopecks(input.order.totalPrice);
  const amount = kopecks(r.amount);
  if (total === null || amount === null) return { ok: false, why: "amount_differs" };

  const conversion = [r.original_currency, r.convert_currency, r.original_amount, r.conversion_rate];
  if (conversion.some((v) => v.trim() === "")) {
    if (!sameCurrency(input.order.currencyCode, input.invoiceCurrency)) return { ok: false, why: "order_currency" };
    return amount === total ? { ok: true } : { ok: false, why: "amount_differs" };
  }

  if (!sameCurrency(r.original_currency, input.order.currencyCode) || !sameCurrency(r.convert_currency, input.invoiceCurrency)) {
    return { ok: false, why: "conversion_currency" };
  }
  const original = kopecks(r.original_amount);
  const rate = parseRate(r.conversion_rate);
  if (original === null || rate === null || original !== total || !isRoundedProduct(amount, original, rate)) {
    return { ok: false, why: "conversion_amount" };
  }
  if (!sameCurrency(r.original_currency, r.convert_currency)) return { ok: false, why: "conversion_rate_unverifiable" };
  return rate.numerator === rate.scale ? { ok: true } : { ok: false, why: "conversion_rate_unverifiable" };
}

/** What the merchant reads in the problem (Russian; the numbers are the buyer's POST and the order). */
export const FALLBACK_AMOUNT_TEXT: Record<FallbackAmountMismatch, string> = {
  amount_differs: "сумма к оплате не равна сумме заказа в InSales",
  order_currency: "валюта заказа в InSales не указана или не совпадает с валютой счёта",
  conversion_currency: "валюты пересчёта не совпадают с валютой заказа и валютой счёта",
  conversion_amount: "сумма к оплате не равна сумме заказа, пересчитанной по переданному курсу",
  conversion_rate_unverifiable: "курс пересчёта валюты без подписи проверить нечем",
};
