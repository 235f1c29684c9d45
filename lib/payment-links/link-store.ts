// The statements of payment links (PaymentLink): making one, finding the one a token names, recording that the
// buyer opened it; the payments of an order and the shop a link is made for.
import { db, type Tx } from "../db";

export type NewLink = { id: string; shopId: string; insalesOrderId: string; orderNumber: string | null; expiresAt: Date; createdBy: string | null; sentTo: string | null };

export async function insertLink(tx: Tx, link: NewLink): Promise<void> {
  await tx.paymentLink.create({ data: link });
}

/** The link a token names, only if it belongs to that shop and order (the token is checked first; this is the record). */
export function findLink(id: string, shopId: string, insalesOrderId: string) {
  return db().paymentLink.findFirst({ where: { id, shopId, insalesOrderId }, select: { id: true, expiresAt: true, orderNumber: true } });
}

export async function markLinkOpened(id: string, paymentId: string | null): Promise<void> {
  await db().paymentLink.update({ where: { id }, data: { openedAt: new Date(), ...(paymentId ? { paymentId } : {}) } });
}

/** The shop's payments of one order: what decides whether it is paid already and what is left to pay. */
export function paymentsOfOrder(shopId: string, insalesOrderId: string) {
  return db().payment.findMany({
    where: { shopId, insalesOrderId },
    orderBy: { createdAt: "desc" },
    select: { id: true, status: true, transactionId: true, paidKopecks: true, refundedKopecks: true, amountKopecks: true, currency: true },
  });
}

/** The merchant's shop (installed) with its settings and payment method, for making a link. */
export function loadShopForLinks(shopId: string) {
  return db().shop.findFirst({ where: { id: shopId, status: "ACTIVE" }, include: { settings: true, gateway: true } });
}
