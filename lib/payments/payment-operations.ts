// Merchant operations from the journal: capture a hold, release it, refund (spec/intellectmoney-protocol.md
// §4; issue 7). Each request is a PaymentOperation row: REQUESTED before the API call, then ACCEPTED or
// FAILED with the API's message. The payment's state is never changed here: IntellectMoney's result
// notification (5, 4 or 8) moves it through lib/payments/apply-result.ts like any other.
//
// Concurrency: the gate runs under the payment's row lock (SELECT … FOR UPDATE) and refuses while another
// operation of the payment is REQUESTED, so two clicks at once make one API call (the second waits for the
// lock, then sees the first one's REQUESTED row and is refused). The API call itself runs outside the
// transaction: no lock is held while IntellectMoney thinks.
import { decryptSecret } from "../crypto";
import { db, type Tx } from "../db";
import type { LegalForm, OperationKind, OperationState, PaymentStatus } from "../generated/prisma/enums";
import { purchaseToPaid, purchaseToRefund, type MerchantApiCall, type MerchantApiOutcome } from "../intellectmoney/merchant-api";
import { log } from "../log";
import { formatKopecks, formatRubles, parseKopecks } from "../money";
import { isUuid } from "./journal-query";
import { PAYMENT_STATUS_LABELS } from "./journal-labels";

export type OperationRefusal = "not_found" | "not_allowed" | "bad_amount" | "not_configured" | "busy" | "api_failed";

export type OperationOutcome =
  | { ok: true; operationId: string; message: string }
  | { ok: false; reason: OperationRefusal; message: string; operationId?: string };

/** A REQUESTED row older than this lost its process mid-call (the API timeout is 15 s): it stops blocking. */
export const STALE_REQUEST_MS = 2 * 60_000;

/** What the gate needs of a payment. */
export type GatePayment = {
  status: PaymentStatus;
  legalForm: LegalForm;
  currency: string;
  paidKopecks: bigint;
  refundedKopecks: bigint;
};

export type GateOperation = { kind: OperationKind; state: OperationState; amountKopecks: bigint | null };

/**
 * What may still be refunded: paid − max(refunded by notifications, refunds IntellectMoney accepted).
 * An accepted refund whose notification has not arrived yet already counts, so the merchant cannot send
 * the same money twice while waiting. [assumed] refundedKopecks is the running total (status 8
 * `refundAmount`, docs/OPERATIONS.md), so once the notification comes the two agree.
 */
export function refundableKopecks(p: GatePayment, ops: readonly GateOperation[]): bigint {
  const accepted = ops.filter((o) => o.kind === "REFUND" && o.state === "ACCEPTED").reduce((sum, o) => sum + (o.amountKopecks ?? 0n), 0n);
  const spent = p.refundedKopecks > accepted ? p.refundedKopecks : accepted;
  const left = p.paidKopecks - spent;
  return left > 0n ? left : 0n;
}

export type AvailableOperations = { capture: boolean; release: boolean; refundKopecks: bigint | null };

/**
 * The buttons the payment page shows: the gate's own answers (checkGate), ignoring an operation still in
 * flight, which only makes the gate say "busy" for a moment.
 */
export function availableOperations(p: GatePayment, ops: readonly GateOperation[]): AvailableOperations {
  const settled = ops.filter((o) => o.state !== "REQUESTED");
  const refund = checkGate(p, settled, "REFUND");
  return {
    capture: checkGate(p, settled, "CAPTURE").ok,
    release: checkGate(p, settled, "RELEASE").ok,
    refundKopecks: refund.ok ? refund.amountKopecks : null,
  };
}

/**
 * The «Сумма возврата» field as a merchant types it: "500", "500,5", "1 500,00", "1500.00" → kopecks;
 * anything else (a sign, three decimals, letters) → null.
 */
export function parseRefundInput(raw: string): bigint | null {
  const compact = raw.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
  return compact === "" ? null : parseKopecks(compact);
}

/** The field's default: kopecks as the merchant would type them, "1000,00". */
export function refundInputValue(kopecks: bigint): string {
  return formatKopecks(kopecks).replace(".", ",");
}

const KIND_NOUN: Record<OperationKind, string> = { CAPTURE: "списание", RELEASE: "отмену холдирования", REFUND: "возврат" };

type Refusal = Extract<OperationOutcome, { ok: false }>;
const refuse = (reason: OperationRefusal, message: string): Refusal => ({ ok: false, reason, message });

/** Pure: may `kind` run on this payment now? For a refund also the amount to send. */
export function checkGate(p: GatePayment, ops: readonly GateOperation[], kind: OperationKind, requested?: bigint): { ok: true; amountKopecks: bigint | null } | Refusal {
  if (p.legalForm !== "ORGANIZATION") {
    return refuse("not_allowed", "Операции через Merchant API недоступны для переводов физическому лицу: управляйте платежом в кошельке IntellectMoney.");
  }
  if (ops.some((o) => o.state === "REQUESTED")) {
    return refuse("busy", "По этому платежу уже выполняется операция. Дождитесь её результата.");
  }
  const now = PAYMENT_STATUS_LABELS[p.status];
  if (kind === "CAPTURE" || kind === "RELEASE") {
    if (p.status !== "HELD") {
      return refuse("not_allowed", `${kind === "CAPTURE" ? "Списать" : "Отменить холдирование"} можно только у захолдированного платежа, а этот платёж — «${now}».`);
    }
    const accepted = ops.find((o) => (o.kind === "CAPTURE" || o.kind === "RELEASE") && o.state === "ACCEPTED");
    if (accepted) {
      return refuse("busy", `IntellectMoney уже принял ${KIND_NOUN[accepted.kind]} этого платежа; итог придёт уведомлением.`);
    }
    return { ok: true, amountKopecks: null };
  }
  if (p.status !== "PAID" && p.status !== "PARTIALLY_REFUNDED") {
    return refuse("not_allowed", `Вернуть можно только оплаченный платёж, а этот платёж — «${now}».`);
  }
  const available = refundableKopecks(p, ops);
  const amount = requested ?? available;
  if (amount <= 0n) {
    return available <= 0n ? refuse("bad_amount", "Возвращать нечего: вся оплаченная сумма уже возвращена.") : refuse("bad_amount", "Сумма возврата должна быть больше нуля.");
  }
  if (amount > available) {
    return refuse("bad_amount", `Сумма возврата ${formatRubles(amount, p.currency)} больше доступной к возврату ${formatRubles(available, p.currency)}.`);
  }
  return { ok: true, amountKopecks: amount };
}

/** «Списать»: captures a held payment (§4 purchaseToPaid). */
export function capturePayment(shopId: string, paymentId: string): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "CAPTURE");
}

/** «Отменить холдирование»: releases a hold (§4 purchaseToRefund on a held invoice). */
export function releaseHold(shopId: string, paymentId: string): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "RELEASE");
}

/** «Вернуть»: refunds `amountKopecks`, or everything still refundable when omitted (§4 purchaseToRefund). */
export function refundPayment(shopId: string, paymentId: string, amountKopecks?: bigint): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "REFUND", amountKopecks);
}

type Prepared = {
  operationId: string;
  amountKopecks: bigint | null;
  /** Send `Amount`: a partial refund, or the rest after an earlier one. */
  partial: boolean;
  call: { eshopId: string; orderId: string; currency: string } & SigningKeys;
};

async function runOperation(shopId: string, paymentId: string, kind: OperationKind, requested?: bigint): Promise<OperationOutcome> {
  if (!isUuid(shopId) || !isUuid(paymentId)) return refuse("not_found", "Платёж не найден.");
  const prepared = await db().$transaction((tx) => prepare(tx, shopId, paymentId, kind, requested), { maxWait: 10_000, timeout: 20_000 });
  if ("reason" in prepared) {
    log.info({ shopId, paymentId, kind, reason: prepared.reason }, "operation: refused before the API call");
    return prepared;
  }

  const { call } = prepared;
  let outcome: MerchantApiOutcome;
  try {
    const base: MerchantApiCall = {
      eshopId: call.eshopId,
      orderId: call.orderId,
      secretKey: decryptSecret(call.secretKeyEnc),
      auth: call.auth ? { apiToken: decryptSecret(call.auth.apiTokenEnc), signSecret: decryptSecret(call.auth.signSecretEnc) } : null,
    };
    outcome =
      kind === "CAPTURE"
        ? await purchaseToPaid(base)
        : await purchaseToRefund({ ...base, ...(kind === "REFUND" && prepared.partial ? { amountKopecks: prepared.amountKopecks! } : {}) });
  } catch (error) {
    // Not an API answer (e.g. a secret that no longer decrypts): the operation failed, say so plainly.
    log.error({ shopId, paymentId, kind, operationId: prepared.operationId, err: (error as Error).message }, "operation: failed before the API answered");
    outcome = { ok: false, reason: "network", message: "Операция не выполнена из-за внутренней ошибки. Проверьте настройки Merchant API и повторите." };
  }

  await db().paymentOperation.update({
    where: { id: prepared.operationId },
    data: { state: outcome.ok ? "ACCEPTED" : "FAILED", message: outcome.message },
  });
  log.info({ shopId, paymentId, kind, operationId: prepared.operationId, state: outcome.ok ? "ACCEPTED" : "FAILED", reason: outcome.ok ? undefined : outcome.reason }, "operation: API answered");
  if (!outcome.ok) return { ok: false, reason: "api_failed", message: outcome.message, operationId: prepared.operationId };
  const what = kind === "REFUND" ? `возврат ${formatRubles(prepared.amountKopecks!, call.currency)}` : KIND_NOUN[kind];
  return { ok: true, operationId: prepared.operationId, message: `IntellectMoney принял ${what}. Статус платежа изменится, когда придёт уведомление IntellectMoney.` };
}

type StoredKeys = { secretKeyEnc: string | null; apiTokenEnc: string | null; signSecretEnc: string | null } | null;
type SigningKeys = { secretKeyEnc: string; auth: { apiTokenEnc: string; signSecretEnc: string } | null };

/**
 * The shop's keys an operation on a payment in `currency` is signed with, or why there are none. §4: TST
 * invoices need neither the API token nor the sign secret; every request carries the hash of the secret key.
 */
function signingKeys(currency: string, settings: StoredKeys): SigningKeys | { missing: string } {
  if (!settings?.secretKeyEnc) return { missing: "Не указан «Секретный ключ» IntellectMoney в настройках: без него операцию не подписать." };
  if (currency === "TST") return { secretKeyEnc: settings.secretKeyEnc, auth: null };
  if (!settings.apiTokenEnc || !settings.signSecretEnc) {
    return { missing: "Укажите «API-токен» и «Ключ подписи (signSecretKey)» в настройках: без них IntellectMoney не примет операцию." };
  }
  return { secretKeyEnc: settings.secretKeyEnc, auth: { apiTokenEnc: settings.apiTokenEnc, signSecretEnc: settings.signSecretEnc } };
}

/** Under the payment's row lock: the gate, the credentials' presence, and the REQUESTED row. */
async function prepare(tx: Tx, shopId: string, paymentId: string, kind: OperationKind, requested: bigint | undefined): Promise<Prepared | Refusal> {
  // Scoped by the session's shop: another shop's payment id is "not found" like an unknown one.
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Payment" WHERE id = ${paymentId}::uuid AND "shopId" = ${shopId}::uuid FOR UPDATE`;
  if (locked.length === 0) return refuse("not_found", "Платёж не найден.");
  const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
  const settings = await tx.shopSettings.findUnique({ where: { shopId } });

  await tx.paymentOperation.updateMany({
    where: { paymentId, shopId, state: "REQUESTED", createdAt: { lt: new Date(Date.now() - STALE_REQUEST_MS) } },
    data: { state: "FAILED", message: "Ответ IntellectMoney не получен. Проверьте состояние платежа в личном кабинете IntellectMoney." },
  });
  const ops = await tx.paymentOperation.findMany({ where: { paymentId, shopId }, select: { kind: true, state: true, amountKopecks: true } });

  const gate = checkGate(payment, ops, kind, requested);
  if (!gate.ok) return gate;

  const keys = signingKeys(payment.currency, settings);
  if ("missing" in keys) return refuse("not_configured", keys.missing);

  const op = await tx.paymentOperation.create({ data: { shopId, paymentId, kind, amountKopecks: gate.amountKopecks, state: "REQUESTED" }, select: { id: true } });
  const partial = kind === "REFUND" && !(payment.refundedKopecks === 0n && gate.amountKopecks === payment.paidKopecks && !ops.some((o) => o.kind === "REFUND" && o.state === "ACCEPTED"));
  return {
    operationId: op.id,
    amountKopecks: gate.amountKopecks,
    partial,
    call: {
      // The invoice's own shop number, as it was created (settings may have changed since).
      eshopId: payment.eshopId,
      orderId: payment.imOrderId,
      currency: payment.currency,
      ...keys,
    },
  };
}

export type OperationView = { id: string; kind: OperationKind; state: OperationState; amountKopecks: bigint | null; message: string | null; createdAt: Date; updatedAt: Date };

export type OperationsPanel = {
  operations: OperationView[];
  available: AvailableOperations;
  /** False when a non-test payment cannot be operated for lack of the API token / sign key. */
  configured: boolean;
};

/**
 * What the payment page shows about operations, for a payment the page has already read (scoped by the
 * session's shop, lib/payments/journal-query.ts getPaymentWithTimeline).
 */
export async function getOperationsPanel(shopId: string, payment: GatePayment & { id: string }): Promise<OperationsPanel> {
  const [settings, operations] = await Promise.all([
    db().shopSettings.findUnique({ where: { shopId }, select: { secretKeyEnc: true, apiTokenEnc: true, signSecretEnc: true } }),
    db().paymentOperation.findMany({
      where: { paymentId: payment.id, shopId },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      select: { id: true, kind: true, state: true, amountKopecks: true, message: true, createdAt: true, updatedAt: true },
    }),
  ]);
  return { operations, available: availableOperations(payment, operations), configured: !("missing" in signingKeys(payment.currency, settings)) };
}
