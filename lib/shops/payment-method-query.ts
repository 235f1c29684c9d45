// What «Способ оплаты в InSales» shows about the shop's «Внешний способ оплаты» (never its password).
import { db } from "../db";
import type { GatewayState, WidgetState } from "../generated/prisma/enums";

export type PaymentMethodView = {
  state: GatewayState;
  /** The payment method's id in InSales, once created. */
  gatewayId: string | null;
  lastError: string | null;
  /** The order-card widget that comes with the method (lib/widget/sync-widget.ts). */
  widget: { state: WidgetState; lastError: string | null };
};

export async function loadPaymentMethodView(shopId: string): Promise<PaymentMethodView> {
  const [g, w] = await Promise.all([
    db().shopGateway.findUnique({ where: { shopId }, select: { state: true, gatewayId: true, lastError: true } }),
    db().shopWidget.findUnique({ where: { shopId }, select: { state: true, lastError: true } }),
  ]);
  return {
    state: g?.state ?? "NOT_CONNECTED",
    gatewayId: g?.gatewayId ?? null,
    lastError: g?.lastError ?? null,
    widget: { state: w?.state ?? "NOT_INSTALLED", lastError: w?.lastError ?? null },
  };
}
