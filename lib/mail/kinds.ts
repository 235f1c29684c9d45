// The e-mail notifications of the «Почтовые уведомления» settings (docs/PRODUCT.md «The 13 e-mail
// notifications» — IntellectMoney's own 13 — and the app's 14th, the payment link for the buyer). `number` is what ShopSettings.mailKinds stores; labels are the checkbox texts
// merchants know from IntellectMoney's own modules.
export type MailRecipient = "buyer" | "shop";

export type MailKind = {
  number: number;
  label: string;
  recipient: MailRecipient;
  /** Shown next to the checkbox when the letter can never be sent in the InSales flow. */
  note?: string;
};

/** The checkbox text of the settings screen: «Уведомление для клиента о создании СКО» etc. */
export function mailKindCheckboxLabel(kind: Pick<MailKind, "label">): string {
  return `Уведомление ${kind.label.charAt(0).toLowerCase()}${kind.label.slice(1)}`;
}

/** The kinds addressed to the shop: with any of them on, «E-mail магазина для уведомлений» is required. */
export function isShopAddressedKind(number: number): boolean {
  return MAIL_KINDS.find((k) => k.number === number)?.recipient === "shop";
}

const NO_SUBSCRIPTIONS = "В InSales нет подписок, поэтому это письмо сейчас не отправляется; настройка сохранена на будущее.";

export const MAIL_KINDS: readonly MailKind[] = [
  { number: 1, label: "Для клиента о создании СКО", recipient: "buyer" },
  { number: 2, label: "Для магазина о создании СКО", recipient: "shop" },
  { number: 3, label: "Для магазина о полной оплате СКО", recipient: "shop" },
  { number: 4, label: "Об ошибке при отправке запроса для магазина", recipient: "shop" },
  { number: 5, label: "Для неклиента о создании СКО", recipient: "buyer" },
  { number: 6, label: "Для магазина о холде средств на СКО", recipient: "shop" },
  { number: 7, label: "Об ошибке при создании СКО для магазина", recipient: "shop" },
  { number: 8, label: "Для магазина о возврате по СКО", recipient: "shop" },
  { number: 9, label: "Для клиента о возврате по СКО", recipient: "buyer" },
  { number: 10, label: "Для магазина о фродовой операции", recipient: "shop" },
  { number: 11, label: "Для магазина о сдаче в кошелек плательщика", recipient: "shop" },
  { number: 12, label: "Для магазина при отмене клиентом подписки", recipient: "shop", note: NO_SUBSCRIPTIONS },
  { number: 13, label: "Для клиента при отмене подписки", recipient: "buyer", note: NO_SUBSCRIPTIONS },
  // Not one of IntellectMoney's modules' 13: the app's own, for payment links (docs/MAIL.md, lib/payment-links/).
  { number: 14, label: "Для клиента со ссылкой на оплату", recipient: "buyer", note: "Отправляется, когда вы отправляете покупателю ссылку на оплату заказа." },
];

export const MAIL_KIND_NUMBERS: readonly number[] = MAIL_KINDS.map((k) => k.number);

export function mailKind(number: number): MailKind | undefined {
  return MAIL_KINDS.find((k) => k.number === number);
}
