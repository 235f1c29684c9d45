// A proven result moving a payment along the state table (lib/payments/state.ts): the decision, its
// statement and the jobs after it. "Proven" means its hash checked out (lib/results/apply-result.ts) or
// the merchant confirmed it as a claim (lib/results/claims.ts); both take this one path, so a confirmed
// claim makes the same state change, the same InSales notice and the same letters as a verified result.
//
// The transition (docs/PERFORMANCE.md «Result notifications»; lib/results/result-store.ts) is decided in
// memory on the payment as read together with the shop, and written by one statement under a version
// check (the payment must still be in the state the decision was made on) together with its events, the
// InsalesNotice row and the letters; only then is `OK` answered. When a concurrent copy changed the
// payment first, the decision is made again under a row lock (SELECT … FOR UPDATE) in a transaction. So
// concurrent copies of one notification make exactly one state change and one notice (docs/ARCHITECTURE.md
// convention 4). The notice's and letters' jobs are queued right after the commit; the sweepers queue
// any a crash left without one.
import { randomUUID } from "node:crypto";
import { inTransaction, type Tx } from "../db";
import type { Payment } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { log } from "../log";
import { enqueue } from "../jobs/queue";
import { logLettersQueued, newMailState, planPaymentMails, sendMailJobs, type PlannedMail, type QueuePaymentMailsInput } from "../mail/queue-mail";
import { notifyInsalesJob } from "../notices/notify-insales-queue";
import { formatRubles } from "../money";
import { insalesNoticeFor, isOverpaid, letterFor, planResultFor, STATUS_TEXT, totalOf, totalsAfter } from "../payments/state";
import { eventRow, type EventRow } from "../payments/event-store";
import { lockPayment, writeResult, type PaymentChange, type ResultWrite, type ShopWithSettings } from "./result-store";

export type ProvenBy = "hash" | "merchant";

export type TransitionOutcome = { ok: true; result: "applied" | "unchanged"; paymentId: string; status: PaymentStatus };

/** The notification's own facts a transition reads (a claim keeps the same ones). */
export type ResultFacts = {
  /** `paymentStatus` as received. */
  paymentStatus: string;
  /** `paymentId`: the IntellectMoney invoice (СКО). */
  paymentId: string;
  /** `recipientAmount` as received. */
  recipientAmount: string;
};

export type TransitionInput = {
  shop: ShopWithSettings;
  payment: Payment;
  n: ResultFacts;
  next: PaymentStatus;
  paid: bigint;
  refund: bigint | undefined;
  provenBy: ProvenBy;
  /** The received fields for the timeline (never the hash). */
  data: Record<string, unknown>;
};

/** What one notification does to the payment as it stands: the statement's input and the answer. */
type Decision = {
  outcome: TransitionOutcome;
  write: Omit<ResultWrite, "mails">;
  /** The letters' triggers, rendered against `after`. */
  mails: QueuePaymentMailsInput[];
  /** The payment as the statement leaves it (what the letters describe). */
  after: Payment;
};

export type WrittenTransition = { decision: Decision; mails: PlannedMail[]; noticeId: string | null; mailIds: string[] };

/** A proven result, end to end: decided, written (fast path or under the lock), jobs queued. */
export async function applyTransition(t: TransitionInput): Promise<TransitionOutcome> {
  const { shop } = t;
  const paymentId = t.payment.id;

  // Fast path: decided on the payment as read with the shop, written only if it is still in that state.
  let decision = decide(t.payment, t);
  let mails = await planMails(decision, t);
  const fast = await writeResult({ ...decision.write, mails });
  let written: WrittenTransition;
  if (fast.written) {
    written = { decision, mails, noticeId: fast.noticeId, mailIds: fast.mailIds };
  } else {
    // A concurrent copy (or a newer notification) changed the payment since it was read. Decide again on
    // the current row under its lock; copies queue up here and each sees what the previous one left.
    log.debug({ shopId: shop.id, paymentId }, "result: payment changed since it was read; deciding again under the row lock");
    written = await inTransaction(
      async (tx) => writeTransitionLocked(tx, await lockPayment(tx, paymentId), t),
      // Copies of one notification wait for the lock in turn; give them room.
      { maxWait: 10_000, timeout: 20_000 },
    );
    ({ decision, mails } = written);
  }
  await queueTransitionJobs(shop.id, paymentId, written);
  const outcome = decision.outcome;
  log.info({ shopId: shop.id, paymentId, paymentStatus: t.n.paymentStatus, result: outcome.result, verification: t.provenBy }, "result: notification accepted");
  return outcome;
}

/**
 * Decides and writes on `current`, which the caller holds under its row lock in `tx` (so the version
 * check holds by construction). The caller queues the jobs after its commit (queueTransitionJobs).
 */
export async function writeTransitionLocked(tx: Tx, current: Payment, t: TransitionInput): Promise<WrittenTransition> {
  const decision = decide(current, t);
  const mails = await planMails(decision, t, tx);
  const w = await writeResult({ ...decision.write, mails }, tx);
  if (!w.written) throw new Error("result: version check missed under the row lock");
  return { decision, mails, noticeId: w.noticeId, mailIds: w.mailIds };
}

/**
 * After the commit: the new notice's notify-insales job and the new letters' send-mail jobs, in one INSERT
 * (lib/jobs/queue.ts enqueue). Outside the statement on purpose (docs/PERFORMANCE.md): should this fail or
 * the process die first, the sweep-notices job (every minute) queues a PENDING notice without a job once it
 * is SWEEP_GRACE_SECONDS old, and sweep-mails (every 5 minutes, 2 minutes' grace) does the same for
 * letters. A second job for the same row is harmless: the queues are "stately" (one waiting per key) and
 * both workers act only on a PENDING row.
 */
export async function queueTransitionJobs(shopId: string, paymentId: string, written: WrittenTransition): Promise<void> {
  const kinds = written.mails.filter((m) => written.mailIds.includes(m.id)).map((m) => m.kind);
  logLettersQueued({ shopId, paymentId, triggers: written.decision.mails.map((m) => m.trigger) }, kinds, newMailState());
  try {
    await enqueue([...(written.noticeId ? [notifyInsalesJob(written.noticeId)] : []), ...sendMailJobs(written.mailIds)]);
  } catch (error) {
    // The state change is committed: answer OK (a resent copy would change nothing and queue nothing).
    log.error({ shopId, paymentId, noticeId: written.noticeId, err: (error as Error).message }, "result: jobs not queued; the sweepers will queue them");
  }
}

/** The letters of a decision, rendered (inside `tx` on the locked path). */
async function planMails(d: Decision, t: TransitionInput, tx?: Tx): Promise<PlannedMail[]> {
  const ctx = { shop: t.shop, settings: t.shop.settings, payment: d.after };
  const planned: PlannedMail[] = [];
  for (const input of d.mails) planned.push(...(await planPaymentMails(input, ctx, tx)));
  return planned;
}

/** Pure: the state table (lib/payments/state.ts) applied to `current`, as the statement's input. */
function decide(current: Payment, t: TransitionInput): Decision {
  const { shop, n, next, paid, provenBy } = t;
  const paymentId = current.id;
  const markPaidOnHold = shop.settings?.markPaidOnHold ?? false;
  const seen = { status: current.status, paidKopecks: current.paidKopecks, refundedKopecks: current.refundedKopecks, imPaymentId: current.imPaymentId };
  const base = { shopId: shop.id, paymentId, seen, notice: null };

  const plan = planResultFor(current, t, provenBy);
  if (plan.kind === "record_claim") throw new Error("result-transition: a proven result planned as a claim");
  const firstSight = current.imPaymentId === null;
  const note = provenBy === "merchant" ? " — подтверждено магазином после сверки в личном кабинете IntellectMoney" : "";

  if (plan.kind === "ignore") {
    // §3 status 3 «invoice created» names the СКО: the first one is news even though the state stays.
    if (n.paymentStatus === "3" && firstSight) {
      return {
        outcome: { ok: true, result: "applied", paymentId, status: current.status },
        write: { ...base, change: { imPaymentId: n.paymentId }, events: [eventRow("invoice_created", `IntellectMoney создал счёт ${n.paymentId}${note}`, { ...t.data, verification: provenBy })] },
        mails: [{ trigger: "invoice_created", shopId: shop.id, paymentId, eventKey: "invoice_created" }],
        after: { ...current, imPaymentId: n.paymentId },
      };
    }
    const ignored = eventRow("result_ignored", `Повторное или устаревшее уведомление (статус ${n.paymentStatus}: ${STATUS_TEXT[next]}); платёж уже «${STATUS_TEXT[current.status]}», ничего не изменено`, {
      ...t.data,
      verification: provenBy,
      ignored: plan.reason,
    });
    return {
      outcome: { ok: true, result: "unchanged", paymentId, status: current.status },
      write: { ...base, change: firstSight ? { imPaymentId: n.paymentId } : null, events: [ignored] },
      mails: [],
      after: current,
    };
  }

  // The totals this move writes: the state table's rule (lib/payments/state.ts totalsAfter).
  const totals = totalsAfter(current, next, t);
  const refunded = totals.refundedKopecks;
  const change: PaymentChange = {
    status: next,
    ...(firstSight ? { imPaymentId: n.paymentId } : {}),
    ...totals,
  };
  const events: EventRow[] = [
    eventRow("result_applied", `Статус платежа: ${STATUS_TEXT[next]} (${amountText(t, next, current.amountKopecks, refunded)})${note}`, {
      ...t.data,
      verification: provenBy,
      from: current.status,
      to: next,
    }),
  ];

  const overpaid = isOverpaid(current, next, t);
  if (overpaid) {
    events.push(eventRow("overpaid", `Оплачено больше суммы счёта: ${formatRubles(paid, current.currency)} вместо ${formatRubles(current.amountKopecks, current.currency)}`, {
      recipientAmount: n.recipientAmount,
    }));
  }

  // One notice per payment and outcome (unique key): written, with its event, only if none existed.
  const noticePaid = insalesNoticeFor(next, { markPaidOnHold, channel: current.insalesNoticeChannel });
  const noticeId = randomUUID();
  const notice = noticePaid === null
    ? null
    : { id: noticeId, paid: noticePaid, event: eventRow("notice_queued", noticePaid === 1 ? "Уведомление InSales «оплачен» поставлено в очередь" : "Уведомление InSales «не оплачен» поставлено в очередь", { noticeId, paid: noticePaid }) };

  const mails: QueuePaymentMailsInput[] = [];
  const trigger = letterFor(next);
  if (trigger) mails.push({ trigger, shopId: shop.id, paymentId, eventKey: `status:${next}:${String(refunded ?? paid)}`, facts: { eventAmountKopecks: trigger === "refunded" ? (refunded ?? null) : null } });
  if (overpaid) mails.push({ trigger: "overpaid", shopId: shop.id, paymentId, eventKey: `overpaid:${paid}`, facts: { eventAmountKopecks: paid } });

  return {
    outcome: { ok: true, result: "applied", paymentId, status: next },
    write: { ...base, change, events, notice },
    mails,
    after: { ...current, ...change, imPaymentId: current.imPaymentId ?? n.paymentId },
  };
}

function amountText(t: TransitionInput, next: PaymentStatus, invoice: bigint, refunded: bigint | undefined): string {
  const currency = t.payment.currency;
  if (refunded !== undefined) return `возвращено ${formatRubles(refunded, currency)}`;
  if (totalOf(next) === "paid") return `оплачено ${formatRubles(t.paid, currency)} из ${formatRubles(invoice, currency)}`;
  return `сумма счёта ${formatRubles(invoice, currency)}`;
}
