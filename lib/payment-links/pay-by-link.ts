// The buyer opens a payment link (docs/PRODUCT.md flow 12; docs/SECURITY.md «Payment links»):
//   GET  /pay/<token> → previewPaymentLink: the order and what is left to pay, with an «Оплатить» button;
//   POST /pay/<token> → payByLink: the IntellectMoney invoice for that amount, as the checkout makes it.
// A GET changes nothing, so a mail scanner or a messenger's preview that fetches the link creates no invoice.
//
// Both check, in order: the token's signature and expiry (link-token.ts), the link's row for that shop and
// order, the shop (installed, settings complete), then the InSales order through the API — within a per-shop
// budget, since anyone holding a link can reload it — and what is left to pay at this moment (link-rules.ts).
// The invoice follows the checkout's rules (lib/checkout): the order's currency, the 54-ФЗ receipt when
// receipts are on, test mode's TST, our URLs; nothing unsigned enters a hashed field, because nothing here
// comes from the buyer at all — the amount, the description and the contacts are the API order's.
//
// One payment per order: the link's transaction (the order's checkout transaction of our method, or
// `link-<order id>`) is the idempotency key, so every link of the order, opened any number of times, reaches
// the same invoice while it can be paid (lib/checkout/checkout-repeat.ts), a new attempt only after it was
// cancelled, and «Заказ уже оплачен» once the order is paid.
import { randomUUID } from "node:crypto";
import { decryptSecret } from "../crypto";
import type { Payment, ShopSettings } from "../generated/prisma/client";
import { env } from "../env";
import { enqueue } from "../jobs/queue";
import type { CheckoutRequest } from "../insales/checkout-request";
import { readOrder, type InsalesOrder } from "../insales/orders";
import { deriveImOrderId, WALLET_ESHOP_ID } from "../intellectmoney/invoice-form";
import { log } from "../log";
import { logLettersQueued, newMailState, planPaymentMails, sendMailJobs } from "../mail/queue-mail";
import { formatKopecks } from "../money";
import { eventRow, recordEvent } from "../payments/event-store";
import { recordProblem } from "../payments/problem-store";
import { repeatedCheckout } from "../payments/state";
import { inTransaction } from "../db";
import { checkoutCurrency, currencyRefusal, invoiceCurrencyOf } from "../checkout/checkout-currency";
import { invoiceFor } from "../checkout/checkout-invoice";
import { checkoutReceipt } from "../checkout/checkout-receipt";
import { repeatForm } from "../checkout/checkout-repeat";
import { findPaymentAttempt, insertPayment, loadCheckoutShops, takeFromCallBudget, type NewPayment, type ShopWithConfig } from "../checkout/checkout-store";
import { currentLinkKeys } from "./link-keys";
import { LINK_REFUSALS, type LinkRefusal } from "./link-labels";
import { planLinkPayment, type LinkPaymentPlan } from "./link-rules";
import { findLink, markLinkOpened, paymentsOfOrder } from "./link-store";
import { readLinkToken } from "./link-token";

/** InSales API reads per shop per minute that payment links may spend (the checkout's fallback has 5; the shop has 100). */
export const LINK_LOOKUPS_PER_MINUTE = 30;

export type LinkRefused = { ok: false; reason: LinkRefusal; status: number; title: string; message: string };

export type LinkPreview = { ok: true; shopName: string; orderNumber: string | null; amountKopecks: bigint; currency: string; expiresAt: Date };

export type LinkPayment = { ok: true; action: string; fields: Array<[string, string]>; paymentId: string; repeat: boolean };

function refuse(reason: LinkRefusal): LinkRefused {
  return { ok: false, reason, ...LINK_REFUSALS[reason] };
}

/** Whether the settings can make an invoice at all (the checkout's rule: product.md «The settings screen»). */
function settingsComplete(s: ShopSettings | null): s is ShopSettings {
  if (!s) return false;
  return s.legalForm === "ORGANIZATION" ? Boolean(s.eshopId && s.secretKeyEnc) : Boolean(s.walletFormId && s.walletLogin);
}

type Opened = { linkId: string; expiresAt: Date; shop: ShopWithConfig; settings: ShopSettings; order: InsalesOrder; plan: Extract<LinkPaymentPlan, { ok: true }> };

/** Token → link → shop → order → what is left to pay. Every refusal is a value; nothing is written. */
async function openLink(token: string, now: Date): Promise<{ ok: true; opened: Opened } | LinkRefused> {
  const read = readLinkToken(token, currentLinkKeys(), now);
  if (!read.ok) {
    log.warn({ reason: read.reason }, "payment link: token refused");
    return refuse(read.reason === "expired" ? "expired" : "bad_link");
  }
  const { claims } = read;
  // The shop with its settings and payment method (no payment: the transaction is known only once the order is read).
  const [shop] = await loadCheckoutShops({ byInsalesId: claims.insalesId }, "");
  if (!shop) return refuse("unknown_shop");
  const link = await findLink(claims.linkId, shop.id, claims.orderId);
  // A genuine signature for a row that is not there: made by another deployment with the same key, or deleted.
  if (!link) {
    log.warn({ shopId: shop.id, linkId: claims.linkId }, "payment link: no such link");
    return refuse("bad_link");
  }
  if (!settingsComplete(shop.settings) || !shop.apiPasswordEnc) return refuse("not_configured");
  if (!(await takeFromCallBudget({ shopId: shop.id, purpose: "payment_link", windowSeconds: 60, limit: LINK_LOOKUPS_PER_MINUTE }))) return refuse("busy");
  // Bounded: the buyer is waiting on this page.
  const answer = await readOrder({ host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) }, claims.orderId, { maxAttempts: 2, maxTotalWaitMs: 3_000, timeoutMs: 15_000 });
  if (!answer.ok) {
    log.warn({ shopId: shop.id, linkId: link.id, reason: answer.reason }, "payment link: order not read");
    return refuse(answer.reason === "unavailable" || answer.reason === "bad_answer" ? "unavailable" : answer.reason === "not_found" ? "order_not_found" : "not_configured");
  }
  const payments = await paymentsOfOrder(shop.id, claims.orderId);
  const plan = planLinkPayment(answer.order, payments, shop.gateway?.state === "CONNECTED" ? (shop.gateway.gatewayId ?? null) : null);
  if (!plan.ok) return refuse(plan.reason);
  return { ok: true, opened: { linkId: link.id, expiresAt: claims.expiresAt, shop, settings: shop.settings, order: answer.order, plan } };
}

function shopName(shop: Pick<ShopWithConfig, "title" | "host">): string {
  return shop.title?.trim() || shop.host;
}

/** GET: what the buyer is about to pay. Writes nothing. */
export async function previewPaymentLink(token: string, now: Date = new Date()): Promise<LinkPreview | LinkRefused> {
  const opened = await openLink(token, now);
  if (!opened.ok) return opened;
  const { shop, order, plan, expiresAt } = opened.opened;
  return { ok: true, shopName: shopName(shop), orderNumber: order.number, amountKopecks: plan.unpaidKopecks, currency: order.currencyCode ?? "RUB", expiresAt };
}

/** The description IntellectMoney shows and hashes (made safe by lib/intellectmoney/invoice-form.ts). */
function description(order: InsalesOrder, shop: ShopWithConfig): string {
  return `Заказ №${order.number ?? order.id} на сайте ${shop.host}`;
}

/** A refusal the merchant must act on (receipts, currency): a problem that merges with its open twin. */
async function recordLinkProblem(shopId: string, order: InsalesOrder, reason: LinkRefusal, detail: string | undefined): Promise<void> {
  await inTransaction((tx) =>
    recordProblem(tx, {
      shopId,
      paymentId: null,
      kind: "payment_link_refused",
      cause: `${reason}:${order.id}`,
      message: `Оплата заказа №${order.number ?? order.id} по ссылке на оплату не начата: ${detail ?? LINK_REFUSALS[reason].message}`,
    }),
  );
}

/** The invoice again for a payment of this transaction that can still be paid. */
async function sameInvoice(existing: Payment, o: Opened): Promise<LinkPayment | LinkRefused> {
  if (repeatedCheckout(existing.status) !== "same_invoice") return refuse("already_paid");
  const repeat = repeatForm(existing, env().INTELLECTMONEY_MERCHANT_URL);
  if (!repeat) return refuse("unavailable"); // only payments from before forms were kept lack both; links never do
  await recordEvent({
    shopId: o.shop.id,
    paymentId: existing.id,
    type: "checkout_received",
    message: `Переход по ссылке на оплату: покупатель направлен к уже выставленному счёту`,
    data: { linkId: o.linkId, via: repeat.how, repeat: true },
  });
  await markLinkOpened(o.linkId, existing.id);
  return { ok: true, action: repeat.form.action, fields: repeat.form.fields, paymentId: existing.id, repeat: true };
}

/** POST: the invoice of the order's unpaid amount (or the one already made for it). */
export async function payByLink(token: string, now: Date = new Date()): Promise<LinkPayment | LinkRefused> {
  const opened = await openLink(token, now);
  if (!opened.ok) return opened;
  const o = opened.opened;
  const { order, plan, settings } = o;
  const [shop] = await loadCheckoutShops({ byInsalesId: o.shop.insalesId }, plan.transactionId);
  if (!shop) return refuse("unknown_shop");
  const latest = shop.latestPayment;
  if (latest && repeatedCheckout(latest.status) !== "new_attempt") return sameInvoice(latest, o);

  const api = { host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc!) };
  const amount = formatKopecks(plan.unpaidKopecks);
  const text = description(order, shop);
  // What the checkout's receipt reads from a checkout: here all of it is the API order's.
  const request: CheckoutRequest = {
    shop_id: shop.insalesId, amount, transaction_id: plan.transactionId, key: order.key, description: text, order_id: order.id,
    phone: order.clientPhone ?? "", email: order.clientEmail ?? "", original_currency: "", convert_currency: "", original_amount: "",
    conversion_rate: "", order_json: "", signature: "",
  };
  const receipt = await checkoutReceipt({ settings, request, amountKopecks: plan.unpaidKopecks, api, verifiedOrder: order.raw });
  if (!receipt.ok) {
    await recordLinkProblem(shop.id, order, receipt.reason, receipt.detail);
    return refuse(receipt.reason);
  }
  const resolved = await checkoutCurrency({ request, verifiedBy: "api", verifiedOrder: order.raw, api });
  if (!resolved.ok) {
    await recordLinkProblem(shop.id, order, resolved.reason === "currency_unavailable" ? "unavailable" : "currency_unknown", resolved.detail);
    return refuse(resolved.reason === "currency_unavailable" ? "unavailable" : "currency_unknown");
  }
  const invoiceCurrency = invoiceCurrencyOf(resolved.currency);
  const notInvoiceable = currencyRefusal(resolved.currency, invoiceCurrency, settings);
  if (notInvoiceable || !invoiceCurrency) {
    const reason = notInvoiceable?.reason ?? "unsupported_currency";
    await recordLinkProblem(shop.id, order, reason, notInvoiceable?.detail);
    return refuse(reason);
  }

  const attempt = (latest?.attempt ?? 0) + 1;
  const currency = settings.legalForm === "ORGANIZATION" && settings.testMode ? "TST" : invoiceCurrency;
  const eshopId = settings.legalForm === "ORGANIZATION" ? settings.eshopId! : WALLET_ESHOP_ID;
  const id = randomUUID();
  const imOrderId = deriveImOrderId(order.number ?? order.id, plan.transactionId, attempt);
  const merchantReceipt = receipt.receipt ? receipt.json : null;
  const invoice = invoiceFor(
    { id, legalForm: settings.legalForm, eshopId, currency, imOrderId, description: text, amountKopecks: plan.unpaidKopecks, buyerEmail: order.clientEmail, buyerName: order.clientName },
    shop,
    settings,
    now,
    merchantReceipt,
    invoiceCurrency,
  );
  const fresh: NewPayment = {
    id,
    shopId: shop.id,
    transactionId: plan.transactionId,
    attempt,
    insalesShopIdRaw: shop.insalesId,
    amountRaw: amount,
    orderKey: order.key,
    insalesOrderId: order.id,
    orderNumber: order.number,
    description: text,
    buyerEmail: order.clientEmail,
    buyerPhone: order.clientPhone,
    verifiedBy: "payment_link",
    insalesPasswordSource: "gateway",
    legalForm: settings.legalForm,
    imOrderId,
    eshopId,
    currency,
    amountKopecks: plan.unpaidKopecks,
    invoiceFields: invoice.fields,
    insalesNoticeChannel: plan.channel,
  };
  const orderText = order.number ?? order.id;
  const events = [
    eventRow("checkout_received", attempt > 1 ? `Переход по ссылке на оплату заказа ${orderText}: прежний счёт отменён, выставлен новый (попытка ${attempt})` : `Переход по ссылке на оплату заказа ${orderText}`, {
      linkId: o.linkId,
      orderId: order.id,
      orderNumber: order.number,
      amount,
      currency,
      currencySource: resolved.source,
      ...(attempt > 1 ? { attempt, previousPaymentId: latest?.id } : {}),
    }),
    eventRow(
      "checkout_verified",
      plan.channel === "order_api"
        ? "Заказ и сумма к оплате прочитаны через API InSales; об оплате InSales узнает через API (отметка «оплачен» у заказа)"
        : "Заказ и сумма к оплате прочитаны через API InSales; об оплате InSales узнает уведомлением способа оплаты, как при оформлении заказа",
      { verifiedBy: "payment_link", channel: plan.channel },
    ),
    ...(receipt.receipt
      ? [eventRow("receipt_attached", `Чек 54-ФЗ приложен к счёту: позиций ${receipt.receipt.content.positions.length}, состав заказа из API InSales`, { source: "api", positions: receipt.receipt.content.positions.length })]
      : []),
  ];
  const asCreated: Payment = { ...fresh, buyerName: order.clientName, imPaymentId: null, unverifiedResults: false, status: "CREATED", paidKopecks: 0n, refundedKopecks: 0n, noticeState: "NONE", refundsBlockedAt: null, refundsBlockedReason: null, createdAt: now, updatedAt: now };
  const mails = await planPaymentMails({ trigger: "invoice_created", shopId: shop.id, paymentId: id, eventKey: "invoice_created" }, { shop, settings, payment: asCreated });

  // Two buyers (or two tabs, or two links) at once: the second gets the payment the first stored.
  const inserted = await insertPayment(fresh, events, mails);
  if (!inserted.created) {
    const existing = inserted.payment ?? (await findPaymentAttempt(shop.id, plan.transactionId, attempt));
    if (!existing) throw new Error("payment link: payment conflict without a stored payment");
    return sameInvoice(existing, o);
  }
  const payment = inserted.payment;
  if (inserted.mailIds.length > 0) {
    logLettersQueued({ shopId: shop.id, paymentId: payment.id, trigger: "invoice_created" }, mails.filter((m) => inserted.mailIds.includes(m.id)).map((m) => m.kind), newMailState());
    // After the statement, as the checkout does: the mail sweeper queues a letter whose job got lost.
    await enqueue(sendMailJobs(inserted.mailIds)).catch((error: Error) => log.error({ shopId: shop.id, paymentId: payment.id, err: error.message }, "payment link: send-mail jobs not queued; the mail sweeper will"));
  }
  await markLinkOpened(o.linkId, payment.id);
  log.info({ shopId: shop.id, paymentId: payment.id, transactionId: plan.transactionId, attempt, channel: plan.channel, linkId: o.linkId }, "payment link: invoice created");
  return { ok: true, action: invoice.action, fields: invoice.fields, paymentId: payment.id, repeat: false };
}
