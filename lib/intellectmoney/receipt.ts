// The 54-ФЗ fiscal receipt sent as `merchantReceipt` (docs/protocols/intellectmoney.md §6), built from the
// InSales order and the amount actually charged. The positions must add up to the charged amount to the
// kopeck, so all arithmetic is in integer kopecks (bigint) and prices become JSON numbers only at the end,
// from formatKopecks (never by adding floats).
//
// InSales order shape we rely on (GET /admin/orders/<id>.json and the checkout's `order_json`; assumption
// from InSales's API clients, docs/protocols/insales.md §3): `order_lines[]` with `title`, `quantity`,
// `full_total_price` (line total after discounts), `full_sale_price` (unit price after discounts) and
// `sale_price` (unit price); `full_delivery_price` (delivery after its discounts, else `delivery_price`).
// Values arrive as JSON numbers or decimal strings. Order-level discounts, bonus points, rounding and any
// gap between the order and the charged amount are absorbed by spreading the difference over the goods
// lines in proportion to their totals (largest remainder), so we need not model each kind of discount.
import { z } from "zod";
import { formatKopecks } from "../money";
import { DEFAULT_RECEIPT_METHOD_TYPE, DEFAULT_RECEIPT_SUBJECT_TYPE, DELIVERY_SUBJECT_TYPE } from "./receipt-codes";

export type ReceiptPosition = {
  quantity: number;
  price: number;
  tax: number;
  text: string;
  paymentSubjectType: number;
  paymentMethodType: number;
};

export type Receipt = {
  inn: string;
  /**
   * Cash register group; `null` = the account's default group. IntellectMoney's own library sends `null`
   * for an empty group (docs/protocols/intellectmoney.md §6), never a made-up name.
   */
  group: string | null;
  content: {
    type: 1 | 2;
    customerContact: string;
    positions: ReceiptPosition[];
  };
};

export type ReceiptSettings = {
  inn: string;
  /** «Группа касс»; empty or absent = none (the account's default group, §6). */
  group?: string | null;
  /** §6 `tax` code for goods and for delivery (1 НДС 20% … 6 без НДС …). */
  vatGoods: number;
  vatDelivery: number;
  /** §6 `paymentSubjectType` for goods; default 1 товар. Delivery is always 4 услуга. */
  subjectType?: number | null;
  /** §6 `paymentMethodType`; default 4 полный расчёт. */
  methodType?: number | null;
};

export type ReceiptInput = {
  /** The InSales order: the parsed `order_json` or the API answer. */
  order: unknown;
  /** What the buyer is charged (the invoice's recipientAmount), in kopecks. */
  amountKopecks: bigint;
  /** Buyer e-mail or phone (54-ФЗ requires one for an online receipt). */
  customerContact: string;
  settings: ReceiptSettings;
  /** Position name when the order has no priced lines (e.g. the InSales description). */
  fallbackText?: string;
};

export type ReceiptResult =
  | { ok: true; receipt: Receipt }
  | { ok: false; reason: "invalid_order" | "no_customer_contact" | "no_inn" | "invalid_amount" };

const DEFAULT_SUBJECT_TYPE = DEFAULT_RECEIPT_SUBJECT_TYPE;
const DEFAULT_METHOD_TYPE = DEFAULT_RECEIPT_METHOD_TYPE;
/** 54-ФЗ: the item name (tag 1030) holds at most 128 characters. */
const MAX_TEXT = 128;

const decimalValue = z.union([z.string(), z.number()]).nullish();

const orderSchema = z
  .object({
    order_lines: z
      .array(
        z
          .object({
            title: z.string().nullish(),
            quantity: z.union([z.string(), z.number()]),
            full_total_price: decimalValue,
            full_sale_price: decimalValue,
            sale_price: decimalValue,
          })
          .loose(),
      )
      .default([]),
    full_delivery_price: decimalValue,
    delivery_price: decimalValue,
  })
  .loose();

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,9}))?$/;

/**
 * A non-negative decimal with any number of places → its value × 10^scale, rounded half up, as bigint.
 * JSON numbers go through String(), which prints the shortest exact decimal for the double, e.g. 10.1.
 */
function scaled(value: string | number, scale: number): bigint | null {
  const raw = typeof value === "number" ? (Number.isFinite(value) && value >= 0 ? String(value) : "") : value.trim();
  const m = DECIMAL.exec(raw);
  if (!m) return null;
  const frac = m[2] ?? "";
  const kept = frac.slice(0, scale).padEnd(scale, "0");
  const roundUp = frac.length > scale && frac[scale] >= "5" ? 1n : 0n;
  return BigInt(m[1]) * 10n ** BigInt(scale) + BigInt(kept || "0") + roundUp;
}

const toKopecks = (v: string | number) => scaled(v, 2);

/** Divide rounding half up (both non-negative). */
function divRound(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/** Share `total` among `weights` in proportion, in whole units, exactly (largest remainder, ties → earlier). */
export function allocateProportionally(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) throw new RangeError("allocateProportionally: weights sum to zero");
  const shares = weights.map((w) => (w * total) / sum);
  let left = total - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (w * total) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i] += 1n;
    left -= 1n;
  }
  return shares;
}

function truncateText(text: string, fallback: string): string {
  const chars = Array.from(text.replace(/\s+/g, " ").trim());
  if (chars.length === 0) return fallback;
  return chars.slice(0, MAX_TEXT).join("");
}

const priceNumber = (kopecks: bigint) => Number(formatKopecks(kopecks));

type PositionCommon = Pick<ReceiptPosition, "tax" | "paymentSubjectType" | "paymentMethodType">;

/** One position, keys in the order of §6 (the JSON is easier to compare with the vendor's example). */
function position(quantity: bigint, priceKopecks: bigint, text: string, c: PositionCommon): ReceiptPosition {
  return {
    quantity: Number(quantity),
    price: priceNumber(priceKopecks),
    tax: c.tax,
    text,
    paymentSubjectType: c.paymentSubjectType,
    paymentMethodType: c.paymentMethodType,
  };
}

type Line = { text: string; quantityMilli: bigint; totalKopecks: bigint };

function parseLines(order: z.infer<typeof orderSchema>): Line[] | null {
  const lines: Line[] = [];
  for (const l of order.order_lines) {
    const quantityMilli = scaled(l.quantity, 3);
    if (quantityMilli === null || quantityMilli === 0n) return null;
    let total: bigint | null;
    if (l.full_total_price != null && l.full_total_price !== "") {
      total = toKopecks(l.full_total_price);
    } else {
      const unitRaw = l.full_sale_price != null && l.full_sale_price !== "" ? l.full_sale_price : l.sale_price;
      const unit = unitRaw == null || unitRaw === "" ? null : toKopecks(unitRaw);
      total = unit === null ? null : divRound(unit * quantityMilli, 1000n);
    }
    if (total === null) return null;
    lines.push({ text: truncateText(l.title ?? "", "Товар"), quantityMilli, totalKopecks: total });
  }
  return lines;
}

/**
 * Positions for one line whose total is fixed: `quantity × price` must equal it exactly. With an integer
 * quantity q and total t: q − (t mod q) units at ⌊t/q⌋ and (t mod q) units at ⌊t/q⌋ + 0.01. A fractional
 * quantity (goods sold by weight) cannot be made exact in general, so it becomes one position of quantity
 * 1 priced at the line total [decision]. Zero-priced parts are left out (nothing is charged for them).
 */
function splitLine(line: Line, common: PositionCommon): ReceiptPosition[] {
  const t = line.totalKopecks;
  if (t === 0n) return [];
  if (line.quantityMilli % 1000n !== 0n) return [position(1n, t, line.text, common)];
  const q = line.quantityMilli / 1000n;
  const unit = t / q;
  const extra = t % q;
  const out: ReceiptPosition[] = [];
  if (q - extra > 0n && unit > 0n) out.push(position(q - extra, unit, line.text, common));
  if (extra > 0n) out.push(position(extra, unit + 1n, line.text, common));
  return out;
}

export function buildReceipt(input: ReceiptInput): ReceiptResult {
  const { settings } = input;
  if (!settings.inn.trim()) return { ok: false, reason: "no_inn" };
  const customerContact = input.customerContact.trim();
  if (!customerContact) return { ok: false, reason: "no_customer_contact" };
  if (input.amountKopecks <= 0n) return { ok: false, reason: "invalid_amount" };

  const parsed = orderSchema.safeParse(input.order);
  if (!parsed.success) return { ok: false, reason: "invalid_order" };
  const lines = parseLines(parsed.data);
  if (lines === null) return { ok: false, reason: "invalid_order" };
  const deliveryRaw = parsed.data.full_delivery_price ?? parsed.data.delivery_price;
  const deliveryBase = deliveryRaw == null || deliveryRaw === "" ? 0n : toKopecks(deliveryRaw);
  if (deliveryBase === null) return { ok: false, reason: "invalid_order" };

  const amount = input.amountKopecks;
  const goodsBase = lines.reduce((a, l) => a + l.totalKopecks, 0n);
  // Delivery keeps its own price (capped by what is charged); the goods absorb every other difference.
  const delivery = deliveryBase < amount ? deliveryBase : amount;
  const goodsTarget = amount - delivery;

  const goodsCommon: PositionCommon = {
    tax: settings.vatGoods,
    paymentSubjectType: settings.subjectType ?? DEFAULT_SUBJECT_TYPE,
    paymentMethodType: settings.methodType ?? DEFAULT_METHOD_TYPE,
  };
  const positions: ReceiptPosition[] = [];
  if (goodsTarget > 0n) {
    if (goodsBase === 0n) {
      const text = truncateText(input.fallbackText ?? "", "Оплата заказа");
      positions.push(position(1n, goodsTarget, text, goodsCommon));
    } else {
      const totals = allocateProportionally(
        goodsTarget,
        lines.map((l) => l.totalKopecks),
      );
      lines.forEach((line, i) => positions.push(...splitLine({ ...line, totalKopecks: totals[i] }, goodsCommon)));
    }
  }
  if (delivery > 0n) {
    positions.push(
      position(1n, delivery, "Доставка", {
        tax: settings.vatDelivery,
        paymentSubjectType: DELIVERY_SUBJECT_TYPE,
        paymentMethodType: settings.methodType ?? DEFAULT_METHOD_TYPE,
      }),
    );
  }

  return {
    ok: true,
    receipt: {
      inn: settings.inn.trim(),
      group: settings.group?.trim() || null,
      content: { type: 1, customerContact, positions },
    },
  };
}

/**
 * The refund receipt («возврат прихода», §6 `type` 2) for `refundKopecks` of a sale whose receipt was
 * `sale` (rebuild it with buildReceipt from the same InSales order and the invoice amount; we do not store
 * receipts). A full refund repeats the sale's positions. A partial one cannot know which goods came back,
 * so [decision] it spreads the refund over the sale's positions in proportion to their sums (largest
 * remainder, exact to the kopeck), which keeps each VAT rate's share — goods and delivery — right.
 *
 * [decision] Not sent today: §4 lists no receipt field for `purchaseToRefund` (§6 says "where the API
 * takes one"), and IntellectMoney's cash register is expected to make the refund receipt from the sale's.
 * This is here so the Merchant API client can add it the day a test against the real service shows the
 * field (docs/RECEIPTS.md).
 */
export function buildRefundReceipt(sale: Receipt, refundKopecks: bigint): ReceiptResult {
  const totals: bigint[] = [];
  for (const p of sale.content.positions) {
    const price = scaled(p.price, 2);
    if (price === null || !Number.isInteger(p.quantity) || p.quantity <= 0) return { ok: false, reason: "invalid_order" };
    totals.push(price * BigInt(p.quantity));
  }
  const saleTotal = totals.reduce((a, b) => a + b, 0n);
  if (refundKopecks <= 0n || refundKopecks > saleTotal) return { ok: false, reason: "invalid_amount" };
  const shares = refundKopecks === saleTotal ? totals : allocateProportionally(refundKopecks, totals);
  const positions = sale.content.positions.flatMap((p, i) =>
    splitLine({ text: p.text, quantityMilli: BigInt(p.quantity) * 1000n, totalKopecks: shares[i] }, p),
  );
  return { ok: true, receipt: { inn: sale.inn, group: sale.group, content: { ...sale.content, type: 2, positions } } };
}

/** The `merchantReceipt` string; escaped for HTML once, by the page renderer, never here. */
export function receiptJson(receipt: Receipt): string {
  return JSON.stringify(receipt);
}
