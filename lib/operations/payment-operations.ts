// Merchant operations from the journal: capture a hold, release it, refund (docs/protocols/intellectmoney.md
// §4; issue 7, issue 13 item 12). Each request is a PaymentOperation row: REQUESTED before the API call,
// then ACCEPTED, FAILED (IntellectMoney refused, or never got it) or UNCERTAIN (no clear answer: it may
// have been executed). The payment's state is never changed here: IntellectMoney's result notification
// (5, 4 or 8) moves it through lib/results/apply-result.ts like any other.
//
// Refunds are read back (refund-read-back.ts): after an accepted or unclear refund the app asks
// IntellectMoney how much has been refunded; more than asked, or nothing readable, stops refunds of the
// payment until the merchant clears it (refund-block.ts). The row stays REQUESTED until then, so no
// other operation of the payment starts meanwhile.
//
// Concurrency: the gate runs under the payment's row lock (SELECT … FOR UPDATE) and refuses while another
// operation of the payment is REQUESTED, so two clicks at once make one API call. A form sent twice (the
// same `requestKey`) finds its first operation instead of making another. The API calls themselves run
// outside any transaction: no lock is held while IntellectMoney thinks.
import { decryptSecret } from "../crypto";
import { inTransaction, type Tx } from "../db";
import type { OperationKind, OperationState } from "../generated/prisma/enums";
import { getPurchaseInfo, purchaseToPaid, purchaseToRefund, type MerchantApiAuth, type MerchantApiOutcome, type PurchaseInfoOutcome } from "../intellectmoney/merchant-api";
import { log } from "../log";
import { formatRubles } from "../money";
import { isUuid } from "../uuid";
import { OPERATION_STATE_LABELS } from "./operation-labels";
import { availableOperations, checkGate, KIND_NOUN, refundedSoFarKopecks, type AvailableOperations, type GatePayment, type GateRefusal } from "./operation-gate";
import { blockRefunds } from "./refund-block";
import {
  createRequestedOperation,
  gateOperations,
  loadBlockTarget,
  loadOperationsPanel,
  loadPayment,
  loadShopSettings,
  lockPaymentRow,
  lockShopPayment,
  markOperationsUncertain,
  operationByRequestKey,
  recordOperationAnswer,
  staleRequestedOperations,
} from "./operation-store";
import { concludeRefund, type RefundConclusion } from "./refund-read-back";

export { availableOperations, checkGate, parseRefundInput, refundableKopecks, refundInputValue, type AvailableOperations, type GateOperation, type GatePayment } from "./operation-gate";

export type OperationRefusal = GateRefusal["reason"] | "not_found" | "not_configured" | "api_failed" | "uncertain" | "refunds_blocked" | "duplicate";

export type OperationOutcome =
  | { ok: true; operationId: string; message: string }
  | { ok: false; reason: OperationRefusal; message: string; operationId?: string };

/** A REQUESTED row older than this lost its process mid-call (two API calls of 15 s at most): it stops blocking. */
export const STALE_REQUEST_MS = 2 * 60_000;

/** The refund form's one-time key (a UUID the page renders into the form). */
const REQUEST_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseRequestKey(raw: unknown): string | undefined {
  return typeof raw === "string" && REQUEST_KEY.test(raw) ? raw : undefined;
}

type Refusal = Extract<OperationOutcome, { ok: false }>;
const refuse = (reason: OperationRefusal, message: string, operationId?: string): Refusal => ({ ok: false, reason, message, ...(operationId ? { operationId } : {}) });

/** «Списать»: captures a held payment (purchaseToPaid). */
export function capturePayment(shopId: string, paymentId: string, requestKey?: string): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "CAPTURE", undefined, requestKey);
}

/** «Отменить холдирование»: releases a hold (purchaseToRefund on a held invoice). */
export function releaseHold(shopId: string, paymentId: string, requestKey?: string): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "RELEASE", undefined, requestKey);
}

/** «Вернуть»: refunds `amountKopecks`, or everything still refundable when omitted (purchaseToRefund). */
export function refundPayment(shopId: string, paymentId: string, amountKopecks?: bigint, requestKey?: string): Promise<OperationOutcome> {
  return runOperation(shopId, paymentId, "REFUND", amountKopecks, requestKey);
}

type Prepared = {
  operationId: string;
  amountKopecks: bigint | null;
  /** Send `Amount`: a partial refund, or the rest after an earlier one. */
  partial: boolean;
  /** Refunds: what had been refunded as far as we knew before this one (the read-back's baseline). */
  refundedBeforeKopecks: bigint;
  call: { eshopId: string; orderId: string; invoiceId: string | null; currency: string } & SigningKeys;
};

async function runOperation(shopId: string, paymentId: string, kind: OperationKind, requested?: bigint, requestKey?: string): Promise<OperationOutcome> {
  if (!isUuid(shopId) || !isUuid(paymentId)) return refuse("not_found", "Платёж не найден.");
  const prepared = await inTransaction((tx) => prepare(tx, shopId, paymentId, kind, requested, requestKey), { maxWait: 10_000, timeout: 20_000 });
  if ("reason" in prepared) {
    log.info({ shopId, paymentId, kind, reason: prepared.reason }, "operation: refused before the API call");
    return prepared;
  }
  if ("duplicate" in prepared) return prepared.duplicate;

  const { call } = prepared;
  let outcome: MerchantApiOutcome;
  let auth: MerchantApiAuth | null = null;
  let secretKey = "";
  try {
    secretKey = decryptSecret(call.secretKeyEnc);
    auth = { apiToken: decryptSecret(call.apiTokenEnc), signSecret: decryptSecret(call.signSecretEnc) };
    const base = { eshopId: call.eshopId, orderId: call.orderId, secretKey, auth };
    outcome =
      kind === "CAPTURE"
        ? await purchaseToPaid(base)
        : await purchaseToRefund({ ...base, ...(kind === "REFUND" && prepared.partial ? { amountKopecks: prepared.amountKopecks! } : {}) });
  } catch (error) {
    // Not an API answer (e.g. a secret that no longer decrypts): nothing was sent, say so plainly.
    log.error({ shopId, paymentId, kind, operationId: prepared.operationId, err: (error as Error).message }, "operation: failed before the API answered");
    outcome = { ok: false, reason: "network", executed: "no", message: "Операция не выполнена из-за внутренней ошибки. Проверьте настройки Merchant API и повторите." };
  }

  const readBack = kind === "REFUND" && (outcome.ok || outcome.executed === "unknown") && auth ? await readRefundsBack(call, secretKey, auth) : null;
  return finish(shopId, paymentId, kind, prepared, outcome, readBack);
}

/** getPurchaseInfo needs the СКО number, which the first notification brought (Payment.imPaymentId). */
function readRefundsBack(call: Prepared["call"], secretKey: string, auth: MerchantApiAuth): Promise<PurchaseInfoOutcome> {
  if (!call.invoiceId) return Promise.resolve({ ok: false, message: "номер счёта IntellectMoney (СКО) ещё неизвестен." });
  return getPurchaseInfo({ eshopId: call.eshopId, invoiceId: call.invoiceId, orderId: call.orderId, secretKey, auth });
}

function warningText(warning: string): string {
  return `IntellectMoney выполнил операцию с предупреждением: ${warning}`;
}

/** Records the answer (and, for a refund, what reading it back showed) and tells the merchant. */
async function finish(
  shopId: string,
  paymentId: string,
  kind: OperationKind,
  prepared: Prepared,
  outcome: MerchantApiOutcome,
  readBack: PurchaseInfoOutcome | null,
): Promise<OperationOutcome> {
  const operationId = prepared.operationId;
  const currency = prepared.call.currency;
  const message = outcome.ok ? (outcome.warning !== null ? warningText(outcome.warning) : outcome.message) : outcome.message;
  let state: OperationState = outcome.ok ? "ACCEPTED" : outcome.executed === "no" ? "FAILED" : "UNCERTAIN";
  let conclusion: RefundConclusion | null = null;
  if (readBack) {
    conclusion = concludeRefund({
      answer: outcome.ok ? "accepted" : "unknown",
      askedKopecks: prepared.amountKopecks!,
      refundedBeforeKopecks: prepared.refundedBeforeKopecks,
      readBack,
      currency,
    });
    state = conclusion.state;
  }

  await inTransaction(async (tx) => {
    await lockPaymentRow(tx, paymentId);
    await recordOperationAnswer(tx, operationId, {
      state,
      message,
      operationCode: outcome.codes?.operation ?? null,
      resultCode: outcome.codes?.result ?? null,
      ...(conclusion ? { readBack: { note: conclusion.note, readBackKopecks: conclusion.readBackKopecks } } : {}),
    });
    if (conclusion?.block) await blockRefunds(tx, await loadBlockTarget(tx, paymentId), conclusion.block);
  });
  log.info(
    { shopId, paymentId, kind, operationId, state, reason: outcome.ok ? undefined : outcome.reason, warning: outcome.ok && outcome.warning !== null, readBack: readBack ? readBack.ok : undefined, blocked: Boolean(conclusion?.block) },
    "operation: API answered",
  );

  const what = kind === "REFUND" ? `возврат ${formatRubles(prepared.amountKopecks!, currency)}` : KIND_NOUN[kind];
  const warning = outcome.ok && outcome.warning !== null ? ` Предупреждение IntellectMoney: ${outcome.warning}.` : "";
  if (conclusion?.block) {
    const lead = outcome.ok ? `IntellectMoney принял ${what}.${warning}` : outcome.message;
    return refuse(
      "refunds_blocked",
      `${lead} Возвраты по этому платежу остановлены: ${conclusion.block} Проверьте возвраты в личном кабинете IntellectMoney и снимите остановку на карточке платежа.`,
      operationId,
    );
  }
  if (state === "FAILED") return refuse("api_failed", message ?? "IntellectMoney отказал.", operationId);
  if (state === "UNCERTAIN") return refuse("uncertain", message ?? "Ответ IntellectMoney не получен.", operationId);
  const settledBy = outcome.ok ? "" : " (ответа не было, но по данным IntellectMoney возврат выполнен)";
  return { ok: true, operationId, message: `IntellectMoney принял ${what}${settledBy}.${warning} Статус платежа изменится, когда придёт уведомление IntellectMoney.` };
}

type StoredKeys = { secretKeyEnc: string | null; apiTokenEnc: string | null; signSecretEnc: string | null } | null;
type SigningKeys = { secretKeyEnc: string; apiTokenEnc: string; signSecretEnc: string };

/**
 * The shop's keys every operation is signed with, or why there are none. The API token and the sign key
 * are needed for TST invoices too: the test access level does not cover these methods.
 */
function signingKeys(settings: StoredKeys): SigningKeys | { missing: string } {
  if (!settings?.secretKeyEnc) return { missing: "Не указан «Секретный ключ» IntellectMoney в настройках: без него операцию не подписать." };
  if (!settings.apiTokenEnc || !settings.signSecretEnc) {
    return { missing: "Укажите «API-токен» и «Ключ подписи (signSecretKey)» в настройках: без них IntellectMoney не примет операцию (в тестовом режиме тоже)." };
  }
  return { secretKeyEnc: settings.secretKeyEnc, apiTokenEnc: settings.apiTokenEnc, signSecretEnc: settings.signSecretEnc };
}

const STALE_MESSAGE = "Ответ IntellectMoney не получен: операция прервалась. Проверьте состояние платежа в личном кабинете IntellectMoney.";

/**
 * Under the payment's row lock: operations that lost their process mid-call, a form sent twice, the gate,
 * the credentials' presence, and the REQUESTED row.
 */
async function prepare(
  tx: Tx,
  shopId: string,
  paymentId: string,
  kind: OperationKind,
  requested: bigint | undefined,
  requestKey: string | undefined,
): Promise<Prepared | Refusal | { duplicate: OperationOutcome }> {
  // Scoped by the session's shop: another shop's payment id is "not found" like an unknown one.
  if (!(await lockShopPayment(tx, shopId, paymentId))) return refuse("not_found", "Платёж не найден.");
  let payment = await loadPayment(tx, paymentId);
  const settings = await loadShopSettings(tx, shopId);

  // A process that died mid-call: IntellectMoney may have executed the request. A refund among them
  // stops refunds, exactly like a refund without a clear answer.
  const stale = await staleRequestedOperations(tx, shopId, paymentId, new Date(Date.now() - STALE_REQUEST_MS));
  if (stale.length > 0) {
    await markOperationsUncertain(tx, stale.map((s) => s.id), STALE_MESSAGE);
    const staleRefund = stale.find((s) => s.kind === "REFUND");
    if (staleRefund) {
      await blockRefunds(tx, payment, `запрос возврата ${formatRubles(staleRefund.amountKopecks ?? 0n, payment.currency)} остался без ответа (операция прервалась).`);
      payment = await loadPayment(tx, paymentId);
    }
  }

  if (requestKey) {
    const first = await operationByRequestKey(tx, shopId, paymentId, requestKey);
    if (first) {
      const message = `Этот запрос уже отправлялся в IntellectMoney (${OPERATION_STATE_LABELS[first.state]}): повторно он не отправлен. Итог — в списке операций ниже.`;
      return { duplicate: first.state === "ACCEPTED" ? { ok: true, operationId: first.id, message } : refuse("duplicate", message, first.id) };
    }
  }

  const ops = await gateOperations(tx, shopId, paymentId);
  const gate = checkGate(payment, ops, kind, requested);
  if (!gate.ok) return gate;

  const keys = signingKeys(settings);
  if ("missing" in keys) return refuse("not_configured", keys.missing);

  const op = await createRequestedOperation(tx, { shopId, paymentId, kind, amountKopecks: gate.amountKopecks, requestKey: requestKey ?? null });
  const refundedBefore = refundedSoFarKopecks(payment, ops);
  // A first refund of everything goes without `Amount` (the documented full refund); anything else says how much.
  const partial = kind === "REFUND" && !(refundedBefore === 0n && gate.amountKopecks === payment.paidKopecks);
  return {
    operationId: op.id,
    amountKopecks: gate.amountKopecks,
    partial,
    refundedBeforeKopecks: refundedBefore,
    call: {
      // The invoice's own shop number, as it was created (settings may have changed since).
      eshopId: payment.eshopId,
      orderId: payment.imOrderId,
      invoiceId: payment.imPaymentId,
      currency: payment.currency,
      ...keys,
    },
  };
}

export type OperationView = {
  id: string;
  kind: OperationKind;
  state: OperationState;
  amountKopecks: bigint | null;
  message: string | null;
  note: string | null;
  resultCode: number | null;
  createdAt: Date;
  updatedAt: Date;
};

export type OperationsPanel = {
  operations: OperationView[];
  available: AvailableOperations;
  /** False when the payment cannot be operated for lack of the API token / sign key (TST included). */
  configured: boolean;
};

/**
 * What the payment page shows about operations, for a payment the page has already read (scoped by the
 * session's shop, lib/journal/journal-query.ts getPaymentWithTimeline).
 */
export async function getOperationsPanel(shopId: string, payment: GatePayment & { id: string }): Promise<OperationsPanel> {
  const [settings, operations] = await loadOperationsPanel(shopId, payment.id);
  return { operations, available: availableOperations(payment, operations), configured: !("missing" in signingKeys(settings)) };
}
