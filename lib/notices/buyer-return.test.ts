import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET, POST } from "../../app/api/intellectmoney/return/[paymentId]/[outcome]/route";
import { insalesNoticeSignature } from "../../e2e/stand-ins/insales-external-payments";
import { db } from "../db";
import { formActionAllows } from "../../tests/support/csp-source-match";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { newPayment, useResultWorld, type Paid } from "../../tests/support/result-test-support";
import { buyerReturn } from "./buyer-return";
import { formAction, formFields } from "../../tests/support/checkout-test-support";

useTestDatabase();

const world = useResultWorld();

function call(handler: typeof GET, paymentId: string, outcome: string, method = "GET") {
  const request = new Request(`https://app.test.local/api/intellectmoney/return/${paymentId}/${outcome}`, { method });
  return handler(request, { params: Promise.resolve({ paymentId, outcome }) });
}

function gatewayId(p: Paid): number {
  return p.shop.standIn.gateways.at(-1)!.id;
}

describe("buyer return", () => {
  it("sends a paid buyer back through success_url with signed paid=1, and InSales shows the order", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const res = await call(GET, p.payment.id, "success");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Возвращаемся в магазин…");
    const action = formAction(html)!;
    expect(action).toBe(`${world.insales.insales.shopBase(p.shop.host)}/payments/external/${gatewayId(p)}/success`);
    const fields = Object.fromEntries(formFields(html));
    expect(fields).toMatchObject({ paid: "1", amount: p.payment.amountRaw, key: p.payment.orderKey, transaction_id: p.payment.transactionId, shop_id: p.payment.insalesShopIdRaw });
    expect(fields.signature).toBe(insalesNoticeSignature(fields, "secretpass"));
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain(`form-action ${new URL(action).origin}`);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);

    // The browser's auto-submit: InSales verifies and redirects to the order page.
    const shopAnswer = await fetch(action, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
    expect(shopAnswer.status).toBe(302);
    expect(shopAnswer.headers.get("location")).toBe(`${world.insales.insales.shopBase(p.shop.host)}/orders/${p.payment.orderKey}`);
    expect(p.order.notices.at(-1)).toMatchObject({ channel: "success", valid: true });
  });

  it("posts straight to https when the stored success_url is the vendor's http one on the shop's host", async () => {
    // docs/protocols/insales.md §2 «http vs https»: a row stored as InSales's example gives it (before the
    // migration, or by a path that forgot): the browser never meets InSales's http→https redirect, which could
    // turn the POST into a GET and lose the signed fields.
    const p = await newPayment(world);
    await db().shopGateway.update({
      where: { shopId: p.shop.id },
      data: { successUrl: `http://${p.shop.host}/payments/external/${gatewayId(p)}/success`, failUrl: `http://${p.shop.host}/payments/external/${gatewayId(p)}/fail` },
    });
    await world.im.notify(p.invoice.paymentId, "5");
    const res = await call(GET, p.payment.id, "success");
    const html = await res.text();
    expect(formAction(html)).toBe(`https://${p.shop.host}/payments/external/${gatewayId(p)}/success`);
    expect(res.headers.get("content-security-policy")).toContain(`form-action https://${p.shop.host} `);
    expect(await buyerReturn(p.payment.id, "fail", { waitMs: 0 })).toMatchObject({ kind: "post", action: `https://${p.shop.host}/payments/external/${gatewayId(p)}/success` });
  });

  it("lets the browser follow InSales's redirect to the shop's own domain, https or http (issue 13 item 10, insales.md §4 pitfall 8)", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const res = await call(GET, p.payment.id, "success");
    const action = formAction(await res.text())!;
    const csp = res.headers.get("content-security-policy")!;
    const page = `https://app.test.local/api/intellectmoney/return/${p.payment.id}/success`;
    for (const url of [action, "https://www.my-shop.ru/orders/abc", "http://www.my-shop.ru/orders/abc", `https://${p.shop.host}/orders/abc`]) {
      expect(formActionAllows(csp, url, page), url).toBe(true);
    }
    expect(formActionAllows(csp, "javascript:alert(1)", page)).toBe(false);
    expect(formActionAllows(csp, "data:text/html,x", page)).toBe(false);
  });

  it("answers POST the same way (IntellectMoney may post the buyer back)", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "5");
    const res = await call(POST, p.payment.id, "success", "POST");
    expect(formAction(await res.text())).toContain("/success");
  });

  it("sends a cancelled payment to fail_url with paid=0, whatever URL the buyer came back on", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const html = await (await call(GET, p.payment.id, "success")).text();
    expect(formAction(html)).toBe(`${world.insales.insales.shopBase(p.shop.host)}/payments/external/${gatewayId(p)}/fail`);
    expect(Object.fromEntries(formFields(html)).paid).toBe("0");
  });

  it("never signs paid=1 for an unpaid payment: after a short wait, an honest «Платёж обрабатывается…» page", async () => {
    const p = await newPayment(world);
    const started = Date.now();
    const res = await call(GET, p.payment.id, "success");
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000); // it waited for the result
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("Платёж обрабатывается…");
    expect(html).not.toContain("<form");
    expect(html).not.toContain("signature");
    expect(html).toContain(`href="${world.insales.insales.shopBase(p.shop.host)}/orders/${p.payment.orderKey}"`);
  }, 15_000);

  it("picks up a result that arrives while the buyer waits", async () => {
    const p = await newPayment(world);
    const pending = buyerReturn(p.payment.id, "success", { waitMs: 5_000, pollMs: 100 });
    await new Promise((r) => setTimeout(r, 300));
    await world.im.notify(p.invoice.paymentId, "5");
    expect(await pending).toMatchObject({ ok: true, kind: "post", paid: 1 });
  });

  it("treats a hold as unpaid unless the shop marks holds as paid", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "6");
    expect(await buyerReturn(p.payment.id, "success", { waitMs: 0 })).toMatchObject({ ok: true, kind: "pending" });

    const marked = await newPayment(world, { markPaidOnHold: true });
    await world.im.notify(marked.invoice.paymentId, "6");
    expect(await buyerReturn(marked.payment.id, "success", { waitMs: 0 })).toMatchObject({ ok: true, kind: "post", paid: 1 });
  });

  it("answers 404 with a Russian page for an unknown payment or outcome", async () => {
    for (const [id, outcome] of [[randomUUID(), "success"], ["not-a-uuid", "success"], [randomUUID(), "maybe"]]) {
      const res = await call(GET, id, outcome);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("Платёж не найден");
    }
  });
});
