// The payment card (spec/product.md flow 10). Another shop's payment id is a 404 like an unknown one:
// the query is scoped by the session's shop (lib/payments/journal-query.ts).
import { notFound } from "next/navigation";
import { requireShopSession } from "@/lib/auth/session";
import { getPaymentWithTimeline } from "@/lib/payments/journal-query";
import { resolveProblemAction } from "../actions";
import { PaymentCardView } from "./payment-card-view";

export const metadata = { title: "Платёж — IntellectMoney для InSales" };

export default async function PaymentPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireShopSession();
  const { id } = await params;
  const data = await getPaymentWithTimeline(session.shopId, id);
  if (!data) notFound();
  return <PaymentCardView data={data} resolveAction={resolveProblemAction} />;
}
