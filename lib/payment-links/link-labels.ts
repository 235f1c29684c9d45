// The words of payment links for the buyer (the /pay pages) and the merchant (the payment-link screen). Russian.

/** Why a buyer's payment link cannot be paid now (lib/payment-links/pay-by-link.ts). */
export type LinkRefusal =
  | "bad_link"
  | "expired"
  | "unknown_shop"
  | "not_configured"
  | "order_not_found"
  | "already_paid"
  | "nothing_to_pay"
  | "unavailable"
  | "busy"
  | "receipt_unavailable"
  | "receipt_failed"
  | "unsupported_currency"
  | "currency_unknown";

type RefusalStatus = 400 | 403 | 404 | 409 | 410 | 422 | 503;

const ASK_AGAIN = "Попросите магазин прислать новую ссылку на оплату.";

/** What the buyer reads, with the HTTP status of the page. Never which check failed in detail, never a secret. */
export const LINK_REFUSALS: Record<LinkRefusal, { status: RefusalStatus; title: string; message: string }> = {
  bad_link: { status: 403, title: "Ссылка недействительна", message: `Эта ссылка на оплату повреждена или больше не действует. ${ASK_AGAIN}` },
  expired: { status: 410, title: "Срок действия ссылки истёк", message: `Срок действия этой ссылки на оплату закончился. ${ASK_AGAIN}` },
  unknown_shop: { status: 404, title: "Магазин не найден", message: "Магазин не принимает оплату через IntellectMoney. Свяжитесь с магазином." },
  not_configured: { status: 422, title: "Оплата недоступна", message: "Магазин ещё не настроил приём оплаты через IntellectMoney. Свяжитесь с магазином." },
  order_not_found: { status: 404, title: "Заказ не найден", message: "Магазин не нашёл этот заказ. Свяжитесь с магазином." },
  already_paid: { status: 409, title: "Заказ уже оплачен", message: "Заказ уже оплачен. Повторно платить не нужно; статус заказа можно уточнить в магазине." },
  nothing_to_pay: { status: 409, title: "Нечего оплачивать", message: "По этому заказу не осталось суммы к оплате. Если это ошибка, свяжитесь с магазином." },
  unavailable: { status: 503, title: "Не удалось проверить заказ", message: "Магазин сейчас не отвечает. Попробуйте открыть ссылку через несколько минут." },
  busy: { status: 503, title: "Слишком много запросов", message: "Слишком много переходов по ссылкам этого магазина. Попробуйте через минуту." },
  receipt_unavailable: { status: 503, title: "Оплата не начата", message: "Не удалось получить состав заказа для кассового чека. Попробуйте через несколько минут." },
  receipt_failed: { status: 422, title: "Оплата не начата", message: "Магазин не может сейчас выдать кассовый чек по этому заказу, поэтому оплата не начата. Свяжитесь с магазином." },
  unsupported_currency: { status: 422, title: "Оплата не начата", message: "Заказ оформлен в валюте, в которой IntellectMoney не принимает этот платёж. Свяжитесь с магазином." },
  currency_unknown: { status: 422, title: "Оплата не начата", message: "Магазин не указал валюту заказа. Свяжитесь с магазином." },
};

/** Why a merchant could not make a link (lib/payment-links/create-payment-link.ts). */
export type CreateLinkRefusal = "bad_request" | "shop_inactive" | "not_configured" | "order_not_found" | "forbidden" | "unavailable" | "already_paid" | "nothing_to_pay" | "no_buyer_email" | "letter_off";

export const CREATE_LINK_REFUSALS: Record<CreateLinkRefusal, string> = {
  bad_request: "Неверный запрос. Откройте эту страницу заново из заказа в InSales.",
  shop_inactive: "Нет доступа к API магазина: переустановите приложение.",
  not_configured: "Сначала заполните настройки IntellectMoney: без них ссылка не сможет выставить счёт.",
  order_not_found: "Заказ не найден в InSales.",
  forbidden: "У приложения нет права читать заказы в InSales: переустановите приложение и разрешите доступ к заказам.",
  unavailable: "InSales сейчас не отвечает, попробуйте через минуту.",
  already_paid: "Заказ уже оплачен: ссылка не нужна.",
  nothing_to_pay: "По заказу не осталось суммы к оплате.",
  no_buyer_email: "У покупателя в заказе нет e-mail: скопируйте ссылку и отправьте её покупателю сами.",
  letter_off: "Письмо «Для клиента со ссылкой на оплату» выключено в настройках («Почтовые уведомления»): включите его или скопируйте ссылку.",
};

/** How long a link opens (days), as the screen offers it; the default first. */
export const LINK_LIFETIMES_DAYS = [3, 1, 7, 14] as const;
