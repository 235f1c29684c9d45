// Test support for the mail tests: a shop with its «Почтовые уведомления» settings and a payment.
import { randomBytes } from "node:crypto";
import { db } from "../../lib/db";
import type { PaymentStatus } from "../../lib/generated/prisma/enums";

export type MailTestShop = { id: string; host: string; notifyEmail: string };

export async function addMailShop(opts: { kinds: number[]; notifyEmail?: string | null; title?: string }): Promise<MailTestShop> {
  const n = randomBytes(4).toString("hex");
  const host = `mail-${n}.myinsales.ru`;
  const notifyEmail = opts.notifyEmail === undefined ? `shop-${n}@example.com` : opts.notifyEmail;
  const shop = await db().shop.create({
    data: {
      insalesId: String(parseInt(n, 16)),
      host,
      title: opts.title ?? `Магазин ${n}`,
      settings: { create: { mailKinds: opts.kinds, notifyEmail } },
    },
  });
  return { id: shop.id, host, notifyEmail: notifyEmail ?? "" };
}

export async function addMailPayment(
  shopId: string,
  opts: { buyerEmail?: string | null; orderNumber?: string; status?: PaymentStatus; amountKopecks?: bigint } = {},
): Promise<{ id: string; buyerEmail: string; orderNumber: string; imOrderId: string }> {
  const n = randomBytes(4).toString("hex");
  const orderNumber = opts.orderNumber ?? String(1000 + (parseInt(n, 16) % 9000));
  const buyerEmail = opts.buyerEmail === undefined ? `buyer-${n}@example.com` : opts.buyerEmail;
  const amount = opts.amountKopecks ?? 120000n;
  const transactionId = String(parseInt(n, 16));
  const imOrderId = `${orderNumber}-${transactionId}`;
  const payment = await db().payment.create({
    data: {
      shopId,
      transactionId,
      insalesShopIdRaw: "1",
      amountRaw: `${amount / 100n}.${String(amount % 100n).padStart(2, "0")}`,
      orderKey: n,
      insalesOrderId: `40${transactionId}`,
      orderNumber,
      description: `Заказ №${orderNumber}`,
      buyerEmail,
      verifiedBy: "signature",
      legalForm: "ORGANIZATION",
      imOrderId,
      eshopId: "17354",
      currency: "RUB",
      amountKopecks: amount,
      status: opts.status ?? "CREATED",
    },
  });
  return { id: payment.id, buyerEmail: buyerEmail ?? "", orderNumber, imOrderId };
}
