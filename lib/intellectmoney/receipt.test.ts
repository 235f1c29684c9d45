import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatKopecks, parseKopecks } from "../money";
import { allocateProportionally, buildReceipt, buildRefundReceipt, receiptJson, type Receipt, type ReceiptInput } from "./receipt";

const settings = { inn: "7700000000", vatGoods: 1, vatDelivery: 6 };

function build(order: unknown, amountKopecks: bigint, over: Partial<ReceiptInput> = {}) {
  return buildReceipt({ order, amountKopecks, customerContact: "buyer@example.com", settings, ...over });
}

function receiptOf(order: unknown, amountKopecks: bigint): Receipt {
  const r = build(order, amountKopecks);
  if (!r.ok) throw new Error(`expected a receipt, got ${r.reason}`);
  return r.receipt;
}

/** Σ quantity × price in kopecks, from the JSON the form carries (integer quantities only). */
function totalKopecks(receipt: Receipt): bigint {
  const parsed = JSON.parse(receiptJson(receipt)) as Receipt;
  return parsed.content.positions.reduce((sum, p) => {
    expect(String(p.price)).toMatch(/^\d+(\.\d{1,2})?$/);
    const price = parseKopecks(p.price.toFixed(2));
    if (price === null) throw new Error(`price ${p.price} is not a 2-decimal number`);
    expect(Number.isInteger(p.quantity)).toBe(true);
    return sum + price * BigInt(p.quantity);
  }, 0n);
}

describe("buildReceipt (§6)", () => {
  it("lists each line and the delivery as its own service position", () => {
    const order = {
      order_lines: [
        { title: "Чай зелёный", quantity: 2, sale_price: "150.0", full_sale_price: "150.0", full_total_price: "300.0" },
        { title: "Кружка", quantity: 1, sale_price: 99.9, full_sale_price: 99.9, full_total_price: 99.9 },
      ],
      full_delivery_price: "300.0",
    };
    const receipt = receiptOf(order, 69990n);
    expect(receipt).toEqual({
      inn: "7700000000",
      // No «Группа касс» set: null, the account's default group (docs/protocols/intellectmoney.md §6).
      group: null,
      content: {
        type: 1,
        customerContact: "buyer@example.com",
        positions: [
          { quantity: 2, price: 150, tax: 1, text: "Чай зелёный", paymentSubjectType: 1, paymentMethodType: 4 },
          { quantity: 1, price: 99.9, tax: 1, text: "Кружка", paymentSubjectType: 1, paymentMethodType: 4 },
          { quantity: 1, price: 300, tax: 6, text: "Доставка", paymentSubjectType: 4, paymentMethodType: 4 },
        ],
      },
    });
    expect(receiptJson(receipt)).toBe(
      '{"inn":"7700000000","group":null,"content":{"type":1,"customerContact":"buyer@example.com","positions":[' +
        '{"quantity":2,"price":150,"tax":1,"text":"Чай зелёный","paymentSubjectType":1,"paymentMethodType":4},' +
        '{"quantity":1,"price":99.9,"tax":1,"text":"Кружка","paymentSubjectType":1,"paymentMethodType":4},' +
        '{"quantity":1,"price":300,"tax":6,"text":"Доставка","paymentSubjectType":4,"paymentMethodType":4}]}}',
    );
  });

  it("spreads an order-level discount over the goods in kopecks and splits a line whose unit price cannot be exact", () => {
    // 3 × 100.00 + 1 × 50.00 = 350.00; charged 340.00 (a 10.00 coupon), no delivery.
    const order = { order_lines: [{ title: "A", quantity: 3, full_sale_price: 100 }, { title: "B", quantity: 1, full_sale_price: 50 }] };
    const receipt = receiptOf(order, 34000n);
    expect(receipt.content.positions.map((p) => [p.text, p.quantity, p.price])).toEqual([
      // A gets 300 × 340/350 = 291.43 (largest remainder), which is 2 × 97.14 + 1 × 97.15.
      ["A", 2, 97.14],
      ["A", 1, 97.15],
      ["B", 1, 48.57],
    ]);
    expect(totalKopecks(receipt)).toBe(34000n);
  });

  it("keeps the delivery price and lets the goods absorb the difference", () => {
    const order = { order_lines: [{ title: "A", quantity: 1, full_total_price: "1000.00" }], full_delivery_price: "250.00" };
    const receipt = receiptOf(order, 115000n); // 100.00 discount
    expect(receipt.content.positions.map((p) => [p.text, p.price])).toEqual([
      ["A", 900],
      ["Доставка", 250],
    ]);
  });

  it("leaves out free delivery and free lines", () => {
    const order = {
      order_lines: [
        { title: "Подарок", quantity: 1, full_sale_price: "0" },
        { title: "A", quantity: 1, full_sale_price: "10.10" },
      ],
      full_delivery_price: 0,
    };
    const receipt = receiptOf(order, 1010n);
    expect(receipt.content.positions.map((p) => [p.text, p.price, p.paymentSubjectType])).toEqual([["A", 10.1, 1]]);
  });

  it("uses a single position when the order has no priced lines", () => {
    const receipt = receiptOf({ order_lines: [] }, 150000n);
    expect(receipt.content.positions).toEqual([{ quantity: 1, price: 1500, tax: 1, text: "Оплата заказа", paymentSubjectType: 1, paymentMethodType: 4 }]);
    const named = build({ order_lines: [] }, 150000n, { fallbackText: "Заказ №9999" });
    expect(named.ok && named.receipt.content.positions[0].text).toBe("Заказ №9999");
  });

  it("caps delivery at the amount charged", () => {
    const receipt = receiptOf({ order_lines: [{ title: "A", quantity: 1, full_sale_price: 5 }], full_delivery_price: 500 }, 20000n);
    expect(receipt.content.positions.map((p) => [p.text, p.price])).toEqual([["Доставка", 200]]);
  });

  it("prices a fractional quantity (goods by weight) as one position of the line total", () => {
    const receipt = receiptOf({ order_lines: [{ title: "Сыр", quantity: "0.35", sale_price: "999.99" }] }, 35000n);
    expect(receipt.content.positions.map((p) => [p.quantity, p.price])).toEqual([[1, 350]]);
  });

  it("rounds prices given with more than two decimals to kopecks before spreading", () => {
    const order = { order_lines: [{ title: "A", quantity: 3, full_sale_price: "33.335" }] }; // 3 × 33.34 = 100.02
    const receipt = receiptOf(order, 10000n);
    expect(receipt.content.positions.map((p) => [p.quantity, p.price])).toEqual([
      [2, 33.33],
      [1, 33.34],
    ]);
  });

  it("applies the shop's settings (group, subject and method types, VAT) and truncates long names", () => {
    const r = build({ order_lines: [{ title: "Я".repeat(200), quantity: 1, full_sale_price: 1 }] }, 100n, {
      settings: { inn: " 7700000000 ", group: "Web", vatGoods: 5, vatDelivery: 5, subjectType: 1, methodType: 1 },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.receipt.inn).toBe("7700000000");
    expect(r.receipt.group).toBe("Web");
    expect(r.receipt.content.positions[0]).toMatchObject({ tax: 5, paymentMethodType: 1, paymentSubjectType: 1 });
    expect(Array.from(r.receipt.content.positions[0].text)).toHaveLength(128);
  });

  it("refuses what cannot make a valid receipt", () => {
    expect(build({ order_lines: [] }, 100n, { customerContact: " " })).toEqual({ ok: false, reason: "no_customer_contact" });
    expect(build({ order_lines: [] }, 100n, { settings: { ...settings, inn: "" } })).toEqual({ ok: false, reason: "no_inn" });
    expect(build("not an order", 100n)).toEqual({ ok: false, reason: "invalid_order" });
    expect(build({ order_lines: [{ title: "A", quantity: 1, full_sale_price: "-5" }] }, 100n)).toEqual({ ok: false, reason: "invalid_order" });
    expect(build({ order_lines: [{ title: "A", quantity: 0, full_sale_price: "5" }] }, 100n)).toEqual({ ok: false, reason: "invalid_order" });
    expect(build({ order_lines: [{ title: "A", quantity: 1 }] }, 100n)).toEqual({ ok: false, reason: "invalid_order" });
    expect(build({ order_lines: [] }, 0n)).toEqual({ ok: false, reason: "invalid_amount" });
  });
});

describe("allocateProportionally", () => {
  it("shares exactly, largest remainder first, ties to the earlier line", () => {
    expect(allocateProportionally(100n, [1n, 1n, 1n])).toEqual([34n, 33n, 33n]);
    expect(allocateProportionally(10n, [0n, 5n, 5n])).toEqual([0n, 5n, 5n]);
    expect(allocateProportionally(7n, [2n, 3n])).toEqual([3n, 4n]);
  });
});

describe("buildReceipt property: positions add up to the amount to the kopeck", () => {
  const money = fc.bigInt({ min: 0n, max: 5_000_000n }); // up to 50 000.00 per unit
  const line = fc.record({
    title: fc.string({ maxLength: 200 }),
    quantity: fc.oneof(fc.integer({ min: 1, max: 99 }), fc.constantFrom(0.5, 1.25, 0.333, 2.75)), // by weight too
    unit: money,
    asString: fc.boolean(),
    withTotal: fc.boolean(),
  });
  const order = fc.record({
    lines: fc.array(line, { minLength: 0, maxLength: 12 }),
    delivery: fc.oneof(fc.constant(0n), money),
    // Negative: discount; positive: surcharge (e.g. rounding or a fee not in the lines).
    adjustment: fc.oneof(fc.constant(0n), fc.bigInt({ min: -10_000_000n, max: 1_000_000n })),
  });

  it("holds for generated orders with discounts, odd quantities, free and paid delivery", () => {
    fc.assert(
      fc.property(order, ({ lines, delivery, adjustment }) => {
        const asValue = (k: bigint, asString: boolean) => (asString ? formatKopecks(k) : Number(formatKopecks(k)));
        const insalesOrder = {
          order_lines: lines.map((l) => ({
            title: l.title,
            quantity: l.quantity,
            sale_price: asValue(l.unit, l.asString),
            full_sale_price: asValue(l.unit, l.asString),
            ...(l.withTotal ? { full_total_price: asValue((l.unit * BigInt(Math.round(l.quantity * 1000))) / 1000n, l.asString) } : {}),
          })),
          full_delivery_price: asValue(delivery, false),
        };
        const gross = lines.reduce((s, l) => s + (l.unit * BigInt(Math.round(l.quantity * 1000))) / 1000n, 0n) + delivery;
        let amount = gross + adjustment;
        if (amount < 100n) amount = 100n + (gross % 977n); // IntellectMoney's minimum is 1.00
        const r = build(insalesOrder, amount);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const positions = r.receipt.content.positions;
        expect(totalKopecks(r.receipt)).toBe(amount);
        for (const p of positions) {
          expect(p.price).toBeGreaterThan(0);
          expect(String(p.price)).toMatch(/^\d+(\.\d{1,2})?$/);
          expect(p.quantity).toBeGreaterThan(0);
          expect(Array.from(p.text).length).toBeLessThanOrEqual(128);
          expect(p.text.trim()).not.toBe("");
        }
        const deliveries = positions.filter((p) => p.paymentSubjectType === 4);
        expect(deliveries.length).toBe(delivery > 0n ? 1 : 0);
        if (delivery > 0n && delivery <= amount) expect(parseKopecks(deliveries[0].price.toFixed(2))).toBe(delivery);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("buildReceipt: a table of orders (issue 7 acceptance 2)", () => {
  type Row = { name: string; lines: Array<[title: string, quantity: number | string, unitPrice: string]>; delivery: string; amount: string };
  const rows: Row[] = [
    { name: "no discount, free delivery", lines: [["A", 1, "1500.00"]], delivery: "0", amount: "1500.00" },
    { name: "no discount, paid delivery", lines: [["A", 2, "750.00"]], delivery: "350.00", amount: "1850.00" },
    { name: "coupon of 10% over odd quantities", lines: [["A", 3, "33.33"], ["B", 7, "1.99"]], delivery: "0", amount: "102.53" },
    { name: "fixed discount that cannot be spread evenly", lines: [["A", 3, "100.00"], ["B", 1, "0.01"]], delivery: "199.00", amount: "398.02" },
    { name: "bonus points paid part of an order with paid delivery", lines: [["A", 13, "9.99"], ["B", 1, "1234.56"]], delivery: "300.00", amount: "1000.00" },
    { name: "goods by weight and a free gift", lines: [["Сыр", "0.455", "999.90"], ["Подарок", 1, "0"], ["Хлеб", 2, "45.50"]], delivery: "0", amount: "546.00" },
    { name: "surcharge over the lines (rounding up by the shop)", lines: [["A", 3, "3.33"]], delivery: "0", amount: "10.00" },
    { name: "a discount larger than the goods: only delivery charged", lines: [["A", 1, "100.00"]], delivery: "250.00", amount: "250.00" },
    { name: "charged less than the delivery price", lines: [["A", 1, "100.00"]], delivery: "250.00", amount: "200.00" },
    { name: "many lines, one kopeck of discount", lines: Array.from({ length: 11 }, (_, i) => [`L${i}`, i + 1, "0.07"] as [string, number, string]), delivery: "49.00", amount: "53.61" },
  ];

  it.each(rows)("$name: positions add up to $amount, delivery is one service position", ({ lines, delivery, amount }) => {
    const order = {
      order_lines: lines.map(([title, quantity, price]) => ({ title, quantity, sale_price: price, full_sale_price: price })),
      full_delivery_price: delivery,
    };
    const amountKopecks = parseKopecks(amount)!;
    const receipt = receiptOf(order, amountKopecks);
    expect(totalKopecks(receipt)).toBe(amountKopecks);
    const deliveries = receipt.content.positions.filter((p) => p.text === "Доставка");
    const deliveryKopecks = parseKopecks(delivery.includes(".") ? delivery : `${delivery}.00`)!;
    const expectedDelivery = deliveryKopecks < amountKopecks ? deliveryKopecks : amountKopecks;
    expect(deliveries.map((p) => [p.quantity, parseKopecks(p.price.toFixed(2)), p.paymentSubjectType, p.tax])).toEqual(
      expectedDelivery > 0n ? [[1, expectedDelivery, 4, 6]] : [],
    );
    for (const p of receipt.content.positions) expect(p.price).toBeGreaterThan(0);
  });
});

describe("buildRefundReceipt (§6 type 2)", () => {
  const sale = receiptOf(
    { order_lines: [{ title: "A", quantity: 3, full_sale_price: "100.00" }, { title: "B", quantity: 1, full_sale_price: "50.00" }], full_delivery_price: "300.00" },
    64000n, // 10.00 discount on the goods
  );

  it("repeats the sale's positions with type 2 for a full refund", () => {
    const r = buildRefundReceipt(sale, 64000n);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.receipt).toEqual({ ...sale, content: { ...sale.content, type: 2 } });
    expect(sale.content.type).toBe(1);
  });

  it("spreads a partial refund over the positions exactly, keeping the delivery's VAT share", () => {
    const r = buildRefundReceipt(sale, 12345n);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.receipt.content.type).toBe(2);
    expect(totalKopecks(r.receipt)).toBe(12345n);
    const delivery = r.receipt.content.positions.filter((p) => p.text === "Доставка");
    // 300.00 of 640.00 → 57.87 of 123.45 (largest remainder).
    expect(delivery.map((p) => [p.quantity, p.price, p.tax, p.paymentSubjectType])).toEqual([[1, 57.87, 6, 4]]);
  });

  it("refuses a refund above the sale or not positive", () => {
    expect(buildRefundReceipt(sale, 64001n)).toEqual({ ok: false, reason: "invalid_amount" });
    expect(buildRefundReceipt(sale, 0n)).toEqual({ ok: false, reason: "invalid_amount" });
  });

  it("property: any refund up to the sale adds up to the kopeck", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 64000n }), (refund) => {
        const r = buildRefundReceipt(sale, refund);
        expect(r.ok).toBe(true);
        if (r.ok) expect(totalKopecks(r.receipt)).toBe(refund);
      }),
      { numRuns: 300 },
    );
  });
});
