// What the settings screen shows about the shop's «Внешний способ оплаты» (never the password).
import { db } from "../db";
import type { GatewayState } from "../generated/prisma/enums";

export type GatewayStatus = { state: GatewayState; lastError: string | null; hasGateway: boolean; syncedAt: Date | null };

export async function getGatewayStatus(shopId: string): Promise<GatewayStatus> {
  const g = await db().shopGateway.findUnique({ where: { shopId }, select: { state: true, lastError: true, gatewayId: true, syncedAt: true } });
  return { state: g?.state ?? "NOT_CONNECTED", lastError: g?.lastError ?? null, hasGateway: Boolean(g?.gatewayId), syncedAt: g?.syncedAt ?? null };
}
