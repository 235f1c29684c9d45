import { describe, expect, it } from "vitest";
import { insalesNoticeSignature } from "../../e2e/stand-ins/insales-external-payments";
import { encryptSecret } from "../crypto";
import { db } from "../db";
import { stopBoss } from "../jobs/queue";
import { startWorkers } from "../jobs/workers";
import { recordRoundTrips } from "../../tests/support/count-round-trips";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { waitFor } from "../../tests/support/wait-for";
import { newPayment, paymentRow, useResultWorld, type Paid } from "../../tests/support/result-test-support";
import { sweepPendingNotices } from "./notice-sweeper";
import { deliverNotice, describeInsalesErrors } from "./notify-insales";

useTestDatabase();

const world = useResultWorld();

/** A PAID payment whose paid=1 notice is PENDING (its job queued, no worker running yet). */
async function paidWithNotice(o: Parameters<typeof newPayment>[1] = {}): Promise<Paid & { noticeId: string }> {
  const p = await newPayment(world, o);
  const sent = await world.im.notify(p.invoice.paymentId, "5");
  expect(sent.body).toBe("OK");
  const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId: p.payment.id } });
  return { ...p, noticeId: notice.id };
}

function serverNotices(p: Paid) {
  return world.ext.noticesFor(p.shop.host, p.payment.transactionId).filter((n) => n.channel === "server");
}

async function jobStartAfter(noticeId: string): Promise<Date[]> {
  const rows = await db().$queryRaw<Array<{ start_after: Date }>>`
    SELECT start_after FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${noticeId} AND state = 'created' ORDER BY created_on`;
  return rows.map((r) => r.start_after);
}

describe("notify-insales (direct attempts)", () => {
  it("delivers a signed paid=1 notice, marks the order paid and never sends a delivered notice again", async () => {
    const p = await paidWithNotice();
    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "delivered" });
    const notices = serverNotices(p);
    expect(notices).toHaveLength(1);
    expect(notices[0].valid).toBe(true);
    const f = notices[0].fields;
    expect(f).toMatchObject({ paid: "1", amount: p.payment.amountRaw, key: p.payment.orderKey, transaction_id: p.payment.transactionId, shop_id: p.payment.insalesShopIdRaw });
    expect(f.signature).toBe(insalesNoticeSignature(f, "secretpass"));
    expect(p.order.financial_status).toBe("paid");

    const notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } });
    expect(notice).toMatchObject({ state: "DELIVERED", attempts: 1, lastError: null });
    expect((await paymentRow(p.payment.id)).noticeState).toBe("DELIVERED");
    expect(await db().paymentEvent.count({ where: { paymentId: p.payment.id, type: "notice_delivered" } })).toBe(1);

    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "not_pending" });
    expect(serverNotices(p)).toHaveLength(1);
  });

  it("delivers in 3 SQL round trips: the notice read, the attempt counted, the delivery recorded", async () => {
    // After a sale the worker delivers one notice per paid order while the burst lasts (docs/PERFORMANCE.md).
    const p = await paidWithNotice();
    const { result, sql } = await recordRoundTrips(() => deliverNotice(p.noticeId));
    expect(result).toEqual({ ok: true, result: "delivered" });
    expect(sql.length, `delivery statements:\n${sql.join("\n---\n")}`).toBe(3);
    const payment = await db().payment.findUniqueOrThrow({ where: { id: p.payment.id }, include: { events: true } });
    expect(payment.noticeState).toBe("DELIVERED");
    expect(payment.events.filter((e) => e.type === "notice_delivered")).toHaveLength(1);
  });

  it("retries when InSales is unreachable and delivers once it is up", async () => {
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).down = true;
    const first = await deliverNotice(p.noticeId);
    expect(first).toMatchObject({ ok: false, reason: "retry", retryInSeconds: 15 });
    let notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } });
    expect(notice.state).toBe("PENDING");
    expect(notice.attempts).toBe(1);
    expect(notice.lastError).toContain("нет ответа от InSales");
    expect((await jobStartAfter(p.noticeId)).length).toBeGreaterThanOrEqual(1);

    world.ext.knobs(p.shop.host).down = false;
    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "delivered" });
    notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } });
    expect(notice).toMatchObject({ state: "DELIVERED", attempts: 2 });
    expect(serverNotices(p).filter((n) => n.valid)).toHaveLength(1);
  });

  it("schedules the next attempt after Retry-After on 503 and 429", async () => {
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).unavailable = { count: 1, status: 503, retryAfter: 120 };
    // As if a worker had taken the queued job: the follow-up is then the only waiting one.
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${p.noticeId}`;
    const before = Date.now();
    expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "retry", retryInSeconds: 120 });
    const [startAfter] = (await jobStartAfter(p.noticeId)).slice(-1);
    expect(startAfter.getTime()).toBeGreaterThanOrEqual(before + 119_000);

    world.ext.knobs(p.shop.host).unavailable = { count: 1, status: 429, retryAfter: 7 };
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${p.noticeId}`;
    expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "retry", retryInSeconds: 7 });
    const [next] = await jobStartAfter(p.noticeId);
    expect(next.getTime() - Date.now()).toBeGreaterThan(5_000);
  });

  it("fails for good on an error list: a Problem, an event, FAILED, no more attempts", async () => {
    const p = await paidWithNotice();
    // The «Пароль» in InSales no longer matches ours: InSales answers «signature is not valid».
    await db().shopGateway.update({ where: { shopId: p.shop.id }, data: { passwordEnc: encryptSecret("stale-password") } });
    expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "rejected", error: "signature is not valid" });
    const notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } });
    expect(notice).toMatchObject({ state: "FAILED", lastError: "signature is not valid" });
    expect((await paymentRow(p.payment.id)).noticeState).toBe("FAILED");
    const problem = await db().problem.findFirstOrThrow({ where: { paymentId: p.payment.id } });
    expect(problem.kind).toBe("notice_rejected");
    expect(problem.message).toContain("подпись не принята");
    expect(await db().paymentEvent.count({ where: { paymentId: p.payment.id, type: "notice_rejected" } })).toBe(1);
    expect(p.order.financial_status).toBe("pending");
    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "not_pending" });
  });

  it("gives up after about a day of failed attempts", async () => {
    const p = await paidWithNotice();
    await db().insalesNotice.update({ where: { id: p.noticeId }, data: { createdAt: new Date(Date.now() - 24 * 3600_000 + 5_000) } });
    world.ext.knobs(p.shop.host).unavailable = { count: 1, status: 503, retryAfter: 60 };
    expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "gave_up" });
    expect(await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).toMatchObject({ state: "FAILED" });
    expect((await db().problem.findFirstOrThrow({ where: { paymentId: p.payment.id } })).kind).toBe("notice_failed");
  });

  it("signs with the IntellectMoney secret key for a method set up by hand", async () => {
    const p = await paidWithNotice();
    await db().payment.update({ where: { id: p.payment.id }, data: { insalesPasswordSource: "secret_key" } });
    world.ext.setManual(p.shop.host, { password: p.secretKey });
    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "delivered" });
    expect(serverNotices(p)[0].fields.signature).toBe(insalesNoticeSignature(serverNotices(p)[0].fields, p.secretKey));
  });

  it("sends paid=0 for a cancelled invoice", async () => {
    const p = await newPayment(world);
    await world.im.notify(p.invoice.paymentId, "4");
    const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId: p.payment.id } });
    expect(await deliverNotice(notice.id)).toEqual({ ok: true, result: "delivered" });
    expect(serverNotices(p)[0].fields.paid).toBe("0");
    expect(p.order.financial_status).toBe("pending");
  });

  it("words InSales's errors for the merchant", () => {
    expect(describeInsalesErrors(["amount is not valid", "something new"])).toBe("сумма не совпадает с суммой заказа; something new");
  });
});

describe("notify-insales and http→https (docs/protocols/insales.md §2 «http vs https»)", () => {
  const serverPath = (p: Paid) => `/shops/${p.shop.host}/payments/external/server`;

  it.each([301, 302, 307, 308] as const)("follows a same-host %i to https at once: the same body re-posted over TLS, one attempt, no 24-hour retry", async (status) => {
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).redirect = { to: "https", status };
    try {
      expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "delivered" });
    } finally {
      world.ext.knobs(p.shop.host).redirect = null;
    }
    const notices = serverNotices(p);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ valid: true, tls: true, fields: { paid: "1", transaction_id: p.payment.transactionId } });
    expect(notices[0].fields.signature).toBe(insalesNoticeSignature(notices[0].fields, "secretpass"));
    expect(world.ext.attempts.filter((a) => a.host === p.shop.host).map((a) => a.answer)).toEqual([`redirect ${status}`, '{"status":"ok"}']);
    expect(await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).toMatchObject({ state: "DELIVERED", attempts: 1, lastError: null });
    // No retry was scheduled: the redirect was followed within the attempt.
    expect(await db().paymentEvent.count({ where: { paymentId: p.payment.id, type: "notice_retry" } })).toBe(0);
    expect(p.order.financial_status).toBe("paid");
  });

  it("keeps the https URL it was redirected to, so the next notice goes there directly", async () => {
    const p = await paidWithNotice();
    const httpUrl = `${world.insales.insales.url}${serverPath(p)}`;
    await db().shopGateway.update({ where: { shopId: p.shop.id }, data: { serverUrl: httpUrl } });
    world.ext.knobs(p.shop.host).redirect = { to: "https", status: 301 };
    try {
      expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "delivered" });
      expect((await db().shopGateway.findUniqueOrThrow({ where: { shopId: p.shop.id } })).serverUrl).toBe(`${world.insales.insales.secureUrl}${serverPath(p)}`);

      // The refund's paid=0 of the same shop: straight to https, no redirect met.
      const second = await paidWithNotice({ shop: { ...p.shop, eshopId: p.eshopId, secretKey: p.secretKey } });
      const before = world.ext.attempts.filter((a) => a.host === p.shop.host).length;
      expect(await deliverNotice(second.noticeId)).toEqual({ ok: true, result: "delivered" });
      expect(world.ext.attempts.filter((a) => a.host === p.shop.host).slice(before).map((a) => a.answer)).toEqual(['{"status":"ok"}']);
      expect(serverNotices(second)[0]).toMatchObject({ valid: true, tls: true });
    } finally {
      world.ext.knobs(p.shop.host).redirect = null;
    }
  });

  it("never follows a redirect to another host: FAILED at once, a Problem for the merchant, nothing delivered", async () => {
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).redirect = { to: "other_host", status: 301 };
    try {
      expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "redirect_refused" });
    } finally {
      world.ext.knobs(p.shop.host).redirect = null;
    }
    // `localhost` would have answered (the same stand-in), but it is another host name.
    expect(serverNotices(p)).toEqual([]);
    expect(world.ext.attempts.filter((a) => a.host === p.shop.host).map((a) => a.answer)).toEqual(["redirect 301"]);
    const notice = await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } });
    expect(notice).toMatchObject({ state: "FAILED", attempts: 1 });
    expect(notice.lastError).toContain("на другой адрес: localhost:");
    const problem = await db().problem.findFirstOrThrow({ where: { paymentId: p.payment.id } });
    expect(problem).toMatchObject({ kind: "notice_failed", resolvedAt: null });
    expect(problem.message).toContain("перенаправил уведомление (301) на другой адрес");
    expect(problem.message).toContain("отметьте оплату заказа вручную");
    expect(p.order.financial_status).toBe("pending");
    expect(await deliverNotice(p.noticeId)).toEqual({ ok: true, result: "not_pending" });
  });

  it("does not follow a 303 (it asks for a GET), even to the same host on https", async () => {
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).redirect = { to: "https", status: 303 };
    try {
      expect(await deliverNotice(p.noticeId)).toMatchObject({ ok: false, reason: "redirect_refused" });
    } finally {
      world.ext.knobs(p.shop.host).redirect = null;
    }
    expect(serverNotices(p)).toEqual([]);
  });

  it("posts an old row's http URL on a shop's technical host as https, without meeting the redirect", async () => {
    const p = await paidWithNotice();
    // Nothing listens on the shop's real host here: the attempt fails, but the log of it names the https URL.
    await db().shopGateway.update({ where: { shopId: p.shop.id }, data: { serverUrl: `http://${p.shop.host}/payments/external/server` } });
    const { noticeServerUrl } = await import("./notify-insales-fields");
    const gateway = await db().shopGateway.findUniqueOrThrow({ where: { shopId: p.shop.id } });
    expect(noticeServerUrl(p.shop.host, gateway)).toBe(`https://${p.shop.host}/payments/external/server`);
  });
});

describe("the sweeper", () => {
  it("re-queues a pending notice that lost its job, and fails one past its deadline", async () => {
    const p = await paidWithNotice();
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${p.noticeId}`;
    expect(await sweepPendingNotices()).toEqual({ requeued: 0, failed: 0 }); // still within the grace period
    const later = new Date(Date.now() + 10 * 60_000);
    expect((await sweepPendingNotices({ now: later })).requeued).toBeGreaterThanOrEqual(1);
    expect(await jobStartAfter(p.noticeId)).toHaveLength(1);
    // With a live job it is left alone.
    const again = await sweepPendingNotices({ now: later });
    expect(again.requeued).toBe(0);

    const old = await paidWithNotice();
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${old.noticeId}`;
    await db().$executeRaw`UPDATE "InsalesNotice" SET "createdAt" = now() - interval '25 hours', "updatedAt" = now() - interval '25 hours' WHERE id = ${old.noticeId}::uuid`;
    expect((await sweepPendingNotices()).failed).toBe(1);
    expect(await db().insalesNotice.findUniqueOrThrow({ where: { id: old.noticeId } })).toMatchObject({ state: "FAILED" });
  });
});

describe("notify-insales through the workers", () => {
  it("honours Retry-After between attempts and delivers exactly once across a restart", async () => {
    // Anything queued by the tests above is settled first, so only this notice is in flight.
    const p = await paidWithNotice();
    world.ext.knobs(p.shop.host).unavailable = { count: 1, status: 503, retryAfter: 3 };
    await startWorkers();
    await waitFor("the first attempt", async () => world.ext.attempts.find((a) => a.host === p.shop.host));
    const firstAt = world.ext.attempts.filter((a) => a.host === p.shop.host)[0].at;

    // "Restart": the process stops while the follow-up waits for its Retry-After, then comes back.
    await stopBoss();
    await startWorkers();
    await waitFor("delivery", async () => (await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).state === "DELIVERED");
    const attempts = world.ext.attempts.filter((a) => a.host === p.shop.host);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - firstAt).toBeGreaterThanOrEqual(3_000);
    expect(serverNotices(p)).toHaveLength(1);
    expect(p.order.financial_status).toBe("paid");
  });

  it("works a burst of notices in parallel, each delivered exactly once", async () => {
    await stopBoss();
    const first = await paidWithNotice();
    const burst = [first];
    // Same shop, so the knob below slows every notice of the burst.
    for (let i = 0; i < 11; i++) burst.push(await paidWithNotice({ shop: { ...first.shop, eshopId: first.eshopId, secretKey: first.secretKey } }));
    world.ext.knobs(first.shop.host).latencyMs = 400;
    world.ext.maxInFlight = 0;
    await startWorkers();
    await waitFor("every notice of the burst", async () => (await db().insalesNotice.count({ where: { id: { in: burst.map((p) => p.noticeId) }, state: "DELIVERED" } })) === burst.length);
    world.ext.knobs(first.shop.host).latencyMs = 0;
    // One worker handling one notice at a time would never have two in flight.
    expect(world.ext.maxInFlight).toBeGreaterThan(1);
    for (const p of burst) expect(serverNotices(p).filter((n) => n.valid)).toHaveLength(1);
  });

  it("a shop whose InSales hangs does not hold up other shops' notices", async () => {
    await stopBoss();
    const slow = await paidWithNotice();
    // Answers after 6 s (under the 20 s request timeout): a shop server that hangs but does not fail.
    world.ext.knobs(slow.shop.host).latencyMs = 6_000;
    world.ext.maxInFlight = 0;
    await startWorkers();
    await waitFor("the slow shop's request to be in flight", async () => world.ext.maxInFlight >= 1);
    // Another shop's payment is paid while that request hangs.
    const other = await paidWithNotice();
    await waitFor("the other shop's delivery", async () => (await db().insalesNotice.findUniqueOrThrow({ where: { id: other.noticeId } })).state === "DELIVERED");
    // Delivered while the slow shop's request was still hanging: it did not wait its turn behind it.
    expect((await db().insalesNotice.findUniqueOrThrow({ where: { id: slow.noticeId } })).state).toBe("PENDING");
    await waitFor("the slow shop's delivery", async () => (await db().insalesNotice.findUniqueOrThrow({ where: { id: slow.noticeId } })).state === "DELIVERED");
    world.ext.knobs(slow.shop.host).latencyMs = 0;
    expect(serverNotices(slow).filter((n) => n.valid)).toHaveLength(1);
    expect(serverNotices(other).filter((n) => n.valid)).toHaveLength(1);
  });

  it("delivers a notice queued while no worker ran, once, after a restart", async () => {
    await stopBoss();
    const p = await paidWithNotice(); // queued with the state change; nobody is working
    world.ext.knobs(p.shop.host).down = true;
    await startWorkers();
    await waitFor("a failed attempt", async () => (await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).attempts >= 1);
    await stopBoss();
    world.ext.knobs(p.shop.host).down = false;
    // The follow-up waits out its back-off; bring it forward as if the time had passed.
    await db().$executeRaw`UPDATE pgboss.job SET start_after = now() WHERE name = 'notify-insales' AND singleton_key = ${p.noticeId} AND state = 'created'`;
    await startWorkers();
    await waitFor("delivery", async () => (await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).state === "DELIVERED");
    await new Promise((r) => setTimeout(r, 1500)); // nothing else arrives later
    expect(serverNotices(p).filter((n) => n.valid)).toHaveLength(1);
    expect((await db().insalesNotice.findUniqueOrThrow({ where: { id: p.noticeId } })).attempts).toBe(2);
  });
});
