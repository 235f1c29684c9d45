// The payment card (docs/PRODUCT.md flow 10). Another shop's payment id is a 404 like an unknown one:
// the queries are scoped by the session's shop (lib/journal/journal-query.ts, lib/operations/payment-operations.ts).
import { randomUUID } from "node:crypto";
import { notFound } from "next/navigation";
import { requireShopSession } from "@/lib/auth/session";
import { getPaymentWithTimeline } from "@/lib/journal/journal-query";
import { getOperationsPanel } from "@/lib/operations/payment-operations";
import { resolveProblemAction } from "../actions";
import { confirmClaimAction, rejectClaimAction } from "../claim-actions";
import { captureAction, clearRefundBlockAction, refundAction, releaseAction } from "../operation-actions";
import { OperationsSection } from "./operations-section";
import { PaymentCardView } from "./payment-card-view";

export const metadata = { title: "Платёж — IntellectMoney для InSales" };

export default async function PaymentPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireShopSession();
  const { id } = await params;
  const data = await getPaymentWithTimeline(session.shopId, id);
  if (!data) notFound();
  const p = data.payment;
  const panel = await getOperationsPanel(session.shopId, p);
  return (
    <PaymentCardView
      data={data}
      resolveAction={resolveProblemAction}
      claimActions={{ confirm: confirmClaimAction, reject: rejectClaimAction }}
      operations={
        <OperationsSection
          paymentId={p.id}
          currency={p.currency}
          legalForm={p.legalForm}
          panel={panel}
          // One key per rendering of the forms: a form sent twice is recognised (lib/operations/payment-operations.ts).
          requestKey={randomUUID()}
          actions={{ capture: captureAction, release: releaseAction, refund: refundAction, clearBlock: clearRefundBlockAction }}
        />
      }
    />
  );
}
