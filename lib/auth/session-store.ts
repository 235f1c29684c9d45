// The one statement a session check needs: the shop's status and its current session generation.
import { db } from "../db";

export function loadSessionShop(shopId: string) {
  return db().shop.findUnique({ where: { id: shopId }, select: { status: true, sessionGeneration: true } });
}
