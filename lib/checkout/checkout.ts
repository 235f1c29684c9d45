// Checkout (docs/protocols/insales.md §2 «Checkout request»): InSales POSTs the buyer's browser here → find
// the shop (with the latest payment of this transaction) → check its settings → verify → a transaction we
// already invoiced goes back to that invoice (checkout-repeat.ts) → the invoice's currency
// (checkout-currency.ts) → the 54-ФЗ receipt when on (checkout-receipt.ts, intellectmoney.md §6) → the
// payment, once per (shop, transaction_id, attempt) → the IntellectMoney invoice form (intellectmoney.md §1–§2),
// kept with the payment so a repeat can post it again unchanged.
// Refusals are values with a Russian message for the buyer; nothing reaches IntellectMoney then.
import { randomUUID } from "node:crypto";
import { decryptSecret, md5Hex } from "../crypto";
import { inTransaction } from "../db";
import type { Payment, ShopSettings } from "../generated/prisma/client";
import { env } from "../env";
import { parseCheckoutRequest, type CheckoutRequest } from "../insales/checkout-request";
import { deriveImOrderId, WALLET_ESHOP_ID } from "../intellectmoney/invoice-form";
import type { InsalesApiShop } from "../insales/api-client";
import { log } from "../log";
import { enqueue } from "../jobs/queue";
import { logLettersQueued, newMailState, planPaymentMails, queuePaymentMails, sendMailJobs } from "../mail/queue-mail";
import { parseKopecks } from "../money";
import { checkoutCurrency, currencyRefusal, invoiceCurrencyOf } from "./checkout-currency";
import { invoiceFor } from "./checkout-invoice";
import { checkoutReceipt } from "./checkout-receipt";
import { REPEAT_EVENT_TEXT, repeatForm, type RepeatForm } from "./checkout-repeat";
import { takeFallbackLookup } from "./checkout-api-budget";
import { findPaymentAttempt, insertPayment, loadCheckoutShops, type NewPayment, type ShopWithConfig } from "./checkout-store";
import { verifyCheckout, type AdmittedOrder } from "./checkout-verify";
import { recordEvent } from "../payments/event-store";
import { recordProblem } from "../payments/problem-store";
import { repeatedCheckout } from "../payments/state";

export type CheckoutRefusal =
  | "bad_request"
  | "unknown_shop"
  | "not_configured"
  | "bad_amount"
  | "bad_signature"
  | "api_unavailable"
  | "api_busy"
  | "conflict"
  | "already_processed"
  | "receipt_unavailable"
  | "receipt_failed"
  | "unsupported_currency"
  | "currency_unavailable"
  | "currency_unknown";

type RefusalStatus = 400 | 403 | 404 | 422 | 503;

export type CheckoutOutcome =
  | { ok: true; action: string; fields: Array<[string, string]>; paymentId: string; repeat: boolean }
  | { ok: false; reason: CheckoutRefusal; status: RefusalStatus; message: string };

/** What the buyer reads (Russian; never a secret, never which check failed in detail). */
const REFUSALS: Record<CheckoutRefusal, { status: RefusalStatus; message: string }> = {
  bad_request: { status: 400, message: "Неверный запрос на оплату. Вернитесь в магазин и попробуйте оформить оплату ещё раз." },
  unknown_shop: { status: 404, message: "Магазин не найден или не принимает оплату через IntellectMoney." },
  not_configured: { status: 422, message: "Магазин ещё не настроил приём оплаты. Выберите другой способ оплаты или свяжитесь с магазином." },
  bad_amount: { status: 422, message: "Неверная сумма к оплате (минимум 1,00 ₽). Свяжитесь с магазином." },
  bad_signature: { status: 403, message: "Не удалось подтвердить, что запрос на оплату пришёл из магазина. Оплата не выполнена." },
  api_unavailable: { status: 403, message: "Не удалось проверить заказ в магазине. Попробуйте оплатить позже." },
  api_busy: { status: 503, message: "Не удалось проверить заказ в магазине: слишком много проверок сразу. Попробуйте оплатить через минуту." },
  conflict: { status: 422, message: "Этот платёж уже создан с другими данными. Вернитесь в магазин и начните оплату заново." },
  already_processed: { status: 422, message: "Этот платёж уже обработан. Статус заказа можно посмотреть в магазине." },
  receipt_unavailable: { status: 503, message: "Не удалось получить состав заказа для кассового чека. Попробуйте оплатить через несколько минут." },
  receipt_failed: { status: 422, message: "Магазин не может сейчас выдать кассовый чек по этому заказу, поэтому оплата не начата. Свяжитесь с магазином." },
  unsupported_currency: {
    status: 422,
    message: "Заказ оформлен в валюте, в которой этот способ оплаты IntellectMoney не принимает платежи, поэтому оплата не начата. Выберите другой способ оплаты или свяжитесь с магазином.",
  },
  currency_unavailable: { status: 503, message: "Не удалось проверить заказ в магазине. Попробуйте оплатить через несколько минут." },
  currency_unknown: { status: 422, message: "Магазин не передал валюту заказа, поэтому оплата не начата. Свяжитесь с магазином." },
};

/** What the merchant reads in «Проблемы» (Russian, no secrets, no buyer contacts). */
const PROBLEM_TEXT: Record<CheckoutRefusal, string> = {
  bad_request: "запрос InSales неполный или неверный",
  unknown_shop: "магазин не найден",
  not_configured: "настройки IntellectMoney не заполнены",
  bad_amount: "неверная сумма",
  bad_signature: "подпись не совпала ни с паролем способа оплаты, ни с секретным ключом, и заказ не подтвердился через API InSales (возможна подделка)",
  api_unavailable: "подпись не совпала, а проверить заказ через API InSales не удалось",
  api_busy: "подпись не совпала, а лимит проверок заказов через API InSales на эту минуту исчерпан (похоже на перебор поддельных запросов; если подпись не совпадает и у настоящих покупателей, проверьте «Пароль» способа оплаты)",
  conflict: "повторный запрос с той же транзакцией, но с другой суммой или заказом",
  already_processed: "повторный запрос по уже обработанному платежу",
  receipt_unavailable: "не удалось сформировать фискальный чек (54-ФЗ)",
  receipt_failed: "не удалось сформировать фискальный чек (54-ФЗ)",
  unsupported_currency: "IntellectMoney не принимает оплату в валюте заказа",
  currency_unavailable: "не удалось узнать валюту заказа",
  currency_unknown: "не удалось узнать валюту заказа",
};

function refuse(reason: CheckoutRefusal): Extract<CheckoutOutcome, { ok: false }> {
  return { ok: false, reason, ...REFUSALS[reason] };
}

/** Can this shop's settings produce an invoice at all? (required fields of its legal form, product.md) */
function isSettingsComplete(s: ShopSettings): boolean {
  if (s.legalForm === "ORGANIZATION") return Boolean(s.eshopId && s.secretKeyEnc);
  return Boolean(s.walletFormId && s.walletLogin);
}

/**
 * Tenant routing: `?shop=<insales_id>` when the URL carries it, else the body's `shop_id` as our
 * insales_id or, for methods set up by hand, as the IntellectMoney «Номер магазина». ACTIVE shops only.
 * The body is trusted only after verification against the shop found here.
 */
async function findShops(shopIdField: string, shopHint: string | null, transactionId: string): Promise<ShopWithConfig[]> {
  if (shopHint !== null) {
    const [shop] = await loadCheckoutShops({ byInsalesId: shopHint }, transactionId);
    if (!shop) return [];
    const belongs = shopIdField === shop.insalesId || (shop.settings?.eshopId ?? null) === shopIdField;
    return belongs ? [shop] : [];
  }
  const byInsalesId = await loadCheckoutShops({ byInsalesId: shopIdField }, transactionId);
  if (byInsalesId.length > 0) return byInsalesId;
  // Several InSales shops may share one IntellectMoney shop; verification picks the right one.
  return loadCheckoutShops({ eshopId: shopIdField }, transactionId);
}

/**
 * Timeline events of one kind of refusal while its problem is open: the first few show what the requests
 * looked like; beyond that the problem's count and last-seen time tell the rest, so a flood of forged
 * checkouts cannot fill the journal (issue 12 item 6).
 */
export const REFUSAL_EVENTS_PER_PROBLEM = 3;

/**
 * Refusal for a known shop: a problem for the merchant (merged with the open one of the same reason, and
 * of the same payment when there is one: lib/payments/problem-store.ts), the timeline while that problem is young, a log
 * line. `detail` adds the specific cause to PROBLEM_TEXT (Russian, no secrets, no buyer contacts).
 */
async function recordRefusal(shopId: string, request: CheckoutRequest, reason: CheckoutRefusal, paymentId: string | null, detail?: string) {
  const order = orderNumberFromDescription(request.description) ?? request.order_id;
  const why = detail ? `${PROBLEM_TEXT[reason]}: ${detail}` : PROBLEM_TEXT[reason];
  const problem = await inTransaction(async (tx) => {
    const recorded = await recordProblem(tx, {
      shopId,
      paymentId,
      kind: "checkout_rejected",
      // The detail texts are ours (a fixed set, no request data), so they may tell causes apart.
      cause: [reason, detail ? md5Hex(detail).slice(0, 12) : null, paymentId].filter(Boolean).join(":"),
      message: `Переход к оплате заказа ${order} (транзакция ${request.transaction_id}) отклонён: ${why}.`,
    });
    if (recorded.count <= REFUSAL_EVENTS_PER_PROBLEM) {
      await recordEvent({ shopId, paymentId, type: "checkout_received", message: `Переход к оплате заказа ${order}`, data: eventData(request) }, tx);
      await recordEvent({ shopId, paymentId, type: "checkout_rejected", message: `Отклонён: ${why}`, data: { ...eventData(request), reason } }, tx);
    }
    // Letter 7 for every refusal but a repeat of a finished payment; letter 10 when neither the signature
    // nor the InSales API confirmed the order. One key per transaction and reason: a reload adds nothing.
    const mail = { shopId, paymentId, eventKey: `checkout:${request.transaction_id}:${reason}`, facts: { orderNumber: order, amountKopecks: parseKopecks(request.amount), reason: why } };
    if (reason !== "already_processed") await queuePaymentMails(tx, { trigger: "invoice_failed", ...mail });
    if (reason === "bad_signature") await queuePaymentMails(tx, { trigger: "fraud", ...mail });
    return recorded;
  });
  log.warn({ shopId, paymentId, transactionId: request.transaction_id, reason, problemId: problem.id, occurrences: problem.count }, "checkout: refused");
}

/** Timeline data: what InSales sent, minus the signature and the buyer's contacts. */
function eventData(request: CheckoutRequest) {
  return {
    transactionId: request.transaction_id,
    orderId: request.order_id,
    orderNumber: orderNumberFromDescription(request.description),
    amount: request.amount,
    shopId: request.shop_id,
  };
}

/** The display number from InSales's `description` («Заказ №9999 на сайте …»); order_id is not it. */
export function orderNumberFromDescription(description: string): string | null {
  const m = /№\s*([0-9A-Za-z-]{1,20})/.exec(description);
  return m ? m[1] : null;
}

/**
 * After the payment's statement: log the letters and, with SMTP on, queue their send-mail jobs. Outside
 * that statement on purpose (docs/PERFORMANCE.md): should this fail or the process die first, the
 * sweep-mails job queues a PENDING letter that has no job after 2 minutes; the buyer is never refused.
 */
async function sendLetters(shopId: string, paymentId: string, mailIds: string[], planned: Array<{ id: string; kind: number }>): Promise<void> {
  const kinds = planned.filter((m) => mailIds.includes(m.id)).map((m) => m.kind);
  logLettersQueued({ shopId, paymentId, trigger: "invoice_created" }, kinds, newMailState());
  try {
    await enqueue(sendMailJobs(mailIds));
  } catch (error) {
    log.error({ shopId, paymentId, err: (error as Error).message }, "checkout: send-mail jobs not queued; the mail sweeper will queue them");
  }
}

type ExistingContext = {
  request: CheckoutRequest;
  shop: ShopWithConfig;
  settings: ShopSettings;
  now: Date;
  /** For the receipt of a form rebuilt for an old payment: the shop's API access and an order already read. */
  api: InsalesApiShop | null;
  apiOrder?: unknown;
};

/**
 * The transaction already has an invoice that may still be paid (checkout-repeat.ts): the buyer goes back to
 * it, by its invoice id, or with exactly the form first posted. Anything else under that transaction_id is
 * not a repeat (insales.md §4 pitfall 6).
 */
async function answerExisting(existing: Payment, c: ExistingContext): Promise<CheckoutOutcome> {
  const { request, shop, settings } = c;
  if (existing.amountRaw !== request.amount || existing.orderKey !== request.key || existing.insalesOrderId !== request.order_id) {
    await recordRefusal(shop.id, request, "conflict", existing.id);
    return refuse("conflict");
  }
  // Only a state the buyer may still pay goes back to its invoice (lib/payments/state.ts repeatedCheckout). A CANCELLED
  // one is a new attempt (startCheckout) and lands here only when a concurrent checkout's row was cancelled
  // meanwhile: then it is refused like a finished one.
  if (repeatedCheckout(existing.status) !== "same_invoice") {
    await recordRefusal(shop.id, request, "already_processed", existing.id);
    return refuse("already_processed");
  }
  let repeat: RepeatForm | null = repeatForm(existing, env().INTELLECTMONEY_MERCHANT_URL);
  if (!repeat) {
    // Made before forms were kept and not yet named by IntellectMoney: rebuilt, with its receipt as before.
    const receipt = await checkoutReceipt({ settings, request, amountKopecks: existing.amountKopecks, api: c.api, verifiedOrder: c.apiOrder });
    if (!receipt.ok) {
      await recordRefusal(shop.id, request, receipt.reason, existing.id, receipt.detail);
      return refuse(receipt.reason);
    }
    repeat = { form: invoiceFor(existing, shop, settings, c.now, receipt.receipt ? receipt.json : null), how: "rebuilt_form" };
    log.warn({ shopId: shop.id, paymentId: existing.id }, "checkout: repeat of a payment without a stored form; the form was rebuilt");
  }
  await recordEvent({
    shopId: shop.id,
    paymentId: existing.id,
    type: "checkout_received",
    message: REPEAT_EVENT_TEXT[repeat.how](existing),
    data: { ...eventData(request), repeat: true, via: repeat.how },
  });
  return { ok: true, action: repeat.form.action, fields: repeat.form.fields, paymentId: existing.id, repeat: true };
}

export async function startCheckout(input: { form: URLSearchParams; shopHint: string | null; now?: Date }): Promise<CheckoutOutcome> {
  const now = input.now ?? new Date();
  const parsed = parseCheckoutRequest(input.form);
  if (!parsed.ok) {
    log.warn({ reason: parsed.reason, field: parsed.field }, "checkout: malformed request");
    return refuse(parsed.reason === "amount_too_small" ? "bad_amount" : "bad_request");
  }
  const request = parsed.request;
  if (input.shopHint !== null && !/^\d{1,20}$/.test(input.shopHint)) return refuse("unknown_shop");

  const candidates = await findShops(request.shop_id, input.shopHint, request.transaction_id);
  if (candidates.length === 0) {
    log.warn({ shopIdField: request.shop_id, shopHint: input.shopHint }, "checkout: unknown or inactive shop");
    return refuse("unknown_shop");
  }

  // With several candidates (a shared «Номер магазина») the signature decides; the API fallback is tried
  // only for the first one, so a forged request cannot make us call every shop's API.
  let chosen: {
    shop: ShopWithConfig;
    verifiedBy: "signature" | "api";
    passwordSource: "gateway" | "secret_key";
    /** What the API order says, when the API fallback admitted the checkout (checkout-verify.ts). */
    admitted?: AdmittedOrder;
    /** The order the API fallback read, when it admitted the checkout (reused for the receipt). */
    apiOrder?: unknown;
  } | null = null;
  let lastReason: CheckoutRefusal = "bad_signature";
  let lastDetail: string | undefined;
  for (const [index, shop] of candidates.entries()) {
    const settings = shop.settings;
    if (!settings || !isSettingsComplete(settings)) {
      if (candidates.length === 1) {
        await recordRefusal(shop.id, request, "not_configured", null);
        return refuse("not_configured");
      }
      continue;
    }
    const verdict = await verifyCheckout({
      request,
      gatewayPassword: shop.gateway?.passwordEnc ? decryptSecret(shop.gateway.passwordEnc) : null,
      secretKey: settings.legalForm === "ORGANIZATION" && settings.secretKeyEnc ? decryptSecret(settings.secretKeyEnc) : null,
      api: index === 0 && shop.apiPasswordEnc ? { host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) } : null,
      eshopId: settings.eshopId,
      takeApiLookup: () => takeFallbackLookup(shop.id),
    });
    if (verdict.ok) {
      chosen =
        verdict.verifiedBy === "api"
          ? { shop, verifiedBy: "api", passwordSource: verdict.passwordSource, admitted: verdict.admitted, apiOrder: verdict.order }
          : { shop, verifiedBy: "signature", passwordSource: verdict.passwordSource };
      break;
    }
    if (index === 0) [lastReason, lastDetail] = [verdict.reason, verdict.detail];
  }
  if (!chosen) {
    const shop = candidates[0];
    await recordRefusal(shop.id, request, lastReason, shop.latestPayment?.id ?? null, lastDetail);
    return refuse(lastReason);
  }

  const { shop, verifiedBy, passwordSource } = chosen;
  // Without a signature only what the API order says may be shown and hashed: the POST's description,
  // e-mail, phone and order_json are the sender's choice (issue 12 item 2; checkout-verify.ts).
  const admitted: CheckoutRequest = chosen.admitted
    ? { ...request, description: chosen.admitted.description, email: chosen.admitted.email, phone: chosen.admitted.phone, order_json: "" }
    : request;
  const settings = shop.settings!;
  const amountKopecks = parsed.amountKopecks;
  const api = shop.apiPasswordEnc ? { host: shop.host, apiPassword: decryptSecret(shop.apiPasswordEnc) } : null;

  // The transaction already has a payment: its invoice again (a double click, the back button, the buyer
  // coming back later), «already processed», or — when it was cancelled — a new invoice below, for the same
  // order only (intellectmoney.md §1 «Уникальный номер покупки»).
  const latest = shop.latestPayment;
  if (latest && repeatedCheckout(latest.status) !== "new_attempt") return answerExisting(latest, { request: admitted, shop, settings, now, api, apiOrder: chosen.apiOrder });
  if (latest && (latest.orderKey !== request.key || latest.insalesOrderId !== request.order_id)) {
    await recordRefusal(shop.id, admitted, "conflict", latest.id);
    return refuse("conflict");
  }

  // Before the payment exists: without the receipt asked for, no invoice at all (checkout-receipt.ts). First,
  // because when the order must be read from the API the receipt reads it and the currency below reuses it.
  // No SQL here; an InSales API call only when no order was read yet and order_json is absent.
  const receipt = await checkoutReceipt({ settings, request: admitted, amountKopecks, api, verifiedOrder: chosen.apiOrder });
  if (!receipt.ok) {
    await recordRefusal(shop.id, admitted, receipt.reason, null, receipt.detail);
    return refuse(receipt.reason);
  }
  const merchantReceipt = receipt.receipt ? receipt.json : null;

  // The invoice's currency: from what InSales vouches for only (checkout-currency.ts).
  const resolved = await checkoutCurrency({
    request,
    verifiedBy,
    verifiedOrder: chosen.apiOrder,
    apiOrder: receipt.receipt && receipt.source === "api" ? receipt.order : undefined,
    api,
  });
  if (!resolved.ok) {
    await recordRefusal(shop.id, admitted, resolved.reason, null, resolved.detail);
    return refuse(resolved.reason);
  }
  const invoiceCurrency = invoiceCurrencyOf(resolved.currency);
  const notInvoiceable = currencyRefusal(resolved.currency, invoiceCurrency, settings);
  if (notInvoiceable || !invoiceCurrency) {
    const why = notInvoiceable ?? { reason: "unsupported_currency" as const, detail: undefined };
    await recordRefusal(shop.id, admitted, why.reason, null, why.detail);
    return refuse(why.reason);
  }

  const orderNumber = chosen.admitted ? chosen.admitted.orderNumber : orderNumberFromDescription(request.description);
  // A new invoice after a cancelled one needs a new orderId: IntellectMoney refuses a known one (§1).
  const attempt = (latest?.attempt ?? 0) + 1;
  const imOrderId = deriveImOrderId(orderNumber ?? request.order_id, request.transaction_id, attempt);
  // Wallet invoices are always RUB (checked above); organizations pay in TST while the test mode is on (§1, §2).
  const currency = settings.legalForm === "ORGANIZATION" && settings.testMode ? "TST" : invoiceCurrency;
  const eshopId = settings.legalForm === "ORGANIZATION" ? settings.eshopId! : WALLET_ESHOP_ID;
  const id = randomUUID();
  const invoice = invoiceFor(
    { id, legalForm: settings.legalForm, eshopId, currency, imOrderId, description: admitted.description, amountKopecks, buyerEmail: admitted.email || null },
    shop,
    settings,
    now,
    merchantReceipt,
    invoiceCurrency,
  );
  const fresh: NewPayment = {
    id,
    shopId: shop.id,
    transactionId: request.transaction_id,
    attempt,
    insalesShopIdRaw: request.shop_id,
    amountRaw: request.amount,
    orderKey: request.key,
    insalesOrderId: request.order_id,
    orderNumber,
    description: admitted.description,
    buyerEmail: admitted.email || null,
    buyerPhone: admitted.phone || null,
    verifiedBy,
    insalesPasswordSource: passwordSource,
    legalForm: settings.legalForm,
    imOrderId,
    eshopId,
    currency,
    amountKopecks,
    invoiceFields: invoice.fields,
    insalesNoticeChannel: "server_url",
  };
  const order = orderNumber ?? request.order_id;
  const events = [
    {
      id: randomUUID(),
      type: "checkout_received",
      message: attempt > 1 ? `Переход к оплате заказа ${order}: прежний счёт отменён, выставлен новый (попытка ${attempt})` : `Переход к оплате заказа ${order}`,
      data: { ...eventData(admitted), ...(attempt > 1 ? { attempt, previousPaymentId: latest?.id } : {}), currency, currencySource: resolved.source },
    },
    {
      id: randomUUID(),
      type: "checkout_verified",
      message: verifiedBy === "signature" ? "Подпись InSales проверена" : "Подпись не совпала; заказ подтверждён через API InSales",
      data: { verifiedBy, passwordSource },
    },
    // Written by the same statement as the payment: no extra round trip. No buyer contact in it.
    ...(receipt.receipt
      ? [
          {
            id: randomUUID(),
            type: "receipt_attached",
            message: `Чек 54-ФЗ приложен к счёту: позиций ${receipt.receipt.content.positions.length}, состав заказа ${receipt.source === "order_json" ? "из запроса InSales (order_json)" : "из API InSales"}`,
            data: { source: receipt.source, positions: receipt.receipt.content.positions.length, inn: receipt.receipt.inn, group: receipt.receipt.group },
          },
        ]
      : []),
  ];
  // Letters 1/5 and 2 (docs/MAIL.md); the same key as apply-result's
  // status-3 trigger, so whichever comes first makes the only letter. Rendered here and written by the
  // same statement as the payment, so they exist exactly when it does.
  const asCreated: Payment = { ...fresh, buyerName: null, imPaymentId: null, unverifiedResults: false, status: "CREATED", paidKopecks: 0n, refundedKopecks: 0n, noticeState: "NONE", refundsBlockedAt: null, refundsBlockedReason: null, createdAt: now, updatedAt: now };
  const mails = await planPaymentMails({ trigger: "invoice_created", shopId: shop.id, paymentId: fresh.id, eventKey: "invoice_created" }, { shop, settings, payment: asCreated });

  // A concurrent copy of this checkout (a double click) gets the payment the other one stored.
  const inserted = await insertPayment(fresh, events, mails);
  if (!inserted.created) {
    const existing = inserted.payment ?? (await findPaymentAttempt(shop.id, request.transaction_id, attempt));
    if (!existing) throw new Error("checkout: payment conflict without a stored payment");
    return answerExisting(existing, { request: admitted, shop, settings, now, api, apiOrder: chosen.apiOrder });
  }
  const payment = inserted.payment;
  if (inserted.mailIds.length > 0) await sendLetters(shop.id, payment.id, inserted.mailIds, mails);
  log.info({ shopId: shop.id, paymentId: payment.id, transactionId: payment.transactionId, attempt, currency, verifiedBy }, "checkout: invoice created");
  return { ok: true, action: invoice.action, fields: invoice.fields, paymentId: payment.id, repeat: false };
}
