// Claims: result notifications nobody could verify (docs/protocols/intellectmoney.md §2). A personal-wallet
// payment whose settings have no «Секретный ключ» gets notifications that anyone who saw the invoice form
// could have written. The state table (lib/payments/state.ts planResult, proof "none") turns each one that would move
// the payment into a claim: recorded, shown as «Требует подтверждения», told to the merchant (a problem and
// letter 7), and decided by the merchant on the payment card after checking the IntellectMoney account:
// - confirm: the claim is planned again with proof "merchant" against the payment as it stands, and applied
//   through lib/results/result-transition.ts exactly like a verified result (the InSales notice, the letters);
// - reject: nothing changes but the claim's state and the timeline.
// Each claim is decided on its own: a forged one (a «cancelled» from the buyer) cannot block or swallow a
// genuine one (IntellectMoney's «paid»). A claim the payment has moved past (a verified result or another
// confirmed claim got there first) is closed as OUTDATED.
//
// Every change here runs under the payment's row lock (SELECT … FOR UPDATE, the same lock the result's
// locked path takes), so two clicks, two tabs and a concurrent notification are serialised: one transition,
// one notice, and a repeat is a success that changes nothing. Scoped by the session's shop on every read.
import { md5Hex } from "../crypto";
import { inTransaction, type Tx } from "../db";
import type { Payment, PaymentClaim } from "../generated/prisma/client";
import type { ClaimState, PaymentStatus } from "../generated/prisma/enums";
import type { ResultNotification } from "../intellectmoney/result-notification";
import { log } from "../log";
import { isUuid } from "../uuid";
import { queuePaymentMails } from "../mail/queue-mail";
import { eventRow, insertEvents, jsonSafe } from "../payments/event-store";
import { planResultFor, STATUS_TEXT } from "../payments/state";
import { claimText } from "./claim-text";
import {
  countClaimCopy,
  createClaim,
  decideClaimRow,
  findClaimOfShop,
  findPendingClaim,
  hasPendingClaim,
  loadClaim,
  loadShopWithSettings,
  markClaimsOutdated,
  openClaimProblem,
  pendingClaims,
  resolveClaimProblemIfDone,
} from "./claim-store";
import { lockPayment, type ShopWithSettings } from "./result-store";
import { queueTransitionJobs, writeTransitionLocked, type WrittenTransition } from "./result-transition";

/** Claims wait for the merchant; copies of one notification queue up on the row lock in the meantime. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

export type ClaimInput = {
  shop: ShopWithSettings;
  payment: Payment;
  n: ResultNotification;
  next: PaymentStatus;
  paid: bigint;
  refund: bigint | undefined;
  /** The received fields (never the hash). */
  data: Record<string, unknown>;
};

export type RecordClaimOutcome = { ok: true; result: "claimed" | "unchanged"; paymentId: string; status: PaymentStatus };

/**
 * IntellectMoney's copies of one notification (and a forger's repeats) are the same claim while it is
 * pending: status, invoice and amounts. A claim already decided is never reused: a genuine notification
 * that looks like a rejected forgery still becomes a new claim.
 */
function dedupeKey(c: { paymentStatus: string; imPaymentId: string; paidKopecks: bigint; refundKopecks: bigint | null }): string {
  return md5Hex([c.paymentStatus, c.imPaymentId, c.paidKopecks.toString(), c.refundKopecks?.toString() ?? ""].join("::"));
}

/**
 * An unverifiable notification (apply-result.ts, proof "none"): a new claim, a copy of a pending one, or —
 * when it would not move the payment anyway (a status 3, a repeat, an older status) — a timeline entry.
 */
export async function recordClaim(c: ClaimInput): Promise<RecordClaimOutcome> {
  const { shop, n } = c;
  const paymentId = c.payment.id;
  const outcome = await inTransaction(async (tx) => {
    const current = await lockPayment(tx, paymentId);
    const plan = planResultFor(current, c, "none");
    if (plan.kind === "ignore") {
      // Nothing to decide: recorded for the timeline only. Status 3 («счёт создан») changes no money but
      // names the invoice; an unproven name is not stored (a forger could plant one), it is on the timeline.
      const message =
        n.paymentStatus === "3"
          ? `IntellectMoney сообщил о создании счёта ${n.paymentId} (подпись не проверить: в настройках нет секретного ключа формы)`
          : `Уведомление без подписи (статус ${n.paymentStatus}: ${STATUS_TEXT[c.next]}) ничего не изменило бы: платёж уже «${STATUS_TEXT[current.status]}»`;
      await insertEvents(tx, shop.id, paymentId, [eventRow("result_unverified", message, { ...c.data, verification: "none", ignored: plan.reason })], 0);
      return { result: "unchanged" as const, status: current.status, claimId: null };
    }
    if (plan.kind === "apply") throw new Error("claims: an unproven result planned as applied");

    const fields = { paymentStatus: n.paymentStatus, imPaymentId: n.paymentId, paidKopecks: c.paid, refundKopecks: c.refund ?? null };
    const key = dedupeKey(fields);
    const text = claimText({ targetStatus: c.next, paidKopecks: c.paid, refundKopecks: c.refund ?? null }, current.currency);
    const pending = await findPendingClaim(tx, paymentId, key);
    if (pending) {
      await countClaimCopy(tx, pending.id);
      await insertEvents(tx, shop.id, paymentId, [eventRow("claim_repeated", `Уведомление без подписи пришло ещё раз («${text}»); ждёт подтверждения`, { ...c.data, claimId: pending.id, copies: pending.copies + 1 })], 0);
      return { result: "claimed" as const, status: current.status, claimId: pending.id };
    }
    const claim = await createClaim(tx, { shopId: shop.id, paymentId, ...fields, targetStatus: c.next, dedupeKey: key, data: jsonSafe(c.data) });
    await insertEvents(
      tx,
      shop.id,
      paymentId,
      [
        eventRow(
          "claim_recorded",
          `Уведомление без подписи: «${text}». Платёж не изменён и InSales ничего не сообщено: сверьте оплату в личном кабинете IntellectMoney и подтвердите или отклоните уведомление`,
          { ...c.data, verification: "none", claimId: claim.id },
        ),
      ],
      0,
    );
    const order = current.orderNumber ?? current.insalesOrderId;
    await openClaimProblem(
      tx,
      shop.id,
      paymentId,
      `Заказ №${order}: уведомление IntellectMoney без подписи («${text}») требует подтверждения. Сверьте оплату в личном кабинете IntellectMoney и подтвердите или отклоните его на карточке платежа.`,
    );
    // One letter per claim; kind 7 is flood-limited per shop and hour (lib/mail/queue-mail.ts).
    await queuePaymentMails(tx, { trigger: "claim_received", shopId: shop.id, paymentId, eventKey: `claim:${claim.id}`, facts: { reason: `IntellectMoney сообщает: ${text} (счёт ${n.paymentId})` } });
    return { result: "claimed" as const, status: current.status, claimId: claim.id };
  }, TX_OPTIONS);
  log.warn({ shopId: shop.id, paymentId, paymentStatus: n.paymentStatus, result: outcome.result, claimId: outcome.claimId }, "result: unverifiable wallet notification recorded as a claim");
  return { ok: true, result: outcome.result, paymentId, status: outcome.status };
}

export type ClaimDecision = "confirm" | "reject";

export type DecideClaimOutcome =
  | { ok: true; result: "confirmed" | "rejected" | "outdated" | "already_decided"; state: ClaimState; paymentId: string; status: PaymentStatus }
  | { ok: false; reason: "not_found" };

/** The claim's facts as a result of the state table (result-transition.ts). */
function asResult(claim: PaymentClaim) {
  const data = (claim.data ?? {}) as Record<string, unknown>;
  return {
    n: { paymentStatus: claim.paymentStatus, paymentId: claim.imPaymentId, recipientAmount: typeof data.recipientAmount === "string" ? data.recipientAmount : claim.paidKopecks.toString() },
    next: claim.targetStatus,
    paid: claim.paidKopecks,
    refund: claim.refundKopecks ?? undefined,
    data,
  };
}

/**
 * Closes the pending claims the payment has moved past (their plan against `current` is no longer apply),
 * except `except`. Caller holds the payment's row lock.
 */
async function closeOutdated(tx: Tx, current: Payment, except: string | null, startOrd: number): Promise<number> {
  const pending = await pendingClaims(tx, current.id, except);
  const outdated = pending.filter((c) => planResultFor(current, asResult(c), "merchant").kind !== "apply");
  if (outdated.length === 0) return 0;
  await markClaimsOutdated(tx, outdated.map((c) => c.id));
  await insertEvents(
    tx,
    current.shopId,
    current.id,
    outdated.map((c) =>
      eventRow("claim_outdated", `Неподтверждённое уведомление «${claimText(c, current.currency)}» больше ничего не меняет: платёж уже «${STATUS_TEXT[current.status]}»`, { claimId: c.id }),
    ),
    startOrd,
  );
  return outdated.length;
}

/**
 * The merchant's decision on the payment card (app/(merchant)/payments/claim-actions.ts). `shopId` is the
 * session's: a claim of another shop is not found. `decidedBy` names the InSales user for the timeline.
 */
export async function decideClaim(shopId: string, claimId: string, decision: ClaimDecision, decidedBy: string): Promise<DecideClaimOutcome> {
  if (!isUuid(shopId) || !isUuid(claimId)) return { ok: false, reason: "not_found" };
  const found = await findClaimOfShop(shopId, claimId);
  if (!found) return { ok: false, reason: "not_found" };
  const paymentId = found.paymentId;
  const by = decidedBy.slice(0, 200);

  const done = await inTransaction(async (tx) => {
    // Lock order: the payment first (as the result's locked path), then the claim.
    const current = await lockPayment(tx, paymentId);
    const claim = await loadClaim(tx, claimId);
    if (claim.state !== "PENDING") return { result: "already_decided" as const, state: claim.state, status: current.status, written: null };
    const text = claimText(claim, current.currency);
    const decided = { decidedAt: new Date(), decidedBy: by };

    if (decision === "reject") {
      await decideClaimRow(tx, claimId, "REJECTED", decided);
      await insertEvents(tx, shopId, paymentId, [eventRow("claim_rejected", `Магазин отклонил неподтверждённое уведомление «${text}»; платёж не изменён`, { claimId, decidedBy: by })], 0);
      await resolveClaimProblemIfDone(tx, shopId, paymentId);
      return { result: "rejected" as const, state: "REJECTED" as const, status: current.status, written: null };
    }

    const r = asResult(claim);
    if (planResultFor(current, r, "merchant").kind !== "apply") {
      // The payment moved past it (a verified result, another confirmed claim): confirming changes nothing.
      await decideClaimRow(tx, claimId, "OUTDATED", decided);
      await insertEvents(tx, shopId, paymentId, [eventRow("claim_outdated", `Подтверждение не понадобилось: уведомление «${text}» ничего не меняет, платёж уже «${STATUS_TEXT[current.status]}»`, { claimId, decidedBy: by })], 0);
      await resolveClaimProblemIfDone(tx, shopId, paymentId);
      return { result: "outdated" as const, state: "OUTDATED" as const, status: current.status, written: null };
    }

    const shop = await loadShopWithSettings(tx, shopId);
    await decideClaimRow(tx, claimId, "CONFIRMED", decided);
    await insertEvents(tx, shopId, paymentId, [eventRow("claim_confirmed", `Магазин подтвердил уведомление «${text}» после сверки в личном кабинете IntellectMoney`, { claimId, decidedBy: by })], -1);
    // The same transition as a verified result, on the payment as it stands under the lock.
    const written: WrittenTransition = await writeTransitionLocked(tx, current, { shop, payment: current, ...r, provenBy: "merchant" });
    const after = written.decision.after;
    await closeOutdated(tx, after, claimId, 10);
    await resolveClaimProblemIfDone(tx, shopId, paymentId);
    return { result: "confirmed" as const, state: "CONFIRMED" as const, status: after.status, written };
  }, TX_OPTIONS);

  if (done.written) await queueTransitionJobs(shopId, paymentId, done.written);
  log.info({ shopId, paymentId, claimId, decision, result: done.result, status: done.status }, "claims: merchant decision");
  return { ok: true, result: done.result, state: done.state, paymentId, status: done.status };
}

/**
 * After a verified result moved a wallet payment: its pending claims that no longer change anything are
 * closed (the merchant need not decide them). Cheap when there are none.
 */
export async function closeOutdatedClaims(shopId: string, paymentId: string): Promise<number> {
  if (!(await hasPendingClaim(shopId, paymentId))) return 0;
  const closed = await inTransaction(async (tx) => {
    const current = await lockPayment(tx, paymentId);
    const n = await closeOutdated(tx, current, null, 0);
    if (n > 0) await resolveClaimProblemIfDone(tx, shopId, paymentId);
    return n;
  }, TX_OPTIONS);
  if (closed > 0) log.info({ shopId, paymentId, closed }, "claims: outdated by a verified result");
  return closed;
}
