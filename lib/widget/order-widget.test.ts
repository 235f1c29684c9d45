// The order-card widget's data request (docs/SECURITY.md «The order-card widget»): only a signature made with
// the shop's own widget secret reads anything, and only that shop's payments of the order it was made for.
import { describe, expect, it } from "vitest";
import { GET as widgetRoute } from "../../app/api/widget/order/route";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { orderWidget, type OrderWidgetQuery } from "./order-widget";
import { WIDGET_CALLBACK } from "./widget-code";
import { newWidgetSecret, orderReadSignature } from "./widget-signature";
import { markWidgetInstalled, markWidgetInstalling } from "./widget-store";
import { uninstallShop } from "../shops/uninstall-shop";

useTestDatabase();

let n = 0;

async function shopWithWidget(): Promise<{ id: string; insalesId: string; secret: string }> {
  n += 1;
  const insalesId = String(880_000 + n);
  const shop = await db().shop.create({ data: { insalesId, host: `w${insalesId}.myinsales.ru`, apiPasswordEnc: encryptSecret("p"), settings: { create: {} } } });
  const secret = newWidgetSecret();
  await markWidgetInstalling(shop.id, encryptSecret(secret));
  await markWidgetInstalled(shop.id, "7001", 1);
  return { id: shop.id, insalesId, secret };
}

async function payment(shopId: string, orderId: string, status: "PAID" | "HELD" = "PAID") {
  return db().payment.create({
    data: {
      shopId, transactionId: `t${orderId}`, insalesShopIdRaw: "x", amountRaw: "1500.00", orderKey: "k", insalesOrderId: orderId, orderNumber: "1001",
      description: "Заказ №1001", verifiedBy: "signature", legalForm: "ORGANIZATION", imOrderId: `1001-t${orderId}`, eshopId: "1", currency: "RUB",
      amountKopecks: 150000n, paidKopecks: status === "PAID" ? 150000n : 0n, status, noticeState: status === "PAID" ? "DELIVERED" : "NONE",
    },
  });
}

function ask(shop: { insalesId: string }, order: string, secret: string | null, o: Partial<OrderWidgetQuery> = {}) {
  return orderWidget({ shop: shop.insalesId, order, sig: secret === null ? null : orderReadSignature(secret, shop.insalesId, order), callback: WIDGET_CALLBACK, ...o });
}

describe("the widget's data request", () => {
  it("answers the shop's own secret with its payment of that order, as a JSONP call of the widget's callback", async () => {
    const shop = await shopWithWidget();
    await payment(shop.id, "111");
    const r = await ask(shop, "111", shop.secret);
    expect(r.ok).toBe(true);
    const script = r.ok ? r.script : "";
    expect(script.startsWith(`${WIDGET_CALLBACK}({"html":`)).toBe(true);
    expect(script).toContain("Оплачен");
    expect(script).toContain("Уведомление InSales: Доставлено");
    expect(script).not.toContain("<");
  });

  it("sees nothing with another shop's secret, without a secret, for another order than the one signed, or after uninstall", async () => {
    const a = await shopWithWidget();
    const b = await shopWithWidget();
    await payment(a.id, "111");
    await payment(b.id, "222");
    expect(await ask(a, "111", b.secret)).toEqual({ ok: false, reason: "denied" });
    expect(await ask(a, "111", null)).toEqual({ ok: false, reason: "denied" });
    expect(await ask(a, "111", null, { sig: "0".repeat(64) })).toEqual({ ok: false, reason: "denied" });
    expect(await ask(a, "111", null, { sig: orderReadSignature(a.secret, a.insalesId, "112") })).toEqual({ ok: false, reason: "denied" });
    expect(await ask(a, "111", null, { sig: orderReadSignature(a.secret, b.insalesId, "111") })).toEqual({ ok: false, reason: "denied" });
    // Shop A's own secret asking about shop B's order id: A's payments only, and A has none for it.
    const foreign = await ask(a, "222", a.secret);
    expect(foreign.ok && foreign.script).toContain("Платежей IntellectMoney по этому заказу нет.");
    expect(await ask(a, "111", a.secret, { callback: "alert" })).toEqual({ ok: false, reason: "bad_request" });
    await db().shop.update({ where: { id: a.id }, data: { status: "UNINSTALLED" } });
    expect(await ask(a, "111", a.secret)).toEqual({ ok: false, reason: "denied" });
  });

  it("forgets the widget's secrets when InSales uninstalls the app", async () => {
    const shop = await shopWithWidget();
    await payment(shop.id, "555");
    expect(await uninstallShop({ shop: `w${shop.insalesId}.myinsales.ru`, insalesId: shop.insalesId, token: "p" })).toMatchObject({ ok: true, alreadyUninstalled: false });
    expect(await db().shopWidget.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ state: "REMOVED", secretEnc: null, pendingSecretEnc: null });
    expect(await ask(shop, "555", shop.secret)).toEqual({ ok: false, reason: "denied" });
  });

  it("accepts the secret being pushed as well as the one in force, and only the new one once the push is done", async () => {
    const shop = await shopWithWidget();
    await payment(shop.id, "333", "HELD");
    const next = newWidgetSecret();
    await markWidgetInstalling(shop.id, encryptSecret(next));
    expect((await ask(shop, "333", shop.secret)).ok).toBe(true);
    expect((await ask(shop, "333", next)).ok).toBe(true);
    await markWidgetInstalled(shop.id, "7001", 1);
    expect(await ask(shop, "333", shop.secret)).toEqual({ ok: false, reason: "denied" });
    const held = await ask(shop, "333", next);
    expect(held.ok && held.script).toContain("Списать или отменить холд");
  });

  it("answers over HTTP as a script for another origin, never cached, and a refusal as a 403 with nothing in it", async () => {
    const shop = await shopWithWidget();
    await payment(shop.id, "444");
    const url = (sig: string) => `https://app.test.local/api/widget/order?shop=${shop.insalesId}&order=444&sig=${sig}&callback=${WIDGET_CALLBACK}`;
    const ok = await widgetRoute(new Request(url(orderReadSignature(shop.secret, shop.insalesId, "444"))));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(ok.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await ok.text()).toContain("Оплачен");
    const denied = await widgetRoute(new Request(url("f".repeat(64))));
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe("/* denied */");
    expect((await widgetRoute(new Request("https://app.test.local/api/widget/order?shop=1&order=1&order=2&sig=x&callback=imWidgetRender"))).status).toBe(400);
  });
});
