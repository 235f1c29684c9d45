// «Письма»: the letters of the signed-in shop (docs/PRODUCT.md «The 13 e-mail notifications»: without
// SMTP_URL they are kept and listed here). Only this shop's letters; buyers' addresses masked.
import { requireShopSession } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { listShopMails, parsePage } from "@/lib/mail/mail-query";
import { MailsView } from "./mails-view";

export const metadata = { title: "Письма — IntellectMoney для InSales" };

export default async function MailsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireShopSession();
  const page = parsePage((await searchParams).page);
  const list = await listShopMails(session.shopId, page);
  return <MailsView host={session.host} list={list} smtpConfigured={Boolean(env().SMTP_URL)} />;
}
