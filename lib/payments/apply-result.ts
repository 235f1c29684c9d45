// IntellectMoney result notification → our payment (spec/product.md flow 6; spec/intellectmoney-protocol.md
// §2–§3). The checks run in the order of §3: shop routing (from `?shop=`, never from the body) → payment
// by (shop, orderId) → eshopId → currency → hash with the shop's stored key (wallet payments: no key, see
// §2 [decision]) → amounts → the state transition of lib/payments/state.ts.
//
// Every refusal changes nothing but the timeline (and may queue the «фрод» letter); the route answers it
// with a short machine reason and a 4xx, never `OK` (§3: «Never return OK for a notification that failed
// verification»). A repeat or an older status is a success that changes nothing.
//
// The transition (docs/PERFORMANCE.md «Result notifications»; lib/payments/result-store.ts) is decided in
// memory on the payment as read together with the shop, and written by one statement under a version
// check (the payment must still be in the state the decision was made on) together with its events, the
// InsalesNotice row and the letters; only then is `OK` answered. When a concurrent copy changed the
// payment first, the decision is made again under a row lock (SELECT … FOR UPDATE) in a transaction. So
// concurrent copies of one notification make exactly one state change and one notice (guide/architecture.md
// convention 4). The notice's and letters' jobs are queued right after the commit; the sweepers queue
// any a crash left without one.
import { randomUUID } from "node:crypto";
import { decryptSecret, md5Hex } from "../crypto";
import { db, type Tx } from "../db";
import { env } from "../env";
import type { Payment } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { parseResultNotification, type ResultNotification } from "../intellectmoney/result-notification";
import { firstShiftingField } from "../intellectmoney/hash-segments";
import { RESULT_HASH_FIELDS, verifyResultNotificationHash } from "../intellectmoney/signatures";
import { WALLET_ESHOP_ID } from "../intellectmoney/invoice-form";
import { log } from "../log";
import { planPaymentMails, queuePaymentMails, type MailTrigger, type PlannedMail, type QueuePaymentMailsInput } from "../mail/queue-mail";
import { formatKopecks, formatRubles, parseKopecks } from "../money";
import { recordProblem } from "./problems";
import { loadResultContext, lockPayment, queueResultJobs, writeResult, type EventRow, type PaymentChange, type ResultWrite, type ShopWithSettings } from "./result-store";
import { insalesNoticeFor, planTransition, statusForCode, type StateSnapshot } from "./state";

export type ResultRejection =
  | "unknown_shop"
  | "bad_request"
  | "unknown_order"
  | "wrong_eshop"
  | "wrong_currency"
  | "bad_hash"
  | "ambiguous_fields"
  | "bad_amount"
  | "amount_mismatch";

export type ApplyResultOutcome =
  | { ok: true; result: "applied" | "unchanged"; paymentId: string; status: PaymentStatus }
  | { ok: false; reason: ResultRejection; status: 400 | 403 | 404 | 422 };

const HTTP_STATUS: Record<ResultRejection, 400 | 403 | 404 | 422> = {
  unknown_shop: 404,
  bad_request: 400,
  unknown_order: 404,
  wrong_eshop: 403,
  wrong_currency: 422,
  bad_hash: 403,
  ambiguous_fields: 422,
  bad_amount: 400,
  amount_mismatch: 422,
};

/** Refusals that look like forgery or tampering: the merchant's «фродовая операция» letter (kind 10). */
const FRAUD: ReadonlySet<ResultRejection> = new Set(["unknown_order", "wrong_eshop", "wrong_currency", "bad_hash", "amount_mismatch"]);

const STATUS_TEXT: Record<PaymentStatus, string> = {
  CREATED: "счёт создан",
  HELD: "деньги захолдированы",
  PARTIALLY_PAID: "оплачен частично",
  PAID: "оплачен",
  PARTIALLY_REFUNDED: "частичный возврат",
  REFUNDED: "возврат",
  CANCELLED: "отменён",
};

const SHOP_PARAM = /^\d{1,20}$/;

function refuse(reason: ResultRejection): Extract<ApplyResultOutcome, { ok: false }> {
  return { ok: false, reason, status: HTTP_STATUS[reason] };
}

/** Timeline data: every received string except `hash` (the parser never reads `secretKey`). */
function receivedData(n: ResultNotification): Record<string, unknown> {
  const { hash: _hash, userFields, ...rest } = n;
  return { ...rest, ...(Object.keys(userFields).length ? { userFields } : {}) };
}

/** For a body that did not parse: only the names of its fields and the order it names, bounded. */
function malformedData(body: URLSearchParams): Record<string, unknown> {
  const names = [...new Set(body.keys())].filter((k) => k !== "secretKey" && k !== "hash").slice(0, 40).map((k) => k.slice(0, 40));
  const orderId = body.get("orderId");
  return { fields: names, ...(orderId ? { orderId: orderId.slice(0, 60) } : {}) };
}

/**
 * A refused body is stored as received, but PostgreSQL text and jsonb cannot hold U+0000 nor a lone
 * surrogate (cutting a field name at 40 UTF-16 units can split an emoji); either would fail the insert
 * and turn the refusal into a 500. Both are shown as U+FFFD, in keys and values.
 */
function storable<T>(value: T): T {
  if (typeof value === "string") return value.replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD") as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T;
  return value;
}

type Context = { shop: ShopWithSettings; payment: Payment | null };

/**
 * Records a refusal: one event (payment timeline, or shop-level, or unrouted), perhaps a fraud letter, and
 * with `problem` a problem for the merchant (merged per cause while open: problems.ts).
 */
async function reject(
  reason: ResultRejection,
  message: string,
  ctx: Partial<Context>,
  data: Record<string, unknown>,
  fingerprint: string,
  problem?: { cause: string; message: string },
): Promise<Extract<ApplyResultOutcome, { ok: false }>> {
  const shopId = ctx.shop?.id ?? null;
  const paymentId = ctx.payment?.id ?? null;
  await db().$transaction(async (tx) => {
    await tx.paymentEvent.create({
      data: { shopId, paymentId, type: "result_rejected", message: storable(`Уведомление IntellectMoney отклонено: ${message}`), data: storable({ ...data, reason }) },
    });
    if (shopId && problem) await recordProblem(tx, { shopId, paymentId, kind: "result_rejected", cause: problem.cause, message: storable(problem.message) });
    if (shopId && FRAUD.has(reason)) {
      // The same notification retried by IntellectMoney gives the same key: one letter, not one per retry.
      await queuePaymentMails(tx, { trigger: "fraud", shopId, paymentId, eventKey: `result:${reason}:${fingerprint}`, facts: { reason: `уведомление IntellectMoney: ${message}` } });
    }
  });
  log.warn({ shopId, paymentId, reason }, "result: notification refused");
  return refuse(reason);
}

export type ApplyResultInput = {
  /** `?shop=` of our resultUrl: the shop's insales_id. */
  shopParam: string | null;
  body: URLSearchParams;
};

export async function applyResult(input: ApplyResultInput): Promise<ApplyResultOutcome> {
  const fingerprint = md5Hex(input.body.toString());
  const shopParam = input.shopParam;

  // Parsing is pure, so it comes first: the shop and the payment are then read in one round trip. The
  // checks still answer in the order of §3.
  const parsed = parseResultNotification(input.body);
  const orderIds = input.body.getAll("orderId");
  const orderId = parsed.ok ? parsed.notification.orderId : orderIds.length === 1 ? orderIds[0] : null;

  // 1. Shop routing: from our own resultUrl only (guide/architecture.md convention 3), with the payment by
  // its IntellectMoney orderId within this shop only. A NUL byte cannot even be compared in PostgreSQL text
  // (the query would fail): no such payment.
  const loaded = shopParam && SHOP_PARAM.test(shopParam) ? await loadResultContext(shopParam, orderId && !orderId.includes("\0") ? orderId : null) : null;
  if (!loaded) {
    return reject("unknown_shop", "магазин из адреса уведомления не найден", {}, { shop: (shopParam ?? "").slice(0, 40), ...malformedData(input.body) }, fingerprint);
  }
  const { shop } = loaded;

  if (!parsed.ok) {
    return reject("bad_request", `неверное поле ${parsed.field} (${parsed.reason})`, { shop, payment: loaded.payment }, malformedData(input.body), fingerprint);
  }
  const n = parsed.notification;
  const data = receivedData(n);

  // 2. The payment (read above).
  const payment = loaded.payment;
  if (!payment) return reject("unknown_order", `счёт с orderId «${n.orderId}» в этом магазине не создавался`, { shop }, data, fingerprint);
  const ctx: Context = { shop, payment };

  // 3. eshopId: the «Номер магазина» the invoice was made for, or the shared wallet shop (§2).
  const wallet = payment.legalForm === "INDIVIDUAL";
  const expectedEshop = wallet ? WALLET_ESHOP_ID : payment.eshopId;
  if (n.eshopId !== expectedEshop) return reject("wrong_eshop", `номер магазина ${n.eshopId} не совпадает с номером магазина счёта ${expectedEshop}`, ctx, data, fingerprint);

  // 4. Currency exactly as the invoice was made (RUB, or TST in test mode).
  if (n.recipientCurrency !== payment.currency) {
    return reject("wrong_currency", `валюта ${n.recipientCurrency} не совпадает с валютой счёта ${payment.currency}`, ctx, data, fingerprint);
  }

  // 5. Hash with OUR stored secret key (§3), never the notification's `secretKey` field.
  if (!wallet) {
    const secretKey = shop.settings?.secretKeyEnc ? decryptSecret(shop.settings.secretKeyEnc) : null;
    if (!secretKey) return reject("bad_hash", "в настройках нет секретного ключа, подпись проверить нечем", ctx, data, fingerprint);
    if (n.hash === "") return reject("bad_hash", "в уведомлении нет контрольной подписи (hash)", ctx, data, fingerprint);
    if (!verifyResultNotificationHash(n, secretKey, n.hash)) {
      // §3: UTF-8 only; a windows-1251 hash of the same fields would also land here. Logged, never echoed.
      return reject("bad_hash", "контрольная подпись не совпала (возможна подделка или неверный секретный ключ)", ctx, data, fingerprint);
    }
  }

  // 5a. Hashed fields that could shift (lib/intellectmoney/hash-segments.ts): with `::` inside a value or a
  // `:` at its edge, the 11 segments no longer split one way, and a hash made for another tuple — the
  // invoice's, visible to the buyer — can verify this one. So a verified hash proves nothing here: refused
  // before anything changes. After the hash check on purpose: a forgery whose hash fails is plain bad_hash;
  // one that passes is either such a shift or a genuine notification echoing the buyer's name or e-mail,
  // and either way the merchant must check the payment in the IntellectMoney account: a problem says so.
  const shifting = firstShiftingField(n, RESULT_HASH_FIELDS);
  if (shifting) {
    const order = payment.orderNumber ?? payment.insalesOrderId;
    return reject("ambiguous_fields", `в поле ${shifting} есть «::» или двоеточие с краю — такие поля могут сдвинуть поля контрольной подписи`, ctx, data, fingerprint, {
      cause: `ambiguous_fields:${payment.id}`,
      message:
        `Уведомление IntellectMoney по заказу ${order} (статус ${n.paymentStatus}) отклонено: в поле ${shifting} есть «::» или двоеточие с краю, ` +
        "и подпись такого уведомления могла быть подделана. Если покупатель действительно заплатил, проверьте платёж в личном кабинете IntellectMoney и отметьте заказ в InSales вручную.",
    });
  }

  // 6. Amounts, as integer kopecks parsed from the received strings.
  const invoice = payment.amountKopecks;
  const paid = parseKopecks(n.recipientAmount);
  const original = n.recipientOriginalAmount === "" ? undefined : parseKopecks(n.recipientOriginalAmount);
  const refund = n.refundAmount === "" ? undefined : parseKopecks(n.refundAmount);
  if (paid === null || original === null || refund === null) return reject("bad_amount", "сумма в уведомлении не читается", ctx, data, fingerprint);
  if (original !== undefined && original !== invoice) {
    return reject("amount_mismatch", `сумма счёта ${n.recipientOriginalAmount} не совпадает с суммой платежа ${formatKopecks(invoice)}`, ctx, data, fingerprint);
  }
  // §2 [decision]: an unverifiable wallet notification is applied only when everything matches exactly.
  if (wallet && paid !== invoice) {
    return reject("amount_mismatch", `сумма ${n.recipientAmount} не совпадает с суммой платежа ${formatKopecks(invoice)} (платёж в кошелёк, подписи нет)`, ctx, data, fingerprint);
  }

  const next = statusForCode(n.paymentStatus, { paidKopecks: paid, invoiceKopecks: invoice, refundKopecks: refund ?? null });
  if (!next) return reject("bad_request", `неизвестный статус ${n.paymentStatus}`, ctx, data, fingerprint);

  return applyTransition({ shop, payment, n, next, paid, refund, wallet, data });
}

type TransitionInput = {
  shop: ShopWithSettings;
  payment: Payment;
  n: ResultNotification;
  next: PaymentStatus;
  paid: bigint;
  refund: bigint | undefined;
  wallet: boolean;
  data: Record<string, unknown>;
};

const PAID_STATES: ReadonlySet<PaymentStatus> = new Set(["PARTIALLY_PAID", "PAID"]);
const REFUND_STATES: ReadonlySet<PaymentStatus> = new Set(["PARTIALLY_REFUNDED", "REFUNDED"]);

/** What one notification does to the payment as it stands: the statement's input and the answer. */
type Decision = {
  outcome: Extract<ApplyResultOutcome, { ok: true }>;
  write: Omit<ResultWrite, "mails">;
  /** The letters' triggers, rendered against `after`. */
  mails: QueuePaymentMailsInput[];
  /** The payment as the statement leaves it (what the letters describe). */
  after: Payment;
};

async function applyTransition(t: TransitionInput): Promise<ApplyResultOutcome> {
  const { shop, n, wallet } = t;
  const paymentId = t.payment.id;
  const verification = wallet ? "unverified" : "hash";

  // Fast path: decided on the payment as read with the shop, written only if it is still in that state.
  let decision = decide(t.payment, t);
  let mails = await planMails(db(), decision, t);
  let written = await writeResult(db(), { ...decision.write, mails });
  if (!written.written) {
    // A concurrent copy (or a newer notification) changed the payment since it was read. Decide again on
    // the current row under its lock; copies queue up here and each sees what the previous one left.
    log.debug({ shopId: shop.id, paymentId }, "result: payment changed since it was read; deciding again under the row lock");
    const locked = await db().$transaction(
      async (tx) => {
        const current = await lockPayment(tx, paymentId);
        const d = decide(current, t);
        const m = await planMails(tx, d, t);
        const w = await writeResult(tx, { ...d.write, mails: m });
        if (!w.written) throw new Error("result: version check missed under the row lock");
        return { d, m, w };
      },
      // Copies of one notification wait for the lock in turn; give them room.
      { maxWait: 10_000, timeout: 20_000 },
    );
    ({ d: decision, m: mails, w: written } = locked);
  }
  // Committed: now the jobs (see queueResultJobs for why after the commit and what covers a crash here).
  const smtp = Boolean(env().SMTP_URL);
  if (written.mailIds.length > 0) {
    const kinds = mails.filter((m) => written.mailIds.includes(m.id)).map((m) => m.kind);
    log.info({ shopId: shop.id, paymentId, triggers: decision.mails.map((m) => m.trigger), kinds, state: smtp ? "PENDING" : "STORED" }, "mail: letters queued");
  }
  try {
    await queueResultJobs(written.noticeId, smtp ? written.mailIds : []);
  } catch (error) {
    // The state change is committed: answer OK (a resent copy would change nothing and queue nothing).
    log.error({ shopId: shop.id, paymentId, noticeId: written.noticeId, err: (error as Error).message }, "result: jobs not queued; the sweepers will queue them");
  }

  const outcome = decision.outcome;
  log.info({ shopId: shop.id, paymentId, paymentStatus: n.paymentStatus, result: outcome.result, verification }, "result: notification accepted");
  return outcome;
}

/** The letters of a decision, rendered; `client` is read only for the hourly limit of kinds 7 and 10. */
async function planMails(client: Tx, d: Decision, t: TransitionInput): Promise<PlannedMail[]> {
  const ctx = { shop: t.shop, settings: t.shop.settings, payment: d.after };
  const planned: PlannedMail[] = [];
  for (const input of d.mails) planned.push(...(await planPaymentMails(client, input, ctx)));
  return planned;
}

/** Pure: the state table (state.ts) applied to `current`, as the statement's input. */
function decide(current: Payment, t: TransitionInput): Decision {
  const { shop, n, next, paid, wallet } = t;
  const paymentId = current.id;
  const verification = wallet ? "unverified" : "hash";
  const markPaidOnHold = shop.settings?.markPaidOnHold ?? false;
  const seen = { status: current.status, paidKopecks: current.paidKopecks, refundedKopecks: current.refundedKopecks, imPaymentId: current.imPaymentId };
  const base = { shopId: shop.id, paymentId, seen, notice: null };

  const refunded = REFUND_STATES.has(next) ? (t.refund && t.refund > 0n ? t.refund : paid > 0n ? paid : current.amountKopecks) : undefined;
  const target: StateSnapshot = {
    status: next,
    ...(PAID_STATES.has(next) ? { paidKopecks: paid } : {}),
    ...(refunded !== undefined ? { refundedKopecks: refunded } : {}),
  };
  const plan = planTransition({ status: current.status, paidKopecks: current.paidKopecks, refundedKopecks: current.refundedKopecks }, target);
  const firstSight = current.imPaymentId === null;

  if (!plan.apply) {
    // §3 status 3 «invoice created» names the СКО: the first one is news even though the state stays.
    if (n.paymentStatus === "3" && firstSight) {
      const change: PaymentChange = { imPaymentId: n.paymentId, ...(wallet ? { unverifiedResults: true as const } : {}) };
      return {
        outcome: { ok: true, result: "applied", paymentId, status: current.status },
        write: { ...base, change, events: [eventRow(wallet ? "result_unverified" : "invoice_created", `IntellectMoney создал счёт ${n.paymentId}${unverifiedNote(wallet)}`, { ...t.data, verification })] },
        mails: [{ trigger: "invoice_created", shopId: shop.id, paymentId, eventKey: "invoice_created" }],
        after: { ...current, imPaymentId: n.paymentId, unverifiedResults: current.unverifiedResults || wallet },
      };
    }
    const ignored = eventRow("result_ignored", `Повторное или устаревшее уведомление (статус ${n.paymentStatus}: ${STATUS_TEXT[next]}); платёж уже «${STATUS_TEXT[current.status]}», ничего не изменено`, {
      ...t.data,
      verification,
      ignored: plan.reason,
    });
    return {
      outcome: { ok: true, result: "unchanged", paymentId, status: current.status },
      write: { ...base, change: firstSight ? { imPaymentId: n.paymentId } : null, events: [ignored] },
      mails: [],
      after: current,
    };
  }

  const change: PaymentChange = {
    status: next,
    ...(firstSight ? { imPaymentId: n.paymentId } : {}),
    ...(PAID_STATES.has(next) ? { paidKopecks: paid } : {}),
    ...(refunded !== undefined ? { refundedKopecks: refunded, ...(current.paidKopecks === 0n ? { paidKopecks: paid > 0n ? paid : current.amountKopecks } : {}) } : {}),
    ...(wallet ? { unverifiedResults: true as const } : {}),
  };
  const events: EventRow[] = [
    eventRow(wallet ? "result_unverified" : "result_applied", `Статус платежа: ${STATUS_TEXT[next]} (${amountText(t, next, current.amountKopecks, refunded)})${unverifiedNote(wallet)}`, {
      ...t.data,
      verification,
      from: current.status,
      to: next,
    }),
  ];

  const overpaid = PAID_STATES.has(next) && paid > current.amountKopecks;
  if (overpaid) {
    events.push(eventRow("overpaid", `Оплачено больше суммы счёта: ${formatRubles(paid, current.currency)} вместо ${formatRubles(current.amountKopecks, current.currency)}`, {
      recipientAmount: n.recipientAmount,
    }));
  }

  // One notice per payment and outcome (unique key): written, with its event, only if none existed.
  const noticePaid = insalesNoticeFor(next, { markPaidOnHold });
  const noticeId = randomUUID();
  const notice = noticePaid === null
    ? null
    : { id: noticeId, paid: noticePaid, event: eventRow("notice_queued", noticePaid === 1 ? "Уведомление InSales «оплачен» поставлено в очередь" : "Уведомление InSales «не оплачен» поставлено в очередь", { noticeId, paid: noticePaid }) };

  const mails: QueuePaymentMailsInput[] = [];
  const trigger = mailTrigger(next);
  if (trigger) mails.push({ trigger, shopId: shop.id, paymentId, eventKey: `status:${next}:${String(refunded ?? paid)}`, facts: { eventAmountKopecks: trigger === "refunded" ? (refunded ?? null) : null } });
  if (overpaid) mails.push({ trigger: "overpaid", shopId: shop.id, paymentId, eventKey: `overpaid:${paid}`, facts: { eventAmountKopecks: paid } });

  return {
    outcome: { ok: true, result: "applied", paymentId, status: next },
    write: { ...base, change, events, notice },
    mails,
    after: { ...current, ...change, imPaymentId: current.imPaymentId ?? n.paymentId, unverifiedResults: current.unverifiedResults || wallet },
  };
}

function unverifiedNote(wallet: boolean): string {
  return wallet ? " — без проверки подписи: платёж в кошелёк физического лица, сумма, валюта и номер счёта совпали" : "";
}

function amountText(t: TransitionInput, next: PaymentStatus, invoice: bigint, refunded: bigint | undefined): string {
  const currency = t.payment.currency;
  if (refunded !== undefined) return `возвращено ${formatRubles(refunded, currency)}`;
  if (PAID_STATES.has(next)) return `оплачено ${formatRubles(t.paid, currency)} из ${formatRubles(invoice, currency)}`;
  return `сумма счёта ${formatRubles(invoice, currency)}`;
}

function mailTrigger(next: PaymentStatus): MailTrigger | null {
  switch (next) {
    case "PAID":
      return "paid";
    case "HELD":
      return "held";
    case "REFUNDED":
    case "PARTIALLY_REFUNDED":
      return "refunded";
    default:
      return null;
  }
}

function eventRow(type: string, message: string, data: Record<string, unknown>): EventRow {
  return { id: randomUUID(), type, message, data: jsonSafe(data) };
}

/** Event data is JSON: bigint values become decimal strings. */
function jsonSafe(data: Record<string, unknown>): Record<string, string | number | boolean | null | object> {
  return JSON.parse(JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
