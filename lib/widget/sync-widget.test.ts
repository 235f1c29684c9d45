// Pushing the order-card widget through the InSales API (the stand-in's application widgets): created when the
// payment method is connected, updated (never duplicated) with a fresh secret on every reconnect, a backfill
// for shops connected before, and a clear message when the app may not add widgets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installWidgets } from "../../e2e/stand-ins/insales-widgets";
import { decryptSecret } from "../crypto";
import { db } from "../db";
import { stopBoss } from "../jobs/queue";
import { connectGateway } from "../shops/connect-gateway";
import { uninstallShop } from "../shops/uninstall-shop";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { addInstalledShop, connectGatewayDirectly, startTestStandIn, type TestStandIn } from "../../tests/support/checkout-test-support";
import { orderWidget } from "./order-widget";
import { syncWidget } from "./sync-widget";
import { sweepWidgets } from "./widget-backfill-sweeper";
import { WIDGET_CALLBACK, WIDGET_CODE_VERSION, WIDGET_HEIGHT, widgetMarker } from "./widget-code";
import { orderReadSignature } from "./widget-signature";

useTestDatabase();

let stand: TestStandIn;
beforeAll(async () => {
  stand = await startTestStandIn();
  installWidgets(stand.insales);
});
afterAll(async () => {
  await stopBoss();
  await stand?.close();
});

/** The secret inside the code InSales holds (the widget's KEY literal). */
function secretIn(code: string): string {
  return /KEY="([0-9a-f]{64})"/.exec(code)![1];
}

async function jobsFor(queue: string, shopId: string): Promise<number> {
  const rows = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE name = ${queue} AND singleton_key = ${shopId}`;
  return Number(rows[0].n);
}

describe("pushing the order-card widget", () => {
  it("creates the widget with our marker, its height and a secret the data route accepts", async () => {
    const shop = await addInstalledShop(stand.insales);
    expect(await syncWidget(shop.id)).toMatchObject({ ok: true, created: true });
    const widgets = shop.standIn.widgets!;
    expect(widgets).toHaveLength(1);
    expect(widgets[0].height).toBe(WIDGET_HEIGHT);
    expect(widgets[0].code).toContain(widgetMarker("https://app.test.local"));
    expect(widgets[0].code).toContain('"https://app.test.local"');
    const secret = secretIn(widgets[0].code);
    const row = await db().shopWidget.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row).toMatchObject({ state: "INSTALLED", widgetId: String(widgets[0].id), codeVersion: WIDGET_CODE_VERSION, pendingSecretEnc: null, lastError: null });
    expect(decryptSecret(row.secretEnc!)).toBe(secret);
    expect(row.secretEnc).not.toContain(secret);
    const r = await orderWidget({ shop: shop.insalesId, order: "1", sig: orderReadSignature(secret, shop.insalesId, "1"), callback: WIDGET_CALLBACK });
    expect(r.ok).toBe(true);
  });

  it("updates the same widget on a reconnect with a new secret: the old one reads nothing any more", async () => {
    const shop = await addInstalledShop(stand.insales);
    await syncWidget(shop.id);
    const first = secretIn(shop.standIn.widgets![0].code);
    expect(await syncWidget(shop.id)).toMatchObject({ ok: true, created: false });
    expect(shop.standIn.widgets).toHaveLength(1);
    const second = secretIn(shop.standIn.widgets![0].code);
    expect(second).not.toBe(first);
    const ask = (secret: string) => orderWidget({ shop: shop.insalesId, order: "5", sig: orderReadSignature(secret, shop.insalesId, "5"), callback: WIDGET_CALLBACK });
    expect(await ask(first)).toEqual({ ok: false, reason: "denied" });
    expect((await ask(second)).ok).toBe(true);
  });

  it("adopts a widget of ours left by an earlier run, deletes extra copies and never touches another app's widget", async () => {
    const shop = await addInstalledShop(stand.insales);
    const marker = widgetMarker("https://app.test.local");
    shop.standIn.widgets = [
      { id: 91, code: "<p>другое приложение</p>", height: 60, created_at: "2026-01-01T00:00:00Z" },
      { id: 92, code: `${marker}\n<p>old</p>`, height: 60, created_at: "2026-01-01T00:00:00Z" },
      { id: 93, code: `${marker}\n<p>old copy</p>`, height: 60, created_at: "2026-01-01T00:00:00Z" },
    ];
    expect(await syncWidget(shop.id)).toEqual({ ok: true, widgetId: "92", created: false });
    expect(shop.standIn.widgets.map((w) => w.id)).toEqual([91, 92]);
    expect(shop.standIn.widgets[0].code).toBe("<p>другое приложение</p>");
    expect(shop.standIn.widgets[1].code).toContain("im-widget");
  });

  it("takes the widget off the order card when InSales uninstalls the app, and forgets its secret", async () => {
    const shop = await addInstalledShop(stand.insales);
    await syncWidget(shop.id);
    expect(shop.standIn.widgets).toHaveLength(1);
    expect(await uninstallShop({ shop: shop.host, insalesId: shop.insalesId, token: shop.standIn.apiPassword! })).toMatchObject({ ok: true, alreadyUninstalled: false });
    expect(shop.standIn.widgets).toHaveLength(0);
    expect(await db().shopWidget.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ state: "REMOVED", secretEnc: null, pendingSecretEnc: null });
  });

  it("records a shop that refuses widgets (403) with a message the merchant can act on", async () => {
    const shop = await addInstalledShop(stand.insales);
    shop.standIn.denied = { widgets: true };
    expect(await syncWidget(shop.id)).toMatchObject({ ok: false, reason: "forbidden" });
    const row = await db().shopWidget.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(row.state).toBe("FAILED");
    expect(row.lastError).toBe("У приложения нет права добавлять виджеты в InSales, поэтому на странице заказа нет блока IntellectMoney. Переустановите приложение и разрешите доступ к виджетам.");
  });

  it("comes with connecting the payment method, and the backfill queues shops connected before", async () => {
    const connecting = await addInstalledShop(stand.insales);
    expect(await connectGateway(connecting.id)).toMatchObject({ ok: true });
    expect(await jobsFor("sync-widget", connecting.id)).toBe(1);

    const older = await addInstalledShop(stand.insales);
    await connectGatewayDirectly(older);
    const notConnected = await addInstalledShop(stand.insales);
    const installed = await addInstalledShop(stand.insales);
    await connectGatewayDirectly(installed);
    await syncWidget(installed.id);
    await sweepWidgets();
    expect(await jobsFor("sync-widget", older.id)).toBe(1);
    expect(await jobsFor("sync-widget", notConnected.id)).toBe(0);
    expect(await jobsFor("sync-widget", installed.id)).toBe(0);
    // An older code version is pushed again; a failure only after a day.
    await db().shopWidget.update({ where: { shopId: installed.id }, data: { codeVersion: WIDGET_CODE_VERSION - 1 } });
    const failed = await addInstalledShop(stand.insales);
    await connectGatewayDirectly(failed);
    await db().shopWidget.create({ data: { shopId: failed.id, state: "FAILED", lastError: "x" } });
    await sweepWidgets();
    expect(await jobsFor("sync-widget", installed.id)).toBe(1);
    expect(await jobsFor("sync-widget", failed.id)).toBe(0);
    await sweepWidgets(new Date(Date.now() + 25 * 3_600_000));
    expect(await jobsFor("sync-widget", failed.id)).toBe(1);
  });
});
