// «Ссылка на оплату» of one InSales order (docs/PRODUCT.md flow 12): opened from the order-card widget through
// the «Войти» round trip (/api/insales/login?…&return_to=/payment-links?order=<id>), or from a payment card.
// The layout checks the session; the order is read through the shop's API, scoped by the session's shop.
import { requireShopSession } from "@/lib/auth/session";
import { orderForLink } from "@/lib/payment-links/create-payment-link";
import { LINK_LIFETIMES_DAYS } from "@/lib/payment-links/link-labels";
import { linksOfOrder } from "@/lib/payment-links/payment-link-query";
import { createPaymentLinkAction } from "./actions";
import { PaymentLinkForm } from "./payment-link-form";
import { PaymentLinksView } from "./payment-links-view";

export const metadata = { title: "Ссылка на оплату — IntellectMoney для InSales" };

export default async function PaymentLinksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requireShopSession();
  const raw = (await searchParams).order;
  const orderId = typeof raw === "string" && /^\d{1,20}$/.test(raw) ? raw : "";
  const [checked, links] = await Promise.all([orderForLink(session.shopId, orderId), orderId ? linksOfOrder(session.shopId, orderId) : Promise.resolve([])]);
  const emailHint = !checked.ok
    ? null
    : !checked.letterOn
      ? "Отправка на e-mail выключена: включите письмо «Для клиента со ссылкой на оплату» в настройках («Почтовые уведомления»)."
      : !checked.buyerEmail
        ? "У покупателя в заказе нет e-mail: создайте ссылку и отправьте её сами."
        : null;
  return (
    <PaymentLinksView
      orderId={orderId || "—"}
      checked={checked}
      links={links}
      form={
        checked.ok ? (
          <PaymentLinkForm
            order={orderId}
            lifetimes={LINK_LIFETIMES_DAYS}
            emailTo={checked.letterOn ? checked.buyerEmail : null}
            emailHint={emailHint}
            action={createPaymentLinkAction}
          />
        ) : null
      }
    />
  );
}
