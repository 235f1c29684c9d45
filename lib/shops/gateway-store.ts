// The statements of the shop's «Внешний способ оплаты» (ShopGateway): connecting it (connect-gateway.ts),
// asking for a connection (connect-gateway-queue.ts), and what the settings screen shows
// (payment-method-query.ts reads the same row).
import { db, type Tx } from "../db";
import type { GatewayState } from "../generated/prisma/enums";

/** The shop with its gateway row, for a connection run; null when there is no such shop. */
export function loadShopWithGateway(shopId: string) {
  return db().shop.findUnique({ where: { id: shopId }, include: { gateway: true } });
}

/** The gateway's state (and why it failed), creating the row when there is none. */
export async function setGatewayState(shopId: string, state: GatewayState, lastError: string | null): Promise<void> {
  await db().shopGateway.upsert({ where: { shopId }, create: { shopId, state, lastError }, update: { state, lastError } });
}

/** A new «Пароль», stored (encrypted) before any API call, so a run that dies later still knows it. */
export async function storeGatewayPassword(shopId: string, passwordEnc: string): Promise<void> {
  await db().shopGateway.upsert({ where: { shopId }, create: { shopId, state: "CONNECTING", passwordEnc }, update: { passwordEnc } });
}

export type ConnectedGateway = {
  gatewayId: string;
  passwordEnc: string;
  /** Only those the answer gave: an update's answer may omit them, and the stored ones stay. */
  successUrl?: string;
  failUrl?: string;
  serverUrl?: string;
};

export async function markGatewayConnected(shopId: string, g: ConnectedGateway): Promise<void> {
  await db().shopGateway.update({ where: { shopId }, data: { state: "CONNECTED", ...g, lastError: null, syncedAt: new Date() } });
}

/** CONNECTING, the error of an earlier run cleared (a connection was asked for). */
export async function markGatewayConnecting(tx: Tx, shopId: string): Promise<void> {
  await tx.shopGateway.upsert({ where: { shopId }, create: { shopId, state: "CONNECTING" }, update: { state: "CONNECTING", lastError: null } });
}

/** A same-host https redirect answered a notice: its URL replaces the stored one (only if that is still `from`). */
export async function moveGatewayServerUrl(shopId: string, from: string, to: string): Promise<void> {
  await db().shopGateway.updateMany({ where: { shopId, serverUrl: from }, data: { serverUrl: to } });
}

/** The gateway's state, in `tx` when given; null when the shop has no gateway row yet. */
export async function gatewayStateOf(shopId: string, tx?: Tx): Promise<GatewayState | null> {
  const gateway = await (tx ?? db()).shopGateway.findUnique({ where: { shopId }, select: { state: true } });
  return gateway?.state ?? null;
}
