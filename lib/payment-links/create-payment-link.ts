// The merchant makes a payment link for an InSales order (docs/PRODUCT.md flow 12): for an order taken by
// phone or created in the back office, or for a buyer whose payment failed. Runs under the merchant's session
// only (app/(merchant)/payment-links/actions.ts: the shop is the session's), never on the order-card widget's
// secret (docs/SECURITY.md «The order-card widget»).
//
// The order is read through the InSales API first: a paid order gets no link, and the merchant sees what the
// buyer will be asked to pay now (the link itself charges what is unpaid when it is opened). The link is a row
// (who made it, for which order, until when) and a signed token naming it (link-token.ts); «Отправить на
// e-mail» writes letter 14 to the order's buyer in the same transaction as the row (docs/MAIL.md).
import { randomUUID } from "node:crypto";
import { decryptSecret } from "../crypto";
import { inTransaction } from "../db";
import { readOrder, type InsalesOrder } from "../insales/orders";
import { log } from "../log";
import { queuePaymentMails } from "../mail/queue-mail";
import { paymentLinkUrl } from "../app-urls";
import { currentLinkKeys } from "./link-keys";
import { CREATE_LINK_REFUSALS, LINK_LIFETIMES_DAYS, type CreateLinkRefusal } from "./link-labels";
import { planLinkPayment } from "./link-rules";
import { insertLink, loadShopForLinks, paymentsOfOrder } from "./link-store";
import { signLinkToken } from "./link-token";

/** The kind of the letter that carries a link (lib/mail/kinds.ts). */
export const PAYMENT_LINK_LETTER = 14;

const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

export type OrderForLink =
  | { ok: true; order: InsalesOrder; unpaidKopecks: bigint; currency: string; buyerEmail: string | null; letterOn: boolean }
  | { ok: false; reason: CreateLinkRefusal; message: string };

export type CreateLinkInput = {
  shopId: string;
  insalesOrderId: string;
  lifetimeDays: number;
  send: boolean;
  /** The InSales user of the session, when the «Войти» answer verified it. */
  createdBy: string | null;
  now?: Date;
};

export type CreateLinkOutcome =
  | { ok: true; linkId: string; url: string; expiresAt: Date; sentTo: string | null }
  | { ok: false; reason: CreateLinkRefusal; message: string };

function refuse(reason: CreateLinkRefusal): { ok: false; reason: CreateLinkRefusal; message: string } {
  return { ok: false, reason, message: CREATE_LINK_REFUSALS[reason] };
}

function buyerAddress(order: InsalesOrder): string | null {
  const a = order.clientEmail?.trim();
  return a && a.length <= 254 && EMAIL.test(a) ? a : null;
}

/** The order as the payment-link screen shows it, and whether a link can be made for it now. */
export async function orderForLink(shopId: string, insalesOrderId: string): Promise<OrderForLink> {
  if (!/^\d{1,20}$/.test(insalesOrderId)) return refuse("bad_request");
  const shop = await loadShopForLinks(shopId);
  if (!shop?.apiPasswordEnc) return refuse("shop_inactive");
  const s = shop.settings;
  const configured = s ? (s.legalForm === "ORGANIZATION" ? Boolean(s.eshopId && s.secretKeyEnc) : Boolean(s.walletFormId && s.walletLogin)) : false;
  if (!configured) return refuse("not_configured");
  const answer = await readOrder({ host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) }, insalesOrderId, { maxAttempts: 2, maxTotalWaitMs: 5_000, timeoutMs: 15_000 });
  if (!answer.ok) {
    if (answer.reason === "not_found") return refuse("order_not_found");
    if (answer.reason === "forbidden") return refuse("forbidden");
    if (answer.reason === "unauthorized") return refuse("shop_inactive");
    return refuse("unavailable");
  }
  const plan = planLinkPayment(answer.order, await paymentsOfOrder(shopId, insalesOrderId), shop.gateway?.state === "CONNECTED" ? (shop.gateway.gatewayId ?? null) : null);
  if (!plan.ok) return refuse(plan.reason);
  return {
    ok: true,
    order: answer.order,
    unpaidKopecks: plan.unpaidKopecks,
    currency: answer.order.currencyCode ?? "RUB",
    buyerEmail: buyerAddress(answer.order),
    letterOn: (s?.mailKinds ?? []).includes(PAYMENT_LINK_LETTER),
  };
}

export async function createPaymentLink(input: CreateLinkInput): Promise<CreateLinkOutcome> {
  const now = input.now ?? new Date();
  if (!(LINK_LIFETIMES_DAYS as readonly number[]).includes(input.lifetimeDays)) return refuse("bad_request");
  const checked = await orderForLink(input.shopId, input.insalesOrderId);
  if (!checked.ok) return checked;
  const { order } = checked;
  if (input.send && !checked.letterOn) return refuse("letter_off");
  if (input.send && !checked.buyerEmail) return refuse("no_buyer_email");

  const shop = await loadShopForLinks(input.shopId);
  if (!shop) return refuse("shop_inactive");
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + input.lifetimeDays * 24 * 3_600_000);
  const url = paymentLinkUrl(signLinkToken({ linkId: id, insalesId: shop.insalesId, orderId: order.id, expiresAt }, currentLinkKeys().current));
  const sentTo = input.send ? checked.buyerEmail : null;
  await inTransaction(async (tx) => {
    await insertLink(tx, { id, shopId: input.shopId, insalesOrderId: order.id, orderNumber: order.number, expiresAt, createdBy: input.createdBy, sentTo });
    if (sentTo) {
      await queuePaymentMails(tx, {
        trigger: "payment_link",
        shopId: input.shopId,
        paymentId: null,
        eventKey: `link:${id}`,
        facts: { orderNumber: order.number, amountKopecks: checked.unpaidKopecks, currency: checked.currency, buyerEmail: sentTo, paymentLink: { url, expiresAt } },
      });
    }
  });
  log.info({ shopId: input.shopId, linkId: id, orderId: order.id, sent: Boolean(sentTo), lifetimeDays: input.lifetimeDays }, "payment link: created");
  return { ok: true, linkId: id, url, expiresAt, sentTo };
}
