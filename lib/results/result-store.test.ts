// The result's version check (lib/results/result-store.ts): a notification decided on a payment that
// changed before its statement ran writes nothing and is decided again under the row lock; and a notice
// whose job was never queued (the process died between the commit and queueTransitionJobs) is queued by the
// sweeper.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { POST } from "../../app/api/intellectmoney/result/route";
import { db } from "../db";
import { resultNotificationHash } from "../intellectmoney/signatures";
import { formatKopecks } from "../money";
import { useTestDatabase } from "../../tests/support/use-test-database";
import { waitFor } from "../../tests/support/wait-for";
import { eventsOf, newPayment, noticeJobs, paymentRow, resultRequest, useResultWorld, type Paid } from "../../tests/support/result-test-support";
import { SWEEP_GRACE_SECONDS, sweepPendingNotices } from "../notices/notice-sweeper";

const database = useTestDatabase();

const world = useResultWorld();

/** IntellectMoney's «оплачен» (5) for `p`, signed with the shop's key. */
function paidBody(p: Paid): Record<string, string> {
  const f = {
    eshopId: p.eshopId, paymentId: p.invoice.paymentId, orderId: p.payment.imOrderId, eshopAccount: "ACC", serviceName: p.payment.description,
    recipientAmount: formatKopecks(p.payment.amountKopecks), recipientOriginalAmount: formatKopecks(p.payment.amountKopecks), recipientCurrency: p.payment.currency,
    paymentStatus: "5", userName: "Покупатель", userEmail: "buyer@example.com", paymentData: "2026-11-28 12:00:05", secretKey: "",
  };
  return { ...f, hash: resultNotificationHash(f, p.secretKey) };
}

describe("the version check", () => {
  it("decides again under the row lock when the payment changed after it was read: one transition, one notice, one letter", async () => {
    const p = await newPayment(world);
    await db().shopSettings.update({ where: { shopId: p.shop.id }, data: { mailKinds: [3], notifyEmail: "shop@example.com" } });
    expect((await paymentRow(p.payment.id)).status).toBe("CREATED");
    const body = paidBody(p);

    // Another writer holds the payment's row (as a concurrent copy would) while ten copies read CREATED and
    // queue on their UPDATE; it then moves the payment to HELD, so every copy's version check misses.
    const locker = new pg.Client({ connectionString: database.url });
    const watcher = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await watcher.connect();
    try {
      await locker.query("BEGIN");
      await locker.query(`SELECT 1 FROM "Payment" WHERE id = $1 FOR UPDATE`, [p.payment.id]);
      const answers = Array.from({ length: 10 }, () => POST(resultRequest(p.shop.insalesId, body)));
      await waitFor(
        "ten copies waiting on the row",
        async () => {
          // Neither through `locker` (pg_stat_activity is read once per transaction) nor through db() (the
          // copies hold every connection of its pool).
          const { rows } = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH upd AS%'`);
          return rows[0].n === 10;
        },
        5_000,
        10,
      );
      await locker.query(`UPDATE "Payment" SET status = 'HELD' WHERE id = $1`, [p.payment.id]);
      await locker.query("COMMIT");
      const settled = await Promise.all(answers);
      expect(settled.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(await Promise.all(settled.map((a) => a.text()))).toEqual(Array(10).fill("OK"));
    } finally {
      await locker.end();
      await watcher.end();
    }

    const row = await paymentRow(p.payment.id);
    expect(row).toMatchObject({ status: "PAID", paidKopecks: p.payment.amountKopecks, noticeState: "PENDING" });
    const events = await eventsOf(p.payment.id);
    const applied = events.filter((e) => e.type === "result_applied");
    expect(applied).toHaveLength(1);
    // Decided on HELD (what the lock showed), not on the CREATED every copy first read.
    expect(applied[0].data).toMatchObject({ from: "HELD", to: "PAID" });
    expect(events.filter((e) => e.type === "result_ignored")).toHaveLength(9);
    expect(events.filter((e) => e.type === "notice_queued")).toHaveLength(1);
    const notices = await db().insalesNotice.findMany({ where: { paymentId: p.payment.id } });
    expect(notices.map((n) => n.paid)).toEqual([1]);
    expect(await noticeJobs(notices[0].id)).toBe(1);
    expect(await db().mail.count({ where: { paymentId: p.payment.id, kind: 3 } })).toBe(1);
  });
});

describe("a crash between the commit and the jobs", () => {
  it("leaves a PENDING notice that sweep-notices queues once the grace period has passed", async () => {
    const p = await newPayment(world);
    const answer = await POST(resultRequest(p.shop.insalesId, paidBody(p)));
    expect(await answer.text()).toBe("OK");
    const notice = await db().insalesNotice.findFirstOrThrow({ where: { paymentId: p.payment.id } });
    // As if the process died before queueTransitionJobs: the state change and the notice are committed, no job.
    await db().$executeRaw`DELETE FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${notice.id}`;
    expect(await noticeJobs(notice.id)).toBe(0);

    const later = new Date(Date.now() + (SWEEP_GRACE_SECONDS + 1) * 1000);
    expect((await sweepPendingNotices({ now: later })).requeued).toBeGreaterThanOrEqual(1);
    expect(await noticeJobs(notice.id)).toBe(1);
    expect((await db().insalesNotice.findUniqueOrThrow({ where: { id: notice.id } })).state).toBe("PENDING");
  });
});
