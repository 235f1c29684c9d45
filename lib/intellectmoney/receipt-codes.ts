// The code lists of the 54-ФЗ receipt (docs/protocols/intellectmoney.md §6), with the Russian labels the
// settings screen shows. Plain data with no imports: the settings form (browser) and the receipt builder
// (server) share it.

export type ReceiptCode = { code: number; label: string };

/** §6 `tax`. */
export const RECEIPT_TAX_CODES: ReadonlyArray<ReceiptCode> = [
  { code: 1, label: "НДС 20%" },
  { code: 2, label: "НДС 10%" },
  { code: 3, label: "НДС по расчётной ставке 20/120" },
  { code: 4, label: "НДС по расчётной ставке 10/110" },
  { code: 5, label: "НДС 0%" },
  { code: 6, label: "Без НДС" },
  { code: 7, label: "НДС 5%" },
  { code: 8, label: "НДС 7%" },
  { code: 9, label: "НДС по расчётной ставке 5/105" },
  { code: 10, label: "НДС по расчётной ставке 7/107" },
  { code: 11, label: "НДС 22%" },
  { code: 12, label: "НДС по расчётной ставке 22/122" },
];

/**
 * §6 `paymentSubjectType` for the goods lines: the spec lists 1 товар and 4 услуга (delivery is always 4).
 * Other 54-ФЗ values exist, but the spec does not confirm IntellectMoney takes them, so none are offered.
 */
export const RECEIPT_SUBJECT_TYPES: ReadonlyArray<ReceiptCode> = [
  { code: 1, label: "Товар" },
  { code: 4, label: "Услуга" },
];

/** §6 `paymentMethodType`: 4 полный расчёт (default), 1 предоплата 100%. */
export const RECEIPT_METHOD_TYPES: ReadonlyArray<ReceiptCode> = [
  { code: 4, label: "Полный расчёт" },
  { code: 1, label: "Предоплата 100%" },
];

export const DEFAULT_RECEIPT_SUBJECT_TYPE = 1;
export const DEFAULT_RECEIPT_METHOD_TYPE = 4;
/** Delivery is a service (§6: «4 услуга (delivery)»). */
export const DELIVERY_SUBJECT_TYPE = 4;

export function isReceiptCode(list: ReadonlyArray<ReceiptCode>, code: number): boolean {
  return list.some((c) => c.code === code);
}
