// The letters as the payment code really triggers them: a checkout (startCheckout) and IntellectMoney
// result notifications (applyResult), delivered by the real send-mail worker to a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insalesCheckoutSignature } from "../../e2e/stand-ins/insales-payments-api";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { resetEnvCache } from "../env";
import { resultNotificationHash } from "../intellectmoney/signatures";
import { getBoss, stopBoss } from "../jobs/queue";
import { startWorkers } from "../jobs/workers";
import { applyResult } from "../results/apply-result";
import { startCheckout } from "../checkout/checkout";
import { addInstalledShop, addVectorShopToStandIn, configureOrganization, connectGatewayDirectly, startTestStandIn, type TestStandIn } from "../../tests/support/checkout-test-support";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { waitFor } from "../../tests/support/wait-for";
import { resetMailTransport } from "./send-mail";
import "./mail-sweeper";
import { TestSmtpServer } from "../../tests/support/test-smtp-server";

useTestDatabase();

const smtp = new TestSmtpServer();
const OWNER = "owner@test.myinsales.ru";
let stand: TestStandIn;
let shopId: string;

// docs/protocols/test-vectors.md «InSales checkout signature (no conversion, no order_json)»: «Пароль» secretpass.
const VECTOR = {
  shop_id: "123",
  amount: "1200.00",
  transaction_id: "2197421",
  key: "201c02c69db32b95ecf878b3172121c4",
  description: "Заказ №9999 на сайте test.myinsales.ru",
  order_id: "4020290",
  phone: "79991234567",
  email: "buyer@example.com",
  signature: "7a6d359379d29451365a664a332658df",
};

beforeAll(async () => {
  await smtp.start();
  process.env.SMTP_URL = smtp.url;
  resetEnvCache();
  stand = await startTestStandIn();
  addVectorShopToStandIn(stand.insales, "unused"); // the app reads the vector order's currency through the API
  await getBoss();
  await startWorkers();
  const shop = await db().shop.create({
    data: { insalesId: "123", host: "test.myinsales.ru", title: "Тестовый магазин", apiPasswordEnc: encryptSecret("unused"), settings: { create: {} } },
  });
  shopId = shop.id;
  await db().shopGateway.create({ data: { shopId, state: "CONNECTED", gatewayId: "1", passwordEnc: encryptSecret("secretpass") } });
  await configureOrganization(shopId, { eshopId: "17354", secretKey: "test" });
  await db().shopSettings.update({ where: { shopId }, data: { mailKinds: [1, 2, 3, 7, 10, 11], notifyEmail: OWNER } });
});

afterAll(async () => {
  await stopBoss();
  resetMailTransport();
  await smtp.stop();
  await stand?.close();
  delete process.env.SMTP_URL;
  resetEnvCache();
});

const to = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

/** A result notification for the vector's invoice, signed with the shop's key like IntellectMoney does. */
function notification(status: string, amount: string, overrides: Record<string, string> = {}) {
  const f = {
    eshopId: "17354",
    paymentId: "3200000001",
    orderId: "9999-2197421",
    eshopAccount: "ACC",
    serviceName: VECTOR.description,
    recipientAmount: amount,
    recipientOriginalAmount: "1200.00",
    recipientCurrency: "RUB",
    paymentStatus: status,
    userName: "Покупатель",
    userEmail: "buyer@example.com",
    paymentData: `2026-11-28 12:00:0${status}`,
    secretKey: "",
  };
  const body: Record<string, string> = { ...f, hash: resultNotificationHash(f, "test"), ...overrides };
  return new URLSearchParams(body);
}

describe("letters from the payment code", () => {
  it("a checkout sends «счёт создан» to the buyer and the shop once, however often the buyer comes back", async () => {
    const first = await startCheckout({ form: new URLSearchParams(VECTOR), shopHint: null });
    expect(first.ok).toBe(true);
    await waitFor("the two letters", () => to("buyer@example.com").length === 1 && to(OWNER).length === 1, 20_000);
    expect(to("buyer@example.com")[0].subject).toBe("Счёт на оплату заказа №9999 — Тестовый магазин");
    expect(to(OWNER)[0].subject).toBe("Создан счёт на оплату заказа №9999 — Тестовый магазин");
    const buyerLetter = await db().mail.findFirstOrThrow({ where: { shopId, to: "buyer@example.com" } });
    expect(buyerLetter.text + buyerLetter.html).not.toContain("/payments/");

    expect((await startCheckout({ form: new URLSearchParams(VECTOR), shopHint: null })).ok).toBe(true);
    // IntellectMoney's own «счёт создан» (status 3) names the same event.
    expect(await applyResult({ shopParam: "123", body: notification("3", "1200.00") })).toMatchObject({ ok: true });
    expect(await db().mail.count({ where: { shopId, kind: { in: [1, 2, 5] } } })).toBe(2);
  });

  it("a verified «оплачен» notification sends letter 3 once; its repeat sends nothing", async () => {
    expect(await applyResult({ shopParam: "123", body: notification("5", "1200.00") })).toMatchObject({ ok: true, result: "applied", status: "PAID" });
    await waitFor("letter 3", () => to(OWNER).some((m) => m.subject.startsWith("Заказ №9999 оплачен полностью")), 20_000);
    expect(await applyResult({ shopParam: "123", body: notification("5", "1200.00") })).toMatchObject({ ok: true, result: "unchanged" });
    expect(await db().mail.count({ where: { shopId, kind: 3 } })).toBe(1);
    const payment = await db().payment.findFirstOrThrow({ where: { shopId, transactionId: "2197421" } });
    const letter = await db().mail.findFirstOrThrow({ where: { shopId, kind: 3 } });
    expect(letter).toMatchObject({ state: "SENT", paymentId: payment.id, to: OWNER });
    expect(letter.text).toContain(`Открыть платёж в журнале: https://app.test.local/payments/${payment.id}`);
    expect(letter.text).toContain("Номер счёта (СКО) IntellectMoney: 3200000001");
    expect(letter.text).toContain("Статус: Оплачен");
  });

  it("a notification failing the hash check sends the fraud letter (10) once per notification", async () => {
    const forged = notification("5", "1.00", { hash: "0".repeat(32) });
    const outcome = await applyResult({ shopParam: "123", body: forged });
    expect(outcome).toMatchObject({ ok: false, reason: "bad_hash" });
    await applyResult({ shopParam: "123", body: notification("5", "1.00", { hash: "0".repeat(32) }) });
    await waitFor("letter 10", () => to(OWNER).some((m) => m.subject.startsWith("Подозрение на мошенническую операцию")), 20_000);
    expect(await db().mail.count({ where: { shopId, kind: 10 } })).toBe(1);
  });

  it("a refused checkout sends letter 7, and letter 10 when neither the signature nor the API confirm it", async () => {
    const shop = await addInstalledShop(stand.insales);
    await configureOrganization(shop.id);
    await connectGatewayDirectly(shop, "gw-password");
    const owner = `owner-${shop.insalesId}@example.com`;
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: [7, 10], notifyEmail: owner } });
    const order = stand.api.createOrder(shop.host, { amount: "1200.00" });
    const fields: Record<string, string> = {
      shop_id: shop.insalesId, amount: "1200.00", transaction_id: order.client_transaction_id!, key: order.key,
      description: `Заказ №${order.number} на сайте ${shop.host}`, order_id: String(order.id), phone: "", email: "buyer@example.com",
    };
    // Someone lowered the amount: the signature no longer matches and the order in InSales says 1200.00.
    const forged = { ...fields, signature: insalesCheckoutSignature(fields, "gw-password"), amount: "12.00" };
    expect(await startCheckout({ form: new URLSearchParams(forged), shopHint: null })).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(await startCheckout({ form: new URLSearchParams(forged), shopHint: null })).toMatchObject({ ok: false, reason: "bad_signature" });
    await waitFor("letters 7 and 10", () => to(owner).length === 2, 20_000);
    const subjects = to(owner).map((m) => m.subject).sort();
    expect(subjects[0]).toMatch(/^Не удалось создать счёт на оплату заказа №/);
    expect(subjects[1]).toMatch(/^Подозрение на мошенническую операцию/);
    expect(await db().mail.count({ where: { shopId: shop.id } })).toBe(2);
    expect(to("buyer@example.com").filter((m) => m.subject.includes(String(order.number)))).toHaveLength(0);
  });
});
