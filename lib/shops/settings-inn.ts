// «ИНН» of the receipt settings (docs/protocols/intellectmoney.md §6 `inn`): 10 digits for an organization,
// 12 for an individual entrepreneur, each with its check digits. The rule (the FNS algorithm, as published
// e.g. in ru.wikipedia «Идентификационный номер налогоплательщика», «Вычисление контрольных цифр»):
//   10 digits: n10 = (Σ wᵢ·nᵢ, w = 2 4 10 3 5 9 4 6 8) mod 11 mod 10;
//   12 digits: n11 = (w = 7 2 4 10 3 5 9 4 6 8 over n1..n10) mod 11 mod 10,
//              n12 = (w = 3 7 2 4 10 3 5 9 4 6 8 over n1..n11) mod 11 mod 10.
// A typo in the INN makes the fiscal data operator reject the receipt after the buyer has paid, so the
// settings screen catches it before.

const W10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function checkDigit(digits: readonly number[], weights: readonly number[]): number {
  return (weights.reduce((sum, w, i) => sum + w * digits[i], 0) % 11) % 10;
}

export type InnProblem = "shape" | "checksum";

/** null when the INN is valid; otherwise what is wrong with it. */
export function innProblem(inn: string): InnProblem | null {
  if (!/^(\d{10}|\d{12})$/.test(inn)) return "shape";
  const d = Array.from(inn, Number);
  if (d.length === 10) return checkDigit(d, W10) === d[9] ? null : "checksum";
  return checkDigit(d, W11) === d[10] && checkDigit(d, W12) === d[11] ? null : "checksum";
}
