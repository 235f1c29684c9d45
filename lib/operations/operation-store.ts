// The statements of merchant operations (payment-operations.ts) and of stopping refunds (refund-block.ts).
// Everything that decides whether an operation may start runs under the payment's row lock (lockShopPayment),
// inside the caller's transaction.
import { db, type Tx } from "../db";
import type { Payment, ShopSettings } from "../generated/prisma/client";
import type { OperationKind, OperationState } from "../generated/prisma/enums";

/**
 * The payment's row lock (SELECT … FOR UPDATE), scoped by the session's shop: false when the id is not a
 * payment of this shop, which the caller answers like an unknown one.
 */
export async function lockShopPayment(tx: Tx, shopId: string, paymentId: string): Promise<boolean> {
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Payment" WHERE id = ${paymentId}::uuid AND "shopId" = ${shopId}::uuid FOR UPDATE`;
  return locked.length > 0;
}

/** The row lock of a payment the caller already knows to be the shop's (the operation's answer). */
export async function lockPaymentRow(tx: Tx, paymentId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Payment" WHERE id = ${paymentId}::uuid FOR UPDATE`;
}

export function loadPayment(tx: Tx, paymentId: string): Promise<Payment> {
  return tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
}

export function loadShopSettings(tx: Tx, shopId: string): Promise<ShopSettings | null> {
  return tx.shopSettings.findUnique({ where: { shopId } });
}

/** The REQUESTED operations older than `before`: their process died mid-call. */
export function staleRequestedOperations(tx: Tx, shopId: string, paymentId: string, before: Date) {
  return tx.paymentOperation.findMany({ where: { paymentId, shopId, state: "REQUESTED", createdAt: { lt: before } }, select: { id: true, kind: true, amountKopecks: true } });
}

/** UNCERTAIN: IntellectMoney may or may not have executed them. */
export async function markOperationsUncertain(tx: Tx, operationIds: string[], message: string): Promise<void> {
  await tx.paymentOperation.updateMany({ where: { id: { in: operationIds } }, data: { state: "UNCERTAIN", message } });
}

/** The operation a form with this one-time key already made, if any. */
export function operationByRequestKey(tx: Tx, shopId: string, paymentId: string, requestKey: string) {
  return tx.paymentOperation.findFirst({ where: { paymentId, shopId, requestKey }, select: { id: true, state: true } });
}

/** What the gate needs of the payment's operations. */
export function gateOperations(tx: Tx, shopId: string, paymentId: string) {
  return tx.paymentOperation.findMany({ where: { paymentId, shopId }, select: { kind: true, state: true, amountKopecks: true, readBackKopecks: true } });
}

/** The REQUESTED row, before the API call. */
export function createRequestedOperation(tx: Tx, o: { shopId: string; paymentId: string; kind: OperationKind; amountKopecks: bigint | null; requestKey: string | null }): Promise<{ id: string }> {
  return tx.paymentOperation.create({ data: { ...o, state: "REQUESTED" }, select: { id: true } });
}

export type OperationAnswer = {
  state: OperationState;
  message: string | null;
  operationCode: number | null;
  resultCode: number | null;
  /** A refund's read-back: what it concluded and the total it read. */
  readBack?: { note: string; readBackKopecks: bigint | null };
};

/** The API's answer (and a refund's read-back) on the operation's row. */
export async function recordOperationAnswer(tx: Tx, operationId: string, a: OperationAnswer): Promise<void> {
  await tx.paymentOperation.update({
    where: { id: operationId },
    data: { state: a.state, message: a.message, operationCode: a.operationCode, resultCode: a.resultCode, ...(a.readBack ? { note: a.readBack.note, readBackKopecks: a.readBack.readBackKopecks } : {}) },
  });
}

/** What stopping refunds needs of the payment. */
export type BlockTarget = { id: string; shopId: string; orderNumber: string | null; insalesOrderId: string; refundsBlockedAt: Date | null };

export function loadBlockTarget(tx: Tx, paymentId: string): Promise<BlockTarget> {
  return tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: { id: true, shopId: true, orderNumber: true, insalesOrderId: true, refundsBlockedAt: true } });
}

/** Refunds stopped with `reason` (null `at`: allowed again). */
export async function setRefundsBlocked(tx: Tx, paymentId: string, at: Date | null, reason: string | null): Promise<void> {
  await tx.payment.update({ where: { id: paymentId }, data: { refundsBlockedAt: at, refundsBlockedReason: reason } });
}

export async function refundsBlockedAt(tx: Tx, paymentId: string): Promise<Date | null> {
  return (await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, select: { refundsBlockedAt: true } })).refundsBlockedAt;
}

export async function hasRequestedOperation(tx: Tx, shopId: string, paymentId: string): Promise<boolean> {
  return (await tx.paymentOperation.count({ where: { paymentId, shopId, state: "REQUESTED" } })) > 0;
}

/** The open problems of `kind` of the payment, resolved at `at`. */
export async function resolvePaymentProblems(tx: Tx, shopId: string, paymentId: string, kind: string, at: Date): Promise<void> {
  await tx.problem.updateMany({ where: { paymentId, shopId, kind, resolvedAt: null }, data: { resolvedAt: at } });
}

/** What the payment card shows about operations: the shop's signing keys (present or not) and the operations, newest first. */
export function loadOperationsPanel(shopId: string, paymentId: string) {
  return Promise.all([
    db().shopSettings.findUnique({ where: { shopId }, select: { secretKeyEnc: true, apiTokenEnc: true, signSecretEnc: true } }),
    db().paymentOperation.findMany({
      where: { paymentId, shopId },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      select: { id: true, kind: true, state: true, amountKopecks: true, message: true, note: true, resultCode: true, readBackKopecks: true, createdAt: true, updatedAt: true },
    }),
  ]);
}
