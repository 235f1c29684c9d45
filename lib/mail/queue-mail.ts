// Turns a payment event into the letters the shop asked for (docs/PRODUCT.md «The 13 e-mail
// notifications», flows 6, 7 and 9): planPaymentMails renders them, and they are written by the one INSERT
// of lib/mail/mail-store.ts — by queuePaymentMails inside the transaction of the event that causes them (its
// send-mail jobs in the same transaction), or by the checkout's and the result's own statement (their jobs
// right after the commit: sendMailJobs). Either way a letter exists exactly when its event committed.
// Sending is a job (lib/mail/send-mail.ts): queueing never talks to SMTP and never blocks a payment.
//
// Idempotent: each letter has a dedupe key `${kind}:${paymentId ?? shopId}:${eventKey}` and is inserted
// with ON CONFLICT DO NOTHING, so a repeated notification (same eventKey) never makes a second letter.
import { randomUUID } from "node:crypto";
import type { Tx } from "../db";
import type { Payment } from "../generated/prisma/client";
import { env } from "../env";
import { enqueue, type JobRequest } from "../jobs/queue";
import { log } from "../log";
import { journalPaymentUrl } from "../app-urls";
import { countMailsSince, insertMails, loadMailContext, type PlannedMail } from "./mail-store";
import { sendMailJob } from "./send-mail-queue";
import { renderBuyerMail, renderShopMail, type BuyerLetterKind, type ShopLetterKind } from "./templates";

export type { PlannedMail } from "./mail-store";

export type MailTrigger = "invoice_created" | "invoice_failed" | "held" | "paid" | "overpaid" | "refunded" | "fraud" | "notice_failed" | "claim_received" | "payment_link";

type Planned = { to: "buyer"; kinds: readonly BuyerLetterKind[] } | { to: "shop"; kinds: readonly ShopLetterKind[] };

/**
 * Trigger → letters. A letter lists the kinds that switch it on; the first one names its dedupe key.
 * Kinds 1 and 5 are the same buyer letter («at most one "invoice created" mail per buyer and invoice,
 * whatever of 1/5 is on»). Partial payments and cancellations have no kind; 12/13 have no trigger.
 */
export const TRIGGER_LETTERS: Record<MailTrigger, readonly Planned[]> = {
  invoice_created: [{ to: "buyer", kinds: [1, 5] }, { to: "shop", kinds: [2] }],
  paid: [{ to: "shop", kinds: [3] }],
  notice_failed: [{ to: "shop", kinds: [4] }],
  held: [{ to: "shop", kinds: [6] }],
  invoice_failed: [{ to: "shop", kinds: [7] }],
  // An unverifiable wallet notification waits for the merchant (docs/protocols/intellectmoney.md §2: «letter 7»).
  claim_received: [{ to: "shop", kinds: [7] }],
  refunded: [{ to: "shop", kinds: [8] }, { to: "buyer", kinds: [9] }],
  fraud: [{ to: "shop", kinds: [10] }],
  overpaid: [{ to: "shop", kinds: [11] }],
  // The merchant sends a payment link (lib/payment-links/create-payment-link.ts): before any payment exists.
  payment_link: [{ to: "buyer", kinds: [14] }],
};

/**
 * Kinds that anyone who knows a shop's public id can trigger without a real payment (a forged checkout
 * or notification): at most this many per shop and kind per hour, so nobody can flood the merchant's
 * mailbox through us. The journal still records every attempt.
 */
const FLOOD_LIMITED_KINDS: ReadonlySet<number> = new Set([7, 10]);
export const FLOOD_LIMIT_PER_HOUR = 20;

export type MailFacts = {
  /** When there is no payment row (a refused checkout): the order number InSales sent. */
  orderNumber?: string | null;
  /** When there is no payment row: the amount InSales asked for, in kopecks. */
  amountKopecks?: bigint | null;
  /** overpaid: the total paid; refunded: the amount refunded (kopecks). */
  eventAmountKopecks?: bigint | null;
  /** invoice_failed, fraud, notice_failed: why, in Russian, for the merchant (never a secret). */
  reason?: string | null;
  /**
   * payment_link: the buyer's address (the InSales order's, read through the API), the link, and the order's
   * unpaid amount and currency when it was made — there is no payment row yet.
   */
  buyerEmail?: string | null;
  paymentLink?: { url: string; expiresAt: Date } | null;
  currency?: string | null;
};

export type QueuePaymentMailsInput = {
  trigger: MailTrigger;
  shopId: string;
  paymentId?: string | null;
  /** Names the event: the same event queued twice gives the same key and no second letter. */
  eventKey: string;
  facts?: MailFacts;
};

export type QueuedMail = { id: string; kind: number; to: string; state: "STORED" | "PENDING" };

/** A deliverable address: one mailbox, no header tricks. */
const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

function deliverable(address: string | null | undefined): string | null {
  const a = address?.trim();
  return a && a.length <= 254 && EMAIL.test(a) ? a : null;
}

/** The letters of one event, planned, written and (with SMTP on) their jobs queued, all inside `tx`. */
export async function queuePaymentMails(tx: Tx, input: QueuePaymentMailsInput): Promise<QueuedMail[]> {
  const { shopId } = input;
  const paymentId = input.paymentId ?? null;
  const loaded = await loadMailContext(tx, shopId, paymentId);
  if (!loaded) return [];
  const { shop, payment } = loaded;
  const rows = await planPaymentMails(input, { shop, settings: shop.settings, payment }, tx);
  if (rows.length === 0) return [];

  const created = await insertMails(tx, shopId, paymentId, rows);
  await enqueue(sendMailJobs(created.map((m) => m.id)), { tx });
  const state = newMailState();
  logLettersQueued({ shopId, paymentId, trigger: input.trigger }, created.map((m) => m.kind), state);
  return created.map((m) => ({ ...m, state }));
}

/** The state new letters are written in: PENDING (a send-mail job sends them) with SMTP_URL set, else STORED (only listed under «Письма»). */
export function newMailState(): "PENDING" | "STORED" {
  return env().SMTP_URL ? "PENDING" : "STORED";
}

/** The send-mail jobs of letters just written, for enqueue(): none while letters are only stored. */
export function sendMailJobs(mailIds: readonly string[]): JobRequest[] {
  return newMailState() === "PENDING" ? mailIds.map(sendMailJob) : [];
}

/** The one log line of the letters written for an event (none when no letter was written). */
export function logLettersQueued(
  context: { shopId: string; paymentId: string | null } & ({ trigger: MailTrigger } | { triggers: MailTrigger[] }),
  kinds: number[],
  state: "PENDING" | "STORED",
): void {
  if (kinds.length > 0) log.info({ ...context, kinds, state }, "mail: letters queued");
}

/** What letters are made from: loaded by queuePaymentMails, or handed over by a caller that has it already. */
export type MailContext = {
  shop: { status: string; title: string | null; host: string };
  settings: { mailKinds: number[]; notifyEmail: string | null } | null;
  payment: Payment | null;
};

/**
 * The letters an event makes, rendered, without writing anything: queuePaymentMails inserts them, and the
 * checkout and the result insert them in their own statement (docs/PERFORMANCE.md). The database is read
 * (in `tx` when planned inside one) only for the hourly limit of kinds 7 and 10.
 */
export async function planPaymentMails(input: QueuePaymentMailsInput, ctx: MailContext, tx?: Tx): Promise<PlannedMail[]> {
  const { trigger, shopId, eventKey } = input;
  const paymentId = input.paymentId ?? null;
  const facts = input.facts ?? {};
  const { shop, payment } = ctx;
  if (shop.status !== "ACTIVE" || !ctx.settings) return [];
  const settings = ctx.settings;
  const enabled = new Set(settings.mailKinds);

  if (paymentId && (!payment || payment.id !== paymentId || payment.shopId !== shopId)) {
    // A caller bug; never mail one shop about another shop's payment, and never fail the payment for it.
    log.error({ shopId, paymentId, trigger }, "mail: payment not found for this shop; no letters queued");
    return [];
  }

  const orderNumber = payment ? (payment.orderNumber ?? payment.insalesOrderId) : (facts.orderNumber ?? null);
  const currency = payment?.currency ?? facts.currency ?? "RUB";
  const shopRef = { title: shop.title, host: shop.host };

  const state = newMailState();
  const rows: PlannedMail[] = [];
  for (const letter of TRIGGER_LETTERS[trigger]) {
    const kind = letter.kinds.find((k) => enabled.has(k));
    if (kind === undefined) continue;
    const dedupeKey = `${letter.kinds[0]}:${paymentId ?? shopId}:${eventKey}`;
    if (letter.to === "buyer") {
      // A payment link's letter comes before any payment: its address and amount are the facts'.
      const to = deliverable(facts.paymentLink ? facts.buyerEmail : payment?.buyerEmail);
      if (!to || (!payment && !facts.paymentLink)) continue;
      const mail = renderBuyerMail(kind as BuyerLetterKind, {
        shop: shopRef,
        orderNumber: payment ? payment.orderNumber : (facts.orderNumber ?? null),
        amountKopecks: payment ? payment.amountKopecks : (facts.amountKopecks ?? 0n),
        currency,
        refundedKopecks: facts.eventAmountKopecks ?? (payment && payment.refundedKopecks > 0n ? payment.refundedKopecks : null),
        paymentLink: facts.paymentLink ?? null,
      });
      rows.push({ id: randomUUID(), kind, to, dedupeKey, state, mail });
    } else {
      const to = deliverable(settings.notifyEmail);
      if (!to) continue;
      if (FLOOD_LIMITED_KINDS.has(kind) && (await countMailsSince(shopId, kind, new Date(Date.now() - 60 * 60 * 1000), tx)) >= FLOOD_LIMIT_PER_HOUR) {
        log.warn({ shopId, paymentId, kind, trigger }, "mail: hourly limit for this kind reached; letter not queued");
        continue;
      }
      const mail = renderShopMail(kind as ShopLetterKind, {
        shop: shopRef,
        orderNumber,
        amountKopecks: payment?.amountKopecks ?? facts.amountKopecks ?? null,
        currency,
        imPaymentId: payment?.imPaymentId ?? null,
        imOrderId: payment?.imOrderId ?? null,
        status: payment?.status ?? null,
        eventAmountKopecks: facts.eventAmountKopecks ?? null,
        reason: facts.reason ?? null,
        journalUrl: payment ? journalPaymentUrl(payment.id) : null,
        claim: trigger === "claim_received",
      });
      rows.push({ id: randomUUID(), kind, to, dedupeKey, state, mail });
    }
  }
  return rows;
}
