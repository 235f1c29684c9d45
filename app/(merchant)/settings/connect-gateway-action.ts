"use server";
// «Подключить способ оплаты» / «Обновить способ оплаты»: only queues the connect-gateway job (never waits
// for InSales); the section shows CONNECTING until the job is done. Server actions are public endpoints,
// so the session is checked on every call (docs/ARCHITECTURE.md convention 11).
import { revalidatePath } from "next/cache";
import { getShopSession } from "@/lib/auth/session";
import { log } from "@/lib/log";
import { requestGatewayConnection } from "@/lib/shops/connect-gateway-queue";

export type ConnectGatewayActionResult = { ok: true } | { ok: false; message: string };

export async function connectGatewayAction(): Promise<ConnectGatewayActionResult> {
  const session = await getShopSession();
  if (!session) return { ok: false, message: "Сессия истекла: откройте приложение из бэк-офиса InSales ещё раз" };
  try {
    await requestGatewayConnection(session.shopId);
  } catch (error) {
    log.error({ shopId: session.shopId, err: (error as Error).message }, "connect-gateway: could not queue");
    return { ok: false, message: "Не удалось запустить подключение, попробуйте ещё раз" };
  }
  revalidatePath("/settings");
  return { ok: true };
}
