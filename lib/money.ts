// Money is never a float (../shared/spec/product.md «Non-negotiables»): decimal strings in and out,
// integer kopecks (bigint) inside.

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

/** For people: "1 500,00 ₽". */
export function formatRubles(kopecks: bigint, currency = "RUB"): string {
  const [int, frac] = formatKopecks(kopecks).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  return `${grouped},${frac}\u00a0${currency === "TST" ? "TST" : "₽"}`;
}
