// The letters of kinds 1–11 (docs/PRODUCT.md «The 13 e-mail notifications»): a Russian subject and a body
// in plain text and HTML. Kinds 12 and 13 have no trigger (InSales has no subscriptions; lib/mail/kinds.ts).
// Buyer letters take a narrower input type on purpose: they cannot carry the journal link, our internal
// ids, the IntellectMoney invoice id or the reason texts meant for the merchant.
import type { PaymentStatus } from "../generated/prisma/enums";
import { moscowTime } from "../html/moscow-time";
import { formatRubles } from "../money";
import { STATUS_LETTER_TEXT } from "../payments/state";
import { renderLetter, type RenderedMail } from "./letter-layout";

export type { RenderedMail } from "./letter-layout";

export type ShopRef = { title: string | null; host: string };

/** Kinds that go to the buyer: «счёт создан» (1, or 5 — one letter either way), «возврат» (9), «ссылка на оплату» (14). */
export type BuyerLetterKind = 1 | 5 | 9 | 14;
/** Kinds that go to the shop's «E-mail магазина для уведомлений». */
export type ShopLetterKind = 2 | 3 | 4 | 6 | 7 | 8 | 10 | 11;

export type BuyerLetterFacts = {
  shop: ShopRef;
  orderNumber: string | null;
  amountKopecks: bigint;
  currency: string;
  /** Kind 9: the amount refunded, when known. */
  refundedKopecks?: bigint | null;
  /** Kind 14: the payment link (lib/payment-links/) and until when it opens. */
  paymentLink?: { url: string; expiresAt: Date } | null;
};

export type ShopLetterFacts = {
  shop: ShopRef;
  orderNumber: string | null;
  /** The invoice amount. */
  amountKopecks: bigint | null;
  currency: string;
  /** IntellectMoney's invoice (СКО) number, once a notification told us. */
  imPaymentId: string | null;
  /** Our orderId of the invoice at IntellectMoney. */
  imOrderId: string | null;
  status: PaymentStatus | null;
  /** Kind 11: the total paid; kind 8: the amount refunded. */
  eventAmountKopecks?: bigint | null;
  /** Why (kinds 4, 7, 10), in Russian, for the merchant. */
  reason?: string | null;
  /** lib/app-urls.ts journalPaymentUrl, when the letter is about a payment. */
  journalUrl: string | null;
  /**
   * Kind 7 about a claim: an unverifiable wallet notification waiting for the merchant's confirmation
   * (`reason` says what it claims) instead of an invoice that could not be created.
   */
  claim?: boolean;
};

function shopName(shop: ShopRef): string {
  return shop.title?.trim() ? shop.title.trim() : shop.host;
}

function shopLine(shop: ShopRef): string {
  return shop.title?.trim() ? `${shop.title.trim()} (${shop.host})` : shop.host;
}

function order(orderNumber: string | null): string {
  return orderNumber ? `заказ №${orderNumber}` : "заказ";
}

/** Invoices in the test currency (the shop's «Тестовый режим») say so up front. */
function testMark(currency: string): string {
  return currency === "TST" ? "[ТЕСТ] " : "";
}

function money(kopecks: bigint | null | undefined, currency: string): string | null {
  return kopecks == null ? null : formatRubles(kopecks, currency);
}

export function renderBuyerMail(kind: BuyerLetterKind, f: BuyerLetterFacts): RenderedMail {
  const orderNo = f.orderNumber ? `№${f.orderNumber}` : "";
  const facts: Array<[string, string | null]> = [
    ["Магазин", shopLine(f.shop)],
    ["Заказ", f.orderNumber ? `№${f.orderNumber}` : null],
  ];
  if (kind === 14) {
    const link = f.paymentLink;
    return renderLetter({
      subject: `${testMark(f.currency)}Ссылка на оплату заказа ${orderNo} — ${shopName(f.shop)}`,
      heading: "Ссылка на оплату заказа",
      intro: [`Здравствуйте! Магазин «${shopName(f.shop)}» прислал ссылку для оплаты (${order(f.orderNumber)}) через IntellectMoney.`],
      facts: [...facts, ["Сумма к оплате", money(f.amountKopecks, f.currency)], ["Ссылка действует до", link ? `${moscowTime(link.expiresAt)} (МСК)` : null]],
      link: link ? { label: "Оплатить заказ", url: link.url } : undefined,
      outro: [
        "Сумма к оплате считается в момент перехода по ссылке: если магазин изменил заказ, вы увидите новую сумму.",
        "Если вы не оформляли этот заказ, просто не обращайте внимания на это письмо.",
      ],
    });
  }
  if (kind === 9) {
    return renderLetter({
      subject: `${testMark(f.currency)}Возврат по заказу ${orderNo} — ${shopName(f.shop)}`,
      heading: "Возврат оплаты",
      intro: [`Здравствуйте! Магазин «${shopName(f.shop)}» вернул оплату: ${order(f.orderNumber)}.`],
      facts: [...facts, ["Сумма возврата", money(f.refundedKopecks, f.currency)], ["Сумма заказа", money(f.amountKopecks, f.currency)]],
      outro: ["Срок зачисления средств зависит от банка и способа оплаты. С вопросами о заказе обращайтесь в магазин."],
    });
  }
  return renderLetter({
    subject: `${testMark(f.currency)}Счёт на оплату заказа ${orderNo} — ${shopName(f.shop)}`,
    heading: "Счёт на оплату создан",
    intro: [`Здравствуйте! Для оплаты (${order(f.orderNumber)}) в магазине «${shopName(f.shop)}» создан счёт в IntellectMoney.`],
    facts: [...facts, ["Сумма к оплате", money(f.amountKopecks, f.currency)]],
    outro: [
      "Если вы уже оплатили заказ, ничего делать не нужно. Если оплата не завершена, вернитесь на страницу заказа в магазине и выберите оплату ещё раз.",
      "Если вы не оформляли этот заказ, просто не обращайте внимания на это письмо.",
    ],
  });
}

type ShopCopy = { subject: string; heading: string; intro: string; eventAmountLabel?: string; outro?: string };

function shopCopy(kind: ShopLetterKind, f: ShopLetterFacts): ShopCopy {
  const o = f.orderNumber ? `№${f.orderNumber}` : "";
  switch (kind) {
    case 2:
      return { subject: `Создан счёт на оплату заказа ${o}`, heading: "Создан счёт на оплату", intro: `Покупатель перешёл к оплате через IntellectMoney: ${order(f.orderNumber)}. Счёт создан.` };
    case 3:
      return { subject: `Заказ ${o} оплачен полностью`, heading: "Счёт оплачен полностью", intro: `IntellectMoney сообщил о полной оплате: ${order(f.orderNumber)}.` };
    case 4:
      return {
        subject: `Не удалось сообщить InSales об оплате заказа ${o}`,
        heading: "Уведомление в InSales не доставлено",
        intro: `Мы не смогли передать в InSales статус оплаты (${order(f.orderNumber)}); повторные попытки прекращены. Проверьте статус заказа в бэк-офисе InSales и при необходимости отметьте оплату вручную.`,
      };
    case 6:
      return {
        subject: `Средства по заказу ${o} заблокированы (холд)`,
        heading: "Средства заблокированы (холд)",
        intro: `Покупатель оплатил счёт, деньги заблокированы на его карте и ждут списания: ${order(f.orderNumber)}. Подтвердите или отмените списание до окончания срока холдирования.`,
      };
    case 7:
      if (f.claim) {
        return {
          subject: `Уведомление об оплате заказа ${o} требует подтверждения`,
          heading: "Уведомление об оплате требует подтверждения",
          intro:
            `IntellectMoney прислал уведомление о платеже в ваш кошелёк (${order(f.orderNumber)}), но проверить его подпись нечем: в настройках приложения не указан «Секретный ключ» формы. ` +
            "Такое уведомление может прислать кто угодно, поэтому заказ не отмечен оплаченным в InSales и статус платежа не изменён.",
          outro:
            "Сверьте оплату в личном кабинете IntellectMoney и подтвердите или отклоните уведомление на карточке платежа. " +
            "Чтобы уведомления проверялись сами, укажите «Секретный ключ» формы оплаты в настройках приложения.",
        };
      }
      return {
        subject: `Не удалось создать счёт на оплату заказа ${o}`,
        heading: "Счёт на оплату не создан",
        intro: `Покупатель не смог перейти к оплате (${order(f.orderNumber)}): счёт в IntellectMoney не создан.`,
        outro: "Проверьте настройки приложения IntellectMoney и способ оплаты в InSales.",
      };
    case 8:
      return { subject: `Возврат по заказу ${o}`, heading: "Возврат по счёту", intro: `IntellectMoney сообщил о возврате: ${order(f.orderNumber)}.`, eventAmountLabel: "Сумма возврата" };
    case 10:
      return {
        subject: f.orderNumber ? `Подозрение на мошенническую операцию: заказ ${o}` : "Подозрение на мошенническую операцию",
        heading: "Подозрение на мошенническую операцию",
        intro: "Мы получили запрос, который не прошёл проверку, и не выполнили его. Если это повторяется, проверьте, не попали ли ключи магазина к посторонним, и смените их.",
      };
    case 11:
      return {
        subject: `Переплата по заказу ${o}`,
        heading: "Оплачено больше суммы счёта",
        intro: `Покупатель заплатил больше суммы счёта (${order(f.orderNumber)}). Разница зачисляется в кошелёк плательщика в IntellectMoney; при необходимости свяжитесь с покупателем.`,
        eventAmountLabel: "Оплачено",
      };
  }
}

export function renderShopMail(kind: ShopLetterKind, f: ShopLetterFacts): RenderedMail {
  const copy = shopCopy(kind, f);
  return renderLetter({
    subject: `${testMark(f.currency)}${copy.subject} — ${shopName(f.shop)}`,
    heading: copy.heading,
    intro: [copy.intro],
    facts: [
      ["Магазин", shopLine(f.shop)],
      ["Заказ", f.orderNumber ? `№${f.orderNumber}` : null],
      ["Сумма счёта", money(f.amountKopecks, f.currency)],
      [copy.eventAmountLabel ?? "", copy.eventAmountLabel ? money(f.eventAmountKopecks, f.currency) : null],
      ["Номер счёта (СКО) IntellectMoney", f.imPaymentId],
      ["orderId счёта", f.imOrderId],
      ["Статус", f.status ? STATUS_LETTER_TEXT[f.status] : null],
      [f.claim ? "Уведомление" : "Причина", f.reason],
    ],
    link: f.journalUrl ? { label: "Открыть платёж в журнале", url: f.journalUrl } : undefined,
    outro: copy.outro ? [copy.outro] : undefined,
  });
}
