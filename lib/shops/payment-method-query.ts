// What «Способ оплаты в InSales» shows about the shop's «Внешний способ оплаты» (never its password).
import { db } from "../db";
import type { GatewayState } from "../generated/prisma/enums";

export type PaymentMethodView = {
  state: GatewayState;
  /** The payment method's id in InSales, once created. */
  gatewayId: string | null;
  lastError: string | null;
};

export async function loadPaymentMethodView(shopId: string): Promise<PaymentMethodView> {
  const g = await db().shopGateway.findUnique({ where: { shopId }, select: { state: true, gatewayId: true, lastError: true } });
  return { state: g?.state ?? "NOT_CONNECTED", gatewayId: g?.gatewayId ?? null, lastError: g?.lastError ?? null };
}
