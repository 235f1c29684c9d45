// Money is never a float: decimal strings in and out, integer minor units (kopecks, cents; bigint) inside.
// The names say «kopecks» because roubles came first; USD and EUR invoices (docs/protocols/intellectmoney.md
// §1 «Currency») keep the same two decimals.

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "1200", "1200.5", "1200.50" → 120050n; anything else (signs, exponents, commas, 3+ decimals) → null. */
export function parseKopecks(raw: string): bigint | null {
  const m = DECIMAL.exec(raw.trim() === raw ? raw : "");
  if (!m) return null;
  const fraction = (m[2] ?? "").padEnd(2, "0");
  return BigInt(m[1]) * 100n + BigInt(fraction);
}

/** 150000n → "1500.00" — the form IntellectMoney wants for recipientAmount. */
export function formatKopecks(kopecks: bigint): string {
  const sign = kopecks < 0n ? "-" : "";
  const abs = kopecks < 0n ? -kopecks : kopecks;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** The sign shown after an amount in the payment's currency; an unknown code is shown as it is. */
const CURRENCY_SIGNS: Record<string, string> = { RUB: "₽", RUR: "₽", USD: "$", EUR: "€", TST: "TST" };

/** For people, in the Russian way whatever the currency: "1 500,00 ₽", "1 500,00 $", "1 500,00 €", "990,00 TST". */
export function formatRubles(kopecks: bigint, currency = "RUB"): string {
  const [int, frac] = formatKopecks(kopecks).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return `${grouped},${frac}\u00a0${CURRENCY_SIGNS[currency] ?? currency}`;
}

/** The sign of a currency code as formatRubles shows it. */
export function currencySign(currency: string): string {
  return CURRENCY_SIGNS[currency] ?? currency;
}

/** The same name for what it is: an amount in any of our currencies. */
export const formatMoney = formatRubles;
