// IntellectMoney result notification → our payment (docs/protocols/intellectmoney.md
// §2–§3). The checks run in the order of §3: shop routing (from `?shop=`, never from the body) → payment
// by (shop, orderId) → eshopId → currency → hash with the key we store → amounts → the state table of
// lib/payments/state.ts (planResult).
//
// What proves a notification (§2): the hash, checked with the organization's «Секретный ключ», or for a
// personal-wallet payment (eshopId 450157) with the wallet form's «Секретный ключ» — exactly the same check.
// A wallet payment whose settings have no key cannot prove anything: every field but the hash is visible
// to the buyer in the invoice form. Such a notification never moves money and never reaches InSales; it is
// recorded as a claim (lib/results/claims.ts) that the merchant confirms or rejects on the payment card.
//
// Every refusal changes nothing but the timeline (and may queue the «фрод» letter); the route answers it
// with a short machine reason and a 4xx, never `OK` (§3: «Never return OK for a notification that failed
// verification»). A repeat or an older status is a success that changes nothing. A recorded claim is
// answered `OK` too: it is stored, and a resend would only be merged into it.
//
// A proven result moves the payment through lib/results/result-transition.ts (one statement under a
// version check, the row lock when a concurrent copy got there first).
import { decryptSecret, md5Hex } from "../crypto";
import { inTransaction } from "../db";
import type { Payment } from "../generated/prisma/client";
import type { PaymentStatus } from "../generated/prisma/enums";
import { parseResultNotification, type ResultNotification } from "../intellectmoney/result-notification";
import { firstShiftingField } from "../intellectmoney/hash-segments";
import { matchResultNotificationHash, RESULT_HASH_FIELDS } from "../intellectmoney/signatures";
import { WALLET_ESHOP_ID } from "../intellectmoney/invoice-form";
import { log } from "../log";
import { queuePaymentMails } from "../mail/queue-mail";
import { formatKopecks, parseKopecks } from "../money";
import { closeOutdatedClaims, recordClaim } from "./claims";
import { recordEvent } from "../payments/event-store";
import { recordProblem } from "../payments/problem-store";
import { loadResultContext, type ShopWithSettings } from "./result-store";
import { applyTransition } from "./result-transition";
import { claimAmountsAdmissible, statusForCode, type ResultProof } from "../payments/state";

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
  /** `claimed`: an unverifiable wallet notification recorded as a claim; the payment did not change. */
  | { ok: true; result: "applied" | "unchanged" | "claimed"; paymentId: string; status: PaymentStatus }
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
 * with `problem` a problem for the merchant (merged per cause while open: lib/payments/problem-store.ts).
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
  await inTransaction(async (tx) => {
    await recordEvent({ shopId, paymentId, type: "result_rejected", message: storable(`Уведомление IntellectMoney отклонено: ${message}`), data: storable({ ...data, reason }) }, tx);
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
  /** How the route decoded the body (lib/http/urlencoded-form.ts); UTF-8 when not given. */
  charset?: "utf-8" | "windows-1251";
};

export async function applyResult(input: ApplyResultInput): Promise<ApplyResultOutcome> {
  const fingerprint = md5Hex(input.body.toString());
  const shopParam = input.shopParam;

  // Parsing is pure, so it comes first: the shop and the payment are then read in one round trip. The
  // checks still answer in the order of §3.
  const parsed = parseResultNotification(input.body);
  const orderIds = input.body.getAll("orderId");
  const orderId = parsed.ok ? parsed.notification.orderId : orderIds.length === 1 ? orderIds[0] : null;

  // 1. Shop routing: from our own resultUrl only (docs/ARCHITECTURE.md convention 3), with the payment by
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
  // The body's charset is worth seeing on the timeline only when it was not UTF-8 (§3 «Encoding»).
  const data = { ...receivedData(n), ...(input.charset === "windows-1251" ? { bodyCharset: "windows-1251" } : {}) };

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

  // 5. Hash with OUR stored secret key (§3), never the notification's `secretKey` field: the
  // organization's, or the wallet form's (§2). A wallet payment without a key has no proof at all.
  const secretKeyEnc = wallet ? shop.settings?.walletSecretKeyEnc : shop.settings?.secretKeyEnc;
  let proof: ResultProof = "none";
  if (secretKeyEnc || !wallet) {
    const secretKey = secretKeyEnc ? decryptSecret(secretKeyEnc) : null;
    if (!secretKey) return reject("bad_hash", "в настройках нет секретного ключа, подпись проверить нечем", ctx, data, fingerprint);
    if (n.hash === "") return reject("bad_hash", "в уведомлении нет контрольной подписи (hash)", ctx, data, fingerprint);
    // §3 «Encoding»: over the joined string's UTF-8 or windows-1251 bytes, as IntellectMoney's library accepts.
    const hashEncoding = matchResultNotificationHash(n, secretKey, n.hash);
    if (!hashEncoding) {
      // Logged without the hash input (it holds the key), never echoed.
      return reject("bad_hash", "контрольная подпись не совпала (возможна подделка или неверный секретный ключ)", ctx, data, fingerprint);
    }
    if (hashEncoding === "windows-1251") Object.assign(data, { hashEncoding });
    proof = "hash";
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
  // An unproven claim names exactly the invoice amount (the state table's claim rule, claimAmountsAdmissible).
  if (proof === "none" && !claimAmountsAdmissible({ paidKopecks: paid, refundKopecks: refund, invoiceKopecks: invoice })) {
    return reject("amount_mismatch", `сумма ${n.recipientAmount} не совпадает с суммой платежа ${formatKopecks(invoice)} (платёж в кошелёк, подписи нет)`, ctx, data, fingerprint);
  }

  const next = statusForCode(n.paymentStatus, { paidKopecks: paid, invoiceKopecks: invoice, refundKopecks: refund ?? null });
  if (!next) return reject("bad_request", `неизвестный статус ${n.paymentStatus}`, ctx, data, fingerprint);

  if (proof === "none") return recordClaim({ shop, payment, n, next, paid, refund, data });
  const outcome = await applyTransition({ shop, payment, n, next, paid, refund, provenBy: proof, data });
  if (wallet && outcome.result === "applied") {
    // Claims recorded before the wallet key was set may now change nothing: close them for the merchant.
    // The transition is committed, so a failure here must not turn its OK into a retry.
    await closeOutdatedClaims(shop.id, payment.id).catch((error: Error) => log.error({ shopId: shop.id, paymentId: payment.id, err: error.message }, "claims: outdated claims not closed"));
  }
  return outcome;
}
