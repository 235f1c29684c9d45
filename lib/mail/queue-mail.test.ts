// The 11 applicable letters end to end: the trigger inside a transaction → Mail row → the send-mail job
// on a real pg-boss → a real SMTP server on 127.0.0.1 (smtp-server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { resetEnvCache } from "../env";
import { getBoss, stopBoss } from "../jobs/queue";
import { startWorkers } from "../jobs/workers";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { listShopMails } from "./mail-query";
import { addMailPayment, addMailShop } from "../../tests/support/mail-test-support";
import { waitFor } from "../../tests/support/wait-for";
import { FLOOD_LIMIT_PER_HOUR, queuePaymentMails, type MailFacts, type MailTrigger } from "./queue-mail";
import { resetMailTransport, sendQueuedMail } from "./send-mail";
import { MAX_MAIL_ATTEMPTS, sweepPendingMails } from "./mail-sweeper";
import { TestSmtpServer } from "../../tests/support/test-smtp-server";

useTestDatabase();

const smtp = new TestSmtpServer();

beforeAll(async () => {
  await smtp.start();
  process.env.SMTP_URL = smtp.url;
  process.env.MAIL_FROM = "IntellectMoney <no-reply@app.test.local>";
  resetEnvCache();
  const boss = await getBoss();
  // The production back-off starts at 5 s and doubles; the outage test should not wait that long.
  await boss.updateQueue("send-mail", { name: "send-mail", retryLimit: 12, retryDelay: 1, retryBackoff: false });
  await startWorkers();
});

afterAll(async () => {
  await stopBoss();
  resetMailTransport();
  await smtp.stop();
  delete process.env.SMTP_URL;
  resetEnvCache();
});

async function trigger(input: { trigger: MailTrigger; shopId: string; paymentId?: string | null; eventKey?: string; facts?: MailFacts }) {
  return db().$transaction((tx) => queuePaymentMails(tx, { eventKey: input.trigger, ...input }));
}

const to = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

type Case = { kind: number; trigger: MailTrigger; recipient: "buyer" | "shop"; subject: RegExp; facts?: MailFacts; noPayment?: boolean };

const CASES: Case[] = [
  { kind: 1, trigger: "invoice_created", recipient: "buyer", subject: /^Счёт на оплату заказа №\d+ — Магазин / },
  { kind: 2, trigger: "invoice_created", recipient: "shop", subject: /^Создан счёт на оплату заказа №\d+ — Магазин / },
  { kind: 3, trigger: "paid", recipient: "shop", subject: /^Заказ №\d+ оплачен полностью — / },
  { kind: 4, trigger: "notice_failed", recipient: "shop", subject: /^Не удалось сообщить InSales об оплате заказа №\d+ — /, facts: { reason: "InSales ответил 403" } },
  { kind: 5, trigger: "invoice_created", recipient: "buyer", subject: /^Счёт на оплату заказа №\d+ — / },
  { kind: 6, trigger: "held", recipient: "shop", subject: /^Средства по заказу №\d+ заблокированы \(холд\) — / },
  {
    kind: 7, trigger: "invoice_failed", recipient: "shop", subject: /^Не удалось создать счёт на оплату заказа №555 — /, noPayment: true,
    facts: { orderNumber: "555", amountKopecks: 100000n, reason: "настройки IntellectMoney не заполнены" },
  },
  { kind: 8, trigger: "refunded", recipient: "shop", subject: /^Возврат по заказу №\d+ — /, facts: { eventAmountKopecks: 120000n } },
  { kind: 9, trigger: "refunded", recipient: "buyer", subject: /^Возврат по заказу №\d+ — /, facts: { eventAmountKopecks: 120000n } },
  { kind: 10, trigger: "fraud", recipient: "shop", subject: /^Подозрение на мошенническую операцию: заказ №\d+ — /, facts: { reason: "hash не совпал" } },
  { kind: 11, trigger: "overpaid", recipient: "shop", subject: /^Переплата по заказу №\d+ — /, facts: { eventAmountKopecks: 150000n } },
];

describe("each applicable kind, checkbox on", () => {
  it.each(CASES)("kind $kind: $trigger → exactly one letter to the $recipient with its subject", async (c) => {
    const shop = await addMailShop({ kinds: [c.kind] });
    const payment = c.noPayment ? null : await addMailPayment(shop.id);
    const queued = await trigger({ trigger: c.trigger, shopId: shop.id, paymentId: payment?.id ?? null, facts: c.facts });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: c.kind, state: "PENDING" });

    const address = c.recipient === "buyer" ? payment!.buyerEmail : shop.notifyEmail;
    const other = c.recipient === "buyer" ? shop.notifyEmail : (payment?.buyerEmail ?? "nobody@example.com");
    await waitFor("SENT", () => db().mail.findFirst({ where: { id: queued[0].id, state: "SENT" } }).then((m) => m ?? undefined), 20_000);
    const received = to(address);
    expect(received).toHaveLength(1);
    expect(received[0].subject).toMatch(c.subject);
    expect(received[0].messageId).toBe(`<${queued[0].id}@intellectmoney-insales>`);
    expect(received[0].from).toBe("no-reply@app.test.local");
    expect(to(other)).toHaveLength(0);
    const rows = await db().mail.findMany({ where: { shopId: shop.id } });
    expect(rows.map((r) => [r.kind, r.to, r.state, r.attempts])).toEqual([[c.kind, address, "SENT", 1]]);
    expect(rows[0].sentAt).toBeInstanceOf(Date);
  });
});

describe("each applicable kind, checkbox off", () => {
  it.each(CASES)("kind $kind: $trigger queues no letter of that kind", async (c) => {
    // Every other kind on; for the «счёт создан» buyer letter both of its checkboxes (1 and 5) off.
    const off = c.kind === 1 || c.kind === 5 ? [1, 5] : [c.kind];
    const shop = await addMailShop({ kinds: Array.from({ length: 13 }, (_, i) => i + 1).filter((k) => !off.includes(k)) });
    const payment = c.noPayment ? null : await addMailPayment(shop.id);
    const queued = await trigger({ trigger: c.trigger, shopId: shop.id, paymentId: payment?.id ?? null, facts: c.facts });
    expect(queued.map((m) => m.kind)).not.toContain(c.kind);
    expect(await db().mail.count({ where: { shopId: shop.id, kind: { in: off } } })).toBe(0);
    if (c.recipient === "buyer" && payment) {
      expect(await db().mail.count({ where: { shopId: shop.id, to: payment.buyerEmail } })).toBe(0);
    }
  });
});

describe("queueing rules", () => {
  it("sends one «счёт создан» letter to the buyer when both 1 and 5 are on", async () => {
    const shop = await addMailShop({ kinds: [1, 5] });
    const payment = await addMailPayment(shop.id);
    const queued = await trigger({ trigger: "invoice_created", shopId: shop.id, paymentId: payment.id });
    expect(queued.map((m) => m.kind)).toEqual([1]);
    await waitFor("the buyer letter", () => to(payment.buyerEmail).length === 1, 20_000);
    // Switching 1 off and 5 on between repeats still cannot produce a second letter for the same invoice.
    await db().shopSettings.update({ where: { shopId: shop.id }, data: { mailKinds: [5] } });
    expect(await trigger({ trigger: "invoice_created", shopId: shop.id, paymentId: payment.id })).toEqual([]);
    expect(await db().mail.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("a repeated event (same eventKey) never makes a second letter; a new event does", async () => {
    const shop = await addMailShop({ kinds: [8, 9] });
    const payment = await addMailPayment(shop.id, { status: "PAID" });
    const first = await trigger({ trigger: "refunded", shopId: shop.id, paymentId: payment.id, eventKey: "refunded:50000", facts: { eventAmountKopecks: 50000n } });
    expect(first).toHaveLength(2);
    const again = await trigger({ trigger: "refunded", shopId: shop.id, paymentId: payment.id, eventKey: "refunded:50000", facts: { eventAmountKopecks: 50000n } });
    expect(again).toEqual([]);
    await waitFor("the refund letters", () => to(shop.notifyEmail).length === 1 && to(payment.buyerEmail).length === 1, 20_000);
    const next = await trigger({ trigger: "refunded", shopId: shop.id, paymentId: payment.id, eventKey: "refunded:120000", facts: { eventAmountKopecks: 70000n } });
    expect(next).toHaveLength(2);
    await waitFor("the second refund letters", () => to(shop.notifyEmail).length === 2 && to(payment.buyerEmail).length === 2, 20_000);
    expect(await db().mail.count({ where: { shopId: shop.id } })).toBe(4);
  });

  it("a letter exists only if the transaction of its event commits", async () => {
    const shop = await addMailShop({ kinds: [3] });
    const payment = await addMailPayment(shop.id);
    await expect(
      db().$transaction(async (tx) => {
        await queuePaymentMails(tx, { trigger: "paid", shopId: shop.id, paymentId: payment.id, eventKey: "paid" });
        throw new Error("payment update failed");
      }),
    ).rejects.toThrow("payment update failed");
    expect(await db().mail.count({ where: { shopId: shop.id } })).toBe(0);
    const jobs = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'send-mail' AND data->>'mailId' IS NOT NULL AND singleton_key NOT IN (SELECT id::text FROM "Mail")`;
    expect(Number(jobs[0].n)).toBe(0);
  });

  it("skips letters without a usable recipient, for uninstalled shops and for another shop's payment", async () => {
    const noEmail = await addMailShop({ kinds: [1, 2, 3], notifyEmail: null });
    const p1 = await addMailPayment(noEmail.id, { buyerEmail: null });
    expect(await trigger({ trigger: "invoice_created", shopId: noEmail.id, paymentId: p1.id })).toEqual([]);
    const badEmail = await addMailShop({ kinds: [2], notifyEmail: "owner@example.com\r\nBcc: x@example.com" });
    const p2 = await addMailPayment(badEmail.id);
    expect(await trigger({ trigger: "invoice_created", shopId: badEmail.id, paymentId: p2.id })).toEqual([]);

    const gone = await addMailShop({ kinds: [3] });
    const p3 = await addMailPayment(gone.id);
    await db().shop.update({ where: { id: gone.id }, data: { status: "UNINSTALLED" } });
    expect(await trigger({ trigger: "paid", shopId: gone.id, paymentId: p3.id })).toEqual([]);

    const a = await addMailShop({ kinds: [3] });
    const b = await addMailShop({ kinds: [3] });
    const pb = await addMailPayment(b.id);
    expect(await trigger({ trigger: "paid", shopId: a.id, paymentId: pb.id })).toEqual([]);
    expect(await db().mail.count({ where: { shopId: { in: [noEmail.id, badEmail.id, gone.id, a.id, b.id] } } })).toBe(0);
  });
});

describe("delivery", () => {
  it("keeps a mail PENDING while SMTP is down and delivers it once the server is back", async () => {
    const shop = await addMailShop({ kinds: [3] });
    const payment = await addMailPayment(shop.id);
    await smtp.stop();
    try {
      const [mail] = await trigger({ trigger: "paid", shopId: shop.id, paymentId: payment.id });
      const failed = await waitFor(
        "two failed attempts",
        () => db().mail.findFirst({ where: { id: mail.id, attempts: { gte: 2 } } }).then((m) => m ?? undefined),
        20_000,
      );
      expect(failed.state).toBe("PENDING");
      expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(to(shop.notifyEmail)).toHaveLength(0);
    } finally {
      await smtp.start();
    }
    await waitFor("delivery after the outage", () => to(shop.notifyEmail).length === 1, 20_000);
    const sent = await waitFor("SENT", () => db().mail.findFirst({ where: { shopId: shop.id, state: "SENT" } }).then((m) => m ?? undefined), 10_000);
    expect(sent.lastError).toBeNull();
    expect(sent.attempts).toBeGreaterThanOrEqual(3);
  });

  it("never re-sends a SENT mail", async () => {
    const shop = await addMailShop({ kinds: [6] });
    const payment = await addMailPayment(shop.id);
    const [mail] = await trigger({ trigger: "held", shopId: shop.id, paymentId: payment.id });
    await waitFor("SENT", () => db().mail.findFirst({ where: { id: mail.id, state: "SENT" } }).then((m) => m ?? undefined), 20_000);
    expect(await sendQueuedMail(mail.id, { finalAttempt: false })).toEqual({ ok: true, result: "not_pending" });
    expect(to(shop.notifyEmail)).toHaveLength(1);
  });

  it("marks the mail FAILED when its last attempt fails", async () => {
    const shop = await addMailShop({ kinds: [3] });
    const mail = await db().mail.create({
      data: { shopId: shop.id, kind: 3, dedupeKey: `3:${shop.id}:final`, to: shop.notifyEmail, subject: "s", text: "t", html: "<p>t</p>", state: "PENDING", attempts: 12 },
    });
    await smtp.stop();
    try {
      const outcome = await sendQueuedMail(mail.id, { finalAttempt: true });
      expect(outcome).toMatchObject({ ok: false, reason: "smtp_error", final: true });
    } finally {
      await smtp.start();
    }
    const row = await db().mail.findUniqueOrThrow({ where: { id: mail.id } });
    expect(row.state).toBe("FAILED");
    expect(row.attempts).toBe(13);
    expect(row.lastError).toBeTruthy();
  });

  it("the sweeper re-queues a PENDING mail that lost its job, and fails one out of attempts", async () => {
    const shop = await addMailShop({ kinds: [3] });
    const old = new Date(Date.now() - 10 * 60 * 1000);
    const lost = await db().mail.create({
      data: { shopId: shop.id, kind: 3, dedupeKey: `3:${shop.id}:lost`, to: shop.notifyEmail, subject: "Потерянное письмо", text: "t", html: "<p>t</p>", state: "PENDING", createdAt: old },
    });
    const spent = await db().mail.create({
      data: { shopId: shop.id, kind: 3, dedupeKey: `3:${shop.id}:spent`, to: shop.notifyEmail, subject: "s", text: "t", html: "<p>t</p>", state: "PENDING", attempts: MAX_MAIL_ATTEMPTS, createdAt: old },
    });
    const outcome = await sweepPendingMails();
    expect(outcome.requeued).toBeGreaterThanOrEqual(1);
    expect(outcome.failed).toBeGreaterThanOrEqual(1);
    await waitFor("the swept letter", () => to(shop.notifyEmail).some((m) => m.subject === "Потерянное письмо"), 20_000);
    expect((await db().mail.findUniqueOrThrow({ where: { id: spent.id } })).state).toBe("FAILED");
    await waitFor("SENT", () => db().mail.findFirst({ where: { id: lost.id, state: "SENT" } }).then((m) => m ?? undefined), 10_000);
    // A mail with a live job is left alone.
    expect(await sweepPendingMails()).toEqual({ requeued: 0, failed: 0 });
  });
});

describe("without SMTP_URL", () => {
  it("stores the letters (no job) and lists them for their shop only, buyers masked, newest first", async () => {
    const saved = process.env.SMTP_URL;
    delete process.env.SMTP_URL;
    resetEnvCache();
    try {
      const shop = await addMailShop({ kinds: [1, 2] });
      const other = await addMailShop({ kinds: [1, 2] });
      const payment = await addMailPayment(shop.id, { buyerEmail: "buyer@example.com" });
      const otherPayment = await addMailPayment(other.id);
      const queued = await trigger({ trigger: "invoice_created", shopId: shop.id, paymentId: payment.id });
      await trigger({ trigger: "invoice_created", shopId: other.id, paymentId: otherPayment.id });
      expect(queued.map((m) => m.state)).toEqual(["STORED", "STORED"]);
      const ids = queued.map((m) => m.id);
      const jobs = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE singleton_key = ANY(${ids})`;
      expect(Number(jobs[0].n)).toBe(0);

      const list = await listShopMails(shop.id, 1);
      expect(list.total).toBe(2);
      expect(list.items.every((m) => m.state === "STORED")).toBe(true);
      expect(list.items.map((m) => m.to).sort()).toEqual(["b***r@example.com", shop.notifyEmail].sort());
      const dates = list.items.map((m) => m.createdAt.getTime());
      expect(dates).toEqual([...dates].sort((x, y) => y - x));
      expect(JSON.stringify(list)).not.toContain(other.notifyEmail);
    } finally {
      process.env.SMTP_URL = saved;
      resetEnvCache();
    }
  });

  it("limits letters anyone could trigger (fraud, invoice not created) per shop and hour", async () => {
    const saved = process.env.SMTP_URL;
    delete process.env.SMTP_URL;
    resetEnvCache();
    try {
      const shop = await addMailShop({ kinds: [10] });
      for (let i = 0; i < FLOOD_LIMIT_PER_HOUR + 5; i += 1) {
        await trigger({ trigger: "fraud", shopId: shop.id, eventKey: `forged-${i}`, facts: { reason: "подпись не совпала" } });
      }
      expect(await db().mail.count({ where: { shopId: shop.id, kind: 10 } })).toBe(FLOOD_LIMIT_PER_HOUR);
    } finally {
      process.env.SMTP_URL = saved;
      resetEnvCache();
    }
  });
});
