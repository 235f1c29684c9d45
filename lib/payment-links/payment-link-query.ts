// The links of one order for the merchant's payment-link screen (app/(merchant)/payment-links), scoped by the
// session's shop.
import { db } from "../db";

export type LinkRow = { id: string; createdAt: Date; expiresAt: Date; createdBy: string | null; sentTo: string | null; openedAt: Date | null; paymentId: string | null };

/** The shop's links of one order, newest first (the payment-link screen). */
export function linksOfOrder(shopId: string, insalesOrderId: string, take = 20): Promise<LinkRow[]> {
  return db().paymentLink.findMany({
    where: { shopId, insalesOrderId },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, createdAt: true, expiresAt: true, createdBy: true, sentTo: true, openedAt: true, paymentId: true },
  });
}
