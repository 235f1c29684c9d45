// «Платежи»: the journal of the signed-in shop (docs/PRODUCT.md flow 10). Filters come from the URL
// (a GET form, so a filtered view is a link the merchant can share with staff).
import { requireShopSession } from "@/lib/auth/session";
import { parseJournalFilters } from "@/lib/journal/journal-filters";
import { listOpenProblems } from "@/lib/journal/journal-problems";
import { decodeCursor, listPayments } from "@/lib/journal/journal-query";
import { resolveProblemAction } from "./actions";
import { PaymentsView } from "./payments-view";

export const metadata = { title: "Платежи — IntellectMoney для InSales" };

export default async function PaymentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireShopSession();
  const params = await searchParams;
  const { filters, warnings } = parseJournalFilters(params);
  const [list, problems] = await Promise.all([
    listPayments(session.shopId, filters, { after: decodeCursor(params.after), before: decodeCursor(params.before) }),
    listOpenProblems(session.shopId),
  ]);
  return <PaymentsView filters={filters} warnings={warnings} list={list} problems={problems} resolveAction={resolveProblemAction} />;
}
