// What a claim (an unverifiable notification, lib/results/claims.ts) says, in the merchant's words: on the
// timeline, in the letter, on the payment card.
import type { PaymentStatus } from "../generated/prisma/enums";
import { formatRubles } from "../money";
import { STATUS_TEXT } from "../payments/state";

/** «оплачен, 700,00 ₽», «возврат 300,00 ₽». */
export function claimText(c: { targetStatus: PaymentStatus; paidKopecks: bigint; refundKopecks: bigint | null }, currency: string): string {
  if (c.refundKopecks !== null) return `${STATUS_TEXT[c.targetStatus]} ${formatRubles(c.refundKopecks, currency)}`;
  return `${STATUS_TEXT[c.targetStatus]}, ${formatRubles(c.paidKopecks, currency)}`;
}
