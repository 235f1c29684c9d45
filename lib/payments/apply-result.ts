// IntellectMoney result notification → our payment (spec/product.md flow 6; spec/intellectmoney-protocol.md
// §2–§3). The checks run in the order of §3: shop routing (from `?shop=`, never from the body) → payment
// by (shop, orderId) → eshopId → currency → hash with the shop's stored key (wallet payments: no key, see
// §2 [decision]) → amounts → the state transition of lib/payments/state.ts.
//
// Every refusal changes nothing but the timeline (and may queue the «фрод» letter); the route answers it
// with a short machine reason and a 4xx, never `OK` (§3: «Never return OK for a notification that failed
// verification»). A repeat or an older status is a success that changes nothing.
//
// The transition is applied under a row lock (SELECT … FOR UPDATE) in one transaction together with its
// event, the InsalesNotice row and the notify-insales job, so concurrent copies of one notification make
// exactly one state change and one notice (guide/architecture.md convention 4).
import { decryptSecret, md5Hex } from "../crypto";
import { db, type Tx } from "../db";
import type { Payment, Shop, ShopSettings } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { parseResultNotification, type ResultNotification } from "../intellectmoney/result-notification";
import { verifyResultNotificationHash } from "../intellectmoney/signatures";
import { WALLET_ESHOP_ID } from "../intellectmoney/invoice-form";
import { log } from "../log";
import { queuePaymentMails, type MailTrigger } from "../mail/queue-mail";
import { formatKopecks, formatRubles, parseKopecks } from "../money";
import { createInsalesNotice } from "./notify-insales-queue";
import { insalesNoticeFor, planTransition, statusForCode, type StateSnapshot } from "./state";

export type ResultRejection =
  | "unknown_shop"
  | "bad_request"
  | "unknown_order"
  | "wrong_eshop"
  | "wrong_currency"
  | "bad_hash"
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

type Context = { shop: Shop & { settings: ShopSettings | null }; payment: Payment | null };

/** Records a refusal: one event (payment timeline, or shop-level, or unrouted) and perhaps a fraud letter. */
async function reject(
  reason: ResultRejection,
  message: string,
  ctx: Partial<Context>,
  data: Record<string, unknown>,
  fingerprint: string,
): Promise<Extract<ApplyResultOutcome, { ok: false }>> {
  const shopId = ctx.shop?.id ?? null;
  const paymentId = ctx.payment?.id ?? null;
  await db().$transaction(async (tx) => {
    await tx.paymentEvent.create({
      data: { shopId, paymentId, type: "result_rejected", message: storable(`Уведомление IntellectMoney отклонено: ${message}`), data: storable({ ...data, reason }) },
    });
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

  // 1. Shop routing: from our own resultUrl only (guide/architecture.md convention 3).
  const shop = shopParam && SHOP_PARAM.test(shopParam) ? await db().shop.findUnique({ where: { insalesId: shopParam }, include: { settings: true } }) : null;
  if (!shop) {
    return reject("unknown_shop", "магазин из адреса уведомления не найден", {}, { shop: (shopParam ?? "").slice(0, 40), ...malformedData(input.body) }, fingerprint);
  }

  const parsed = parseResultNotification(input.body);
  if (!parsed.ok) {
    // A NUL byte cannot even be compared in PostgreSQL text (the query would fail): no such payment.
    const payment = input.body.getAll("orderId").length === 1 && !input.body.get("orderId")!.includes("\0")
      ? await db().payment.findUnique({ where: { shopId_imOrderId: { shopId: shop.id, imOrderId: input.body.get("orderId")! } } })
      : null;
    return reject("bad_request", `неверное поле ${parsed.field} (${parsed.reason})`, { shop, payment }, malformedData(input.body), fingerprint);
  }
  const n = parsed.notification;
  const data = receivedData(n);

  // 2. The payment, by its IntellectMoney orderId within this shop only.
  const payment = await db().payment.findUnique({ where: { shopId_imOrderId: { shopId: shop.id, imOrderId: n.orderId } } });
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
  shop: Shop & { settings: ShopSettings | null };
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

async function applyTransition(t: TransitionInput): Promise<ApplyResultOutcome> {
  const { shop, n, next, paid, wallet } = t;
  const paymentId = t.payment.id;
  const verification = wallet ? "unverified" : "hash";
  const markPaidOnHold = shop.settings?.markPaidOnHold ?? false;

  const outcome = await db().$transaction(
    async (tx): Promise<ApplyResultOutcome> => {
      // The row lock: concurrent copies of this notification queue up here and each sees the state the
      // previous one left.
      await tx.$queryRaw`SELECT 1 FROM "Payment" WHERE "id" = ${paymentId}::uuid FOR UPDATE`;
      const current = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });

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
          await tx.payment.update({ where: { id: paymentId }, data: { imPaymentId: n.paymentId, ...(wallet ? { unverifiedResults: true } : {}) } });
          await event(tx, t, wallet ? "result_unverified" : "invoice_created", `IntellectMoney создал счёт ${n.paymentId}${unverifiedNote(wallet)}`, { ...t.data, verification });
          await queuePaymentMails(tx, { trigger: "invoice_created", shopId: shop.id, paymentId, eventKey: "invoice_created" });
          return { ok: true, result: "applied", paymentId, status: current.status };
        }
        if (firstSight) await tx.payment.update({ where: { id: paymentId }, data: { imPaymentId: n.paymentId } });
        await event(tx, t, "result_ignored", `Повторное или устаревшее уведомление (статус ${n.paymentStatus}: ${STATUS_TEXT[next]}); платёж уже «${STATUS_TEXT[current.status]}», ничего не изменено`, {
          ...t.data,
          verification,
          ignored: plan.reason,
        });
        return { ok: true, result: "unchanged", paymentId, status: current.status };
      }

      await tx.payment.update({
        where: { id: paymentId },
        data: {
          status: next,
          ...(firstSight ? { imPaymentId: n.paymentId } : {}),
          ...(PAID_STATES.has(next) ? { paidKopecks: paid } : {}),
          ...(refunded !== undefined ? { refundedKopecks: refunded, ...(current.paidKopecks === 0n ? { paidKopecks: paid > 0n ? paid : current.amountKopecks } : {}) } : {}),
          ...(wallet ? { unverifiedResults: true } : {}),
        },
      });
      await event(tx, t, wallet ? "result_unverified" : "result_applied", `Статус платежа: ${STATUS_TEXT[next]} (${amountText(t, next, current.amountKopecks, refunded)})${unverifiedNote(wallet)}`, {
        ...t.data,
        verification,
        from: current.status,
        to: next,
      });

      const overpaid = PAID_STATES.has(next) && paid > current.amountKopecks;
      if (overpaid) {
        await event(tx, t, "overpaid", `Оплачено больше суммы счёта: ${formatRubles(paid, current.currency)} вместо ${formatRubles(current.amountKopecks, current.currency)}`, {
          recipientAmount: n.recipientAmount,
        });
      }

      const noticePaid = insalesNoticeFor(next, { markPaidOnHold });
      if (noticePaid !== null) {
        const noticeId = await createInsalesNotice(tx, { shopId: shop.id, paymentId, paid: noticePaid });
        if (noticeId) {
          await event(tx, t, "notice_queued", noticePaid === 1 ? "Уведомление InSales «оплачен» поставлено в очередь" : "Уведомление InSales «не оплачен» поставлено в очередь", { noticeId, paid: noticePaid });
        }
      }

      const trigger = mailTrigger(next);
      if (trigger) await queuePaymentMails(tx, { trigger, shopId: shop.id, paymentId, eventKey: `status:${next}:${String(refunded ?? paid)}`, facts: { eventAmountKopecks: trigger === "refunded" ? (refunded ?? null) : null } });
      if (overpaid) await queuePaymentMails(tx, { trigger: "overpaid", shopId: shop.id, paymentId, eventKey: `overpaid:${paid}`, facts: { eventAmountKopecks: paid } });

      return { ok: true, result: "applied", paymentId, status: next };
    },
    // Copies of one notification wait for the lock in turn; give them room.
    { maxWait: 10_000, timeout: 20_000 },
  );

  log.info({ shopId: shop.id, paymentId, paymentStatus: n.paymentStatus, result: outcome.ok ? outcome.result : outcome.reason, verification }, "result: notification accepted");
  return outcome;
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

async function event(tx: Tx, t: TransitionInput, type: string, message: string, data: Record<string, unknown>): Promise<void> {
  await tx.paymentEvent.create({ data: { shopId: t.shop.id, paymentId: t.payment.id, type, message, data: jsonSafe(data) } });
}

/** Event data is JSON: bigint values become decimal strings. */
function jsonSafe(data: Record<string, unknown>): Record<string, string | number | boolean | null | object> {
  return JSON.parse(JSON.stringify(data, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
