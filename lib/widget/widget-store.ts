// The statements of the order-card widget (ShopWidget): pushing its code (sync-widget.ts), finding shops that
// need it (widget-backfill-sweeper.ts), and the secrets a data request is checked against (order-widget.ts).
import { db, type Tx } from "../db";
import type { WidgetState } from "../generated/prisma/enums";

/** The shop with what pushing the widget needs; null when there is no such shop. */
export function loadShopForWidget(shopId: string) {
  return db().shop.findUnique({
    where: { id: shopId },
    select: { id: true, insalesId: true, host: true, status: true, apiPasswordEnc: true, widget: { select: { widgetId: true, state: true } } },
  });
}

/** A new secret is about to be pushed: kept as the pending one (accepted as well) before InSales sees it. */
export async function markWidgetInstalling(shopId: string, pendingSecretEnc: string): Promise<void> {
  await db().shopWidget.upsert({
    where: { shopId },
    create: { shopId, state: "INSTALLING", pendingSecretEnc },
    update: { state: "INSTALLING", pendingSecretEnc },
  });
}

/** InSales has the code with the pending secret: it becomes the secret in force, the old one stops working. */
export async function markWidgetInstalled(shopId: string, widgetId: string, codeVersion: number): Promise<void> {
  await db().$executeRaw`
    UPDATE "ShopWidget" SET "state" = 'INSTALLED', "widgetId" = ${widgetId}, "codeVersion" = ${codeVersion}::int,
           "secretEnc" = COALESCE("pendingSecretEnc", "secretEnc"), "pendingSecretEnc" = NULL, "lastError" = NULL,
           "syncedAt" = now() AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE "shopId" = ${shopId}::uuid`;
}

export async function markWidgetFailed(shopId: string, lastError: string): Promise<void> {
  await db().shopWidget.upsert({ where: { shopId }, create: { shopId, state: "FAILED", lastError }, update: { state: "FAILED", lastError } });
}

/**
 * Uninstall: the secrets go with every other credential, so the widget, if InSales keeps it, shows nothing.
 * Returns the widget's id in InSales (for a last attempt to delete it), null when there was none.
 */
export async function dropWidgetSecrets(tx: Tx, shopId: string): Promise<string | null> {
  const rows = await tx.$queryRaw<Array<{ widgetId: string | null }>>`
    UPDATE "ShopWidget" SET "state" = 'REMOVED', "secretEnc" = NULL, "pendingSecretEnc" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE "shopId" = ${shopId}::uuid
    RETURNING "widgetId"`;
  return rows[0]?.widgetId ?? null;
}

/**
 * Shops whose widget should be pushed (oldest first, at most `limit`): active, with the payment method
 * connected, and no widget yet, an older code, or a failure (or an interrupted push) older than `retryBefore`.
 */
export async function shopsNeedingWidget(codeVersion: number, retryBefore: Date, limit: number): Promise<string[]> {
  const rows = await db().$queryRaw<Array<{ id: string }>>`
    SELECT s."id"::text AS id FROM "Shop" s
      JOIN "ShopGateway" g ON g."shopId" = s."id" AND g."state" = 'CONNECTED'
      LEFT JOIN "ShopWidget" w ON w."shopId" = s."id"
     WHERE s."status" = 'ACTIVE' AND s."apiPasswordEnc" IS NOT NULL
       AND (w."shopId" IS NULL
            OR w."state" IN ('NOT_INSTALLED', 'REMOVED')
            OR (w."state" = 'INSTALLED' AND w."codeVersion" < ${codeVersion}::int)
            OR (w."state" IN ('FAILED', 'INSTALLING') AND w."updatedAt" < (${retryBefore}::timestamptz AT TIME ZONE 'UTC')))
     ORDER BY s."installedAt" ASC
     LIMIT ${limit}::int`;
  return rows.map((r) => r.id);
}

/** What a data request is checked against: the shop of `insalesId` and its widget secrets (sealed). */
export function loadWidgetAuth(insalesId: string) {
  return db().shop.findUnique({
    where: { insalesId },
    select: { id: true, insalesId: true, host: true, status: true, widget: { select: { secretEnc: true, pendingSecretEnc: true } } },
  });
}

export type WidgetStatusView = { state: WidgetState; lastError: string | null; syncedAt: Date | null };

/** What the settings screen says about the widget. */
export async function widgetStatusOf(shopId: string): Promise<WidgetStatusView> {
  const w = await db().shopWidget.findUnique({ where: { shopId }, select: { state: true, lastError: true, syncedAt: true } });
  return { state: w?.state ?? "NOT_INSTALLED", lastError: w?.lastError ?? null, syncedAt: w?.syncedAt ?? null };
}

