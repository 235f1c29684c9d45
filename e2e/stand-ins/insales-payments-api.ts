// The payment parts of the InSales stand-in (docs/protocols/insales.md §2, §3): the REST API our
// app calls to set up the «Внешний способ оплаты» and to verify a checkout (delivery variants, payment
// gateways, orders), a rate-limit knob, and the buyer's side of the checkout: a shop checkout page that
// POSTs the buyer's browser to the gateway URL signed exactly like InSales, and the order page.
//
// Written from the spec, independently of lib/ (the checkout signature is computed here on its own), so
// the app is tested against the protocol and not against a copy of itself.
import type { IncomingMessage, ServerResponse } from "node:http";
import { md5Hex, randomToken } from "../../lib/crypto";
import { escapeHtml, formPage, sendHtml, sendJson } from "./http-helpers";
import type { InsalesStandIn, StandInGateway, StandInOrder, StandInShop } from "./insales-stand-in";

type RateLimit = { remaining: number; status: 429 | 503; retryAfter: number };

export type ApiCall = { host: string; method: string; path: string; status: number };

export type CheckoutInput = {
  amount?: string;
  email?: string;
  phone?: string;
  name?: string;
  /** Post to this URL instead of the shop's gateway URL. */
  url?: string;
  /** "gateway" (default): sign with the gateway's password; "secret_key": sign with `password` (manual setup). */
  passwordSource?: "gateway" | "secret_key";
  password?: string;
  /** «Идентификатор магазина» to send; defaults to the gateway's shop_id. */
  shopId?: string;
  /** Use this existing order instead of creating one (InSales's «Оплатить» on an unpaid order's page). */
  orderId?: number;
  /** A new order's currency_code (default RUR, InSales's spelling of the rouble, insales.md §4 pitfall 7). */
  currency?: string;
  /**
   * The payment method converts (its `convert_currency` setting, insales.md §2 «Currency conversion»): `amount`
   * is the order's total × `rate` in `currency`, with original_currency / original_amount / conversion_rate.
   */
  convert?: { currency: string; rate: string };
  /** The method's «send_order»: the order as `order_json` (signed, last before the password). */
  sendOrder?: boolean;
  /**
   * How the signature string is laid out (insales.md §2: the vendor page exists in two versions). "positional"
   * (default): all 13 positions, absent fields as empty segments. "compact": only the fields sent, the
   * conversion group and order_json inserted before the password only when their setting is on.
   */
  signatureLayout?: "positional" | "compact";
};

export type SignedCheckout = { url: string; fields: Array<[string, string]>; order: StandInOrder };

/** What an extension instance exposes to in-process tests (the same things the control endpoints do). */
export type PaymentsApi = {
  calls: ApiCall[];
  rateLimit(host: string, count: number, status?: 429 | 503, retryAfter?: number): void;
  /**
   * Make the shop's API answer only after `ms` (0 = at once), as InSales does under load: it gives up
   * itself at 50 s with a 504 (docs/protocols/insales.md §1 «API calls»). Ends early if the caller hangs up.
   */
  stall(host: string, ms: number): void;
  /**
   * Answer the gateway's success_url / fail_url / server_url in the vendor's example shape,
   * `http://<shop host>/payments/external/…` (insales/insales-docs-source, «Подключение внешнего способа
   * оплаты»; docs/protocols/insales.md §2), instead of this stand-in's own base. Such URLs only make sense
   * to check what the app stores: nothing listens on them here.
   */
  vendorExampleUrls(host: string, on: boolean): void;
  /**
   * `backOffice`: an order the merchant created in the back office or took by phone — no payment method chosen
   * at checkout, so no `payment_gateway_id` and no `client_transaction_id` (what a payment link is for).
   */
  createOrder(host: string, input?: { amount?: string; email?: string; phone?: string; name?: string; gatewayId?: number | null; currency?: string; backOffice?: boolean }): StandInOrder;
  signedCheckout(host: string, input?: CheckoutInput): SignedCheckout;
  /**
   * Puts back a payment method the shop had before this stand-in (re)started, as InSales keeps it: same id
   * and «Пароль», linked to every delivery variant, its URLs on this stand-in's base. For the sandbox, whose
   * database outlives the stand-ins' memory (scripts/sandbox-restore.ts).
   */
  restoreGateway(host: string, g: RestoredGateway): StandInGateway;
  /**
   * The next ids handed out are above these (ids a restarted stand-in would otherwise hand out again, which
   * the app has stored already: a repeated transaction_id is the same payment to it).
   */
  continueAfter(ids: IdsInUse): void;
};

export type RestoredGateway = { id: number; url: string; shopId: string; password: string };

export type IdsInUse = { gatewayId?: number; orderId?: number; orderNumber?: number; transactionId?: number };

// The 13 fields of the checkout signature, in order, password last (§2 «Checkout request»).
const SIGNED_FIELDS = [
  "shop_id", "amount", "transaction_id", "key", "description", "order_id", "phone", "email",
  "original_currency", "convert_currency", "original_amount", "conversion_rate", "order_json",
] as const;

/** MD5(shop_id;amount;…;order_json;password), absent fields as empty strings (§2). */
export function insalesCheckoutSignature(fields: Record<string, string>, password: string): string {
  return md5Hex([...SIGNED_FIELDS.map((f) => fields[f] ?? ""), password].join(";"));
}

/** MD5 of only the fields that were sent, in the §2 order, password last (the page's other version). */
export function insalesCompactCheckoutSignature(fields: Record<string, string>, password: string): string {
  const sent = SIGNED_FIELDS.filter((f, i) => i < 8 || fields[f] !== undefined);
  return md5Hex([...sent.map((f) => fields[f] ?? ""), password].join(";"));
}

/** InSales renders decimals the Rails way ("1200.0"), not as the checkout sent them ("1200.00"). */
function railsDecimal(amount: string): string {
  const [int, frac = ""] = amount.split(".");
  const trimmed = frac.replace(/0+$/, "");
  return `${int}.${trimmed || "0"}`;
}

/** `total` × `rate`, rounded half up to two decimals, computed exactly (decimal strings, no floats). */
function converted(total: string, rate: string): string {
  const [ri, rf = ""] = rate.split(".");
  const [ti, tf = ""] = total.split(".");
  const product = BigInt(ti + tf.padEnd(2, "0")) * BigInt(ri + rf); // kopecks × 10^rf.length
  const scale = 10n ** BigInt(rf.length);
  const kopecks = (product * 2n + scale) / (2n * scale);
  return `${kopecks / 100n}.${String(kopecks % 100n).padStart(2, "0")}`;
}

/** What the checkout sends for an order's total: "1200.0" → "1200.00". */
function twoDecimals(amount: string): string {
  const [int, frac = ""] = amount.split(".");
  return `${int}.${frac.padEnd(2, "0")}`;
}

function gatewayJson(g: StandInGateway) {
  const { delivery_variant_ids, ...rest } = g;
  return {
    ...rest,
    payment_delivery_variants: delivery_variant_ids.map((id, i) => ({ id: g.id * 100 + i, delivery_variant_id: id })),
  };
}

function orderJson(o: StandInOrder) {
  const { notices: _notices, ...rest } = o;
  return rest;
}

export function installPaymentsApi(standIn: InsalesStandIn): PaymentsApi {
  const limits = new Map<string, RateLimit>();
  const stalls = new Map<string, number>();
  const vendorUrlHosts = new Set<string>();
  const calls: ApiCall[] = [];
  let nextGatewayId = 500_001;
  let nextOrderId = 4_020_290;
  let nextOrderNumber = 1001;
  let nextTransactionId = 2_197_421;

  const gatewayUrls = (host: string, id: number) => {
    const base = vendorUrlHosts.has(host) ? `http://${host}` : standIn.shopBase(host);
    return { success_url: `${base}/payments/external/${id}/success`, fail_url: `${base}/payments/external/${id}/fail`, server_url: `${base}/payments/external/server` };
  };

  const api: PaymentsApi = {
    calls,
    rateLimit(host, count, status = 429, retryAfter = 1) {
      limits.set(host, { remaining: count, status, retryAfter });
    },
    vendorExampleUrls(host, on) {
      if (on) vendorUrlHosts.add(host);
      else vendorUrlHosts.delete(host);
    },
    stall(host, ms) {
      if (ms > 0) stalls.set(host, ms);
      else stalls.delete(host);
    },
    createOrder(host, input = {}) {
      const shop = standIn.mustShop(host);
      const amount = input.amount ?? "1200.00";
      if (!/^\d{1,9}(\.\d{1,2})?$/.test(amount)) throw new Error(`stand-in: bad amount ${amount}`);
      const gateway = shop.gateways.at(-1);
      const order: StandInOrder = {
        id: nextOrderId++,
        key: randomToken(16),
        number: nextOrderNumber++,
        total_price: railsDecimal(amount),
        financial_status: "pending",
        payment_gateway_id: input.backOffice ? null : input.gatewayId === undefined ? (gateway?.id ?? null) : input.gatewayId,
        client_transaction_id: input.backOffice ? null : String(nextTransactionId++),
        currency_code: input.currency ?? "RUR",
        client: { email: input.email ?? "buyer@example.com", phone: input.phone ?? "79991234567", name: input.name ?? "Иван Покупатель" },
        order_lines: [{ id: 1, title: "Книга «Хочу всё знать»", quantity: 1, sale_price: railsDecimal(amount), full_sale_price: railsDecimal(amount), full_total_price: railsDecimal(amount) }],
        full_delivery_price: "0.0",
        notices: [],
      };
      shop.orders.push(order);
      return order;
    },
    restoreGateway(host, g) {
      const shop = standIn.mustShop(host);
      shop.gateways = shop.gateways.filter((existing) => existing.id !== g.id);
      const gateway: StandInGateway = {
        id: g.id, type: "PaymentGateway::External", title: "IntellectMoney", url: g.url, shop_id: g.shopId, password: g.password,
        ...gatewayUrls(host, g.id),
        delivery_variant_ids: shop.deliveryVariants.map((d) => d.id),
      };
      shop.gateways.push(gateway);
      api.continueAfter({ gatewayId: g.id });
      return gateway;
    },
    continueAfter(ids) {
      if (ids.gatewayId !== undefined) nextGatewayId = Math.max(nextGatewayId, ids.gatewayId + 1);
      if (ids.orderId !== undefined) nextOrderId = Math.max(nextOrderId, ids.orderId + 1);
      if (ids.orderNumber !== undefined) nextOrderNumber = Math.max(nextOrderNumber, ids.orderNumber + 1);
      if (ids.transactionId !== undefined) nextTransactionId = Math.max(nextTransactionId, ids.transactionId + 1);
    },
    signedCheckout(host, input = {}) {
      const shop = standIn.mustShop(host);
      const gateway = shop.gateways.at(-1);
      const url = input.url ?? gateway?.url;
      if (!url) throw new Error("stand-in: the shop has no payment gateway and no url was given");
      const password = input.passwordSource === "secret_key" ? input.password : (input.password ?? gateway?.password);
      if (!password) throw new Error("stand-in: no password to sign the checkout with");
      const shopId = input.shopId ?? gateway?.shop_id ?? shop.insalesId;
      const order = input.orderId !== undefined
        ? shop.orders.find((o) => o.id === input.orderId) ?? (() => { throw new Error(`stand-in: unknown order ${input.orderId}`); })()
        : api.createOrder(host, input);
      const total = twoDecimals(order.total_price);
      // With conversion `amount` (given) is the order's total in the site's currency; the checkout charges it converted.
      const amount = input.convert ? converted(total, input.convert.rate) : (input.amount ?? total);
      const values: Record<string, string> = {
        shop_id: shopId,
        amount,
        transaction_id: order.client_transaction_id ?? "",
        key: order.key,
        description: `Заказ №${order.number} на сайте ${shop.host}`,
        order_id: String(order.id),
        phone: order.client.phone,
        email: order.client.email,
      };
      // The conversion fields and order_json are sent only when the method has those settings (insales.md §2).
      if (input.convert) {
        Object.assign(values, { original_currency: order.currency_code, convert_currency: input.convert.currency, original_amount: total, conversion_rate: input.convert.rate });
      }
      if (input.sendOrder ?? gateway?.send_order) values.order_json = JSON.stringify(orderJson(order));
      const fields = Object.entries(values);
      fields.push(["signature", input.signatureLayout === "compact" ? insalesCompactCheckoutSignature(values, password) : insalesCheckoutSignature(values, password)]);
      return { url, fields, order };
    },
  };

  standIn.shopRoutes.push(async ({ req, res, shop, path, url, body }) => {
    // The REST API (`….json`); other /admin/ pages (the back-office order card: insales-widgets.ts) are not ours.
    if (path.startsWith("/admin/") && /\.json$/.test(path)) {
      const stall = stalls.get(shop.host);
      if (stall) {
        const hungUp = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), stall);
          res.on("close", () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (hungUp) {
          calls.push({ host: shop.host, method: req.method ?? "", path, status: 0 });
          return true;
        }
      }
      return handleApi(req, res, shop, path, body);
    }
    if (path === "/checkout") return handleCheckoutPage(req, res, shop, url, body);
    const orderPage = /^\/orders\/([0-9a-f]{32})$/.exec(path);
    if (orderPage && req.method === "GET") {
      const order = shop.orders.find((o) => o.key === orderPage[1]);
      if (!order) {
        sendHtml(res, 404, "<h1>Заказ не найден</h1>");
        return true;
      }
      const status = order.financial_status === "paid" ? "Оплачен" : "Не оплачен";
      // An unpaid order offers «Оплатить» again: InSales sends the buyer to the payment method with the same
      // order and the same transaction_id (docs/protocols/insales.md §2 «Paying the same order again»).
      const payAgain =
        order.financial_status === "paid"
          ? ""
          : `<form method="POST" action="${escapeHtml(`${standIn.shopBase(shop.host)}/checkout?order=${order.id}`)}"><button type="submit">Оплатить заказ</button></form>`;
      sendHtml(res, 200, `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Заказ №${order.number}</title></head>
<body><h1>Заказ №${order.number}</h1><p>Сумма: ${escapeHtml(order.total_price)} ${escapeHtml(order.currency_code)}</p><p id="financial-status">${status}</p>${payAgain}</body></html>`);
      return true;
    }
    return false;
  });

  function answer(res: ServerResponse, shop: StandInShop, req: IncomingMessage, path: string, status: number, payload: unknown, headers: Record<string, string> = {}) {
    calls.push({ host: shop.host, method: req.method ?? "", path, status });
    sendJson(res, status, payload, headers);
    return true;
  }

  function handleApi(req: IncomingMessage, res: ServerResponse, shop: StandInShop, path: string, body: string): boolean {
    // Over the limit: 429 (older: 503) with Retry-After (§1 API calls).
    const limit = limits.get(shop.host);
    if (limit && limit.remaining > 0) {
      limit.remaining -= 1;
      return answer(res, shop, req, path, limit.status, { errors: ["API usage limit exceeded"] }, { "retry-after": String(limit.retryAfter) });
    }
    if (!standIn.checkBasicAuth(req, shop)) return answer(res, shop, req, path, 401, { errors: ["Unauthorized"] });
    const method = req.method ?? "GET";

    if (path === "/admin/delivery_variants.json" && method === "GET") {
      return answer(res, shop, req, path, 200, shop.deliveryVariants.map((d) => ({ id: d.id, title: d.title, type: "DeliveryVariant::Fixed" })));
    }
    if (path === "/admin/payment_gateways.json" && method === "GET") {
      return answer(res, shop, req, path, 200, shop.gateways.map(gatewayJson));
    }
    if (!/json/.test(req.headers["content-type"] ?? "") && (method === "POST" || method === "PUT")) {
      return answer(res, shop, req, path, 415, { errors: ["Content-Type must be application/json"] });
    }
    if (path === "/admin/payment_gateways.json" && method === "POST") {
      const input = parseGatewayBody(body);
      if (!input) return answer(res, shop, req, path, 400, { errors: ["payment_gateway is required"] });
      const errors = validateGateway(input, true);
      if (errors.length) return answer(res, shop, req, path, 422, { errors });
      const id = nextGatewayId++;
      const gateway: StandInGateway = {
        id,
        type: String(input.type),
        title: String(input.title),
        url: String(input.url),
        shop_id: String(input.shop_id ?? ""),
        password: typeof input.password === "string" && input.password ? input.password : randomToken(8),
        send_order: input.send_order === true,
        ...gatewayUrls(shop.host, id),
        delivery_variant_ids: deliveryIds(input),
      };
      shop.gateways.push(gateway);
      return answer(res, shop, req, path, 201, gatewayJson(gateway));
    }
    const one = /^\/admin\/payment_gateways\/(\d+)\.json$/.exec(path);
    if (one) {
      const gateway = shop.gateways.find((g) => g.id === Number(one[1]));
      if (!gateway) return answer(res, shop, req, path, 404, { errors: ["Not found"] });
      if (method === "GET") return answer(res, shop, req, path, 200, gatewayJson(gateway));
      if (method === "PUT") {
        const input = parseGatewayBody(body);
        if (!input) return answer(res, shop, req, path, 400, { errors: ["payment_gateway is required"] });
        const errors = validateGateway(input, false);
        if (errors.length) return answer(res, shop, req, path, 422, { errors });
        if (typeof input.title === "string") gateway.title = input.title;
        if (typeof input.url === "string") gateway.url = input.url;
        if (input.shop_id !== undefined) gateway.shop_id = String(input.shop_id);
        if (typeof input.password === "string" && input.password) gateway.password = input.password;
        if (typeof input.send_order === "boolean") gateway.send_order = input.send_order;
        // Like Rails nested attributes: entries without an id add links (duplicates included), never replace.
        gateway.delivery_variant_ids.push(...deliveryIds(input));
        return answer(res, shop, req, path, 200, gatewayJson(gateway));
      }
    }
    const order = /^\/admin\/orders\/(\d+)\.json$/.exec(path);
    if (order && method === "GET") {
      const found = shop.orders.find((o) => o.id === Number(order[1]));
      return found ? answer(res, shop, req, path, 200, orderJson(found)) : answer(res, shop, req, path, 404, { errors: ["Not found"] });
    }
    // PUT with the root key `order` (§1 «API calls»); only what a payment link's notice changes is modelled:
    // `financial_status` (§3 «Orders»). A shop that did not grant the app the right to change orders: 403 (§3
    // «Permissions»).
    if (order && method === "PUT") {
      const found = shop.orders.find((o) => o.id === Number(order[1]));
      if (!found) return answer(res, shop, req, path, 404, { errors: ["Not found"] });
      if (shop.denied?.ordersWrite) return answer(res, shop, req, path, 403, { errors: ["Forbidden"] });
      let input: { order?: { financial_status?: unknown } } | null = null;
      try {
        input = JSON.parse(body) as { order?: { financial_status?: unknown } };
      } catch {
        input = null;
      }
      const status = input?.order?.financial_status;
      if (status !== undefined && status !== "paid" && status !== "pending") return answer(res, shop, req, path, 422, { errors: { financial_status: ["имеет неверное значение"] } });
      if (status === "paid" || status === "pending") found.financial_status = status;
      return answer(res, shop, req, path, 200, orderJson(found));
    }
    return false;
  }

  function parseGatewayBody(body: string): Record<string, unknown> | null {
    try {
      const parsed = JSON.parse(body) as { payment_gateway?: unknown };
      return parsed.payment_gateway && typeof parsed.payment_gateway === "object" ? (parsed.payment_gateway as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  function validateGateway(input: Record<string, unknown>, creating: boolean): string[] {
    const errors: string[] = [];
    if (creating && input.type !== "PaymentGateway::External") errors.push("Тип способа оплаты не поддерживается");
    if ((creating || "title" in input) && !(typeof input.title === "string" && input.title.trim())) errors.push("Название не может быть пустым");
    if ((creating || "url" in input) && !(typeof input.url === "string" && /^https?:\/\//.test(input.url))) errors.push("URL внешнего сервиса имеет неверное значение");
    return errors;
  }

  function deliveryIds(input: Record<string, unknown>): number[] {
    const list = Array.isArray(input.payment_delivery_variants_attributes) ? input.payment_delivery_variants_attributes : [];
    return list.map((a) => Number((a as { delivery_variant_id?: unknown }).delivery_variant_id)).filter((n) => Number.isInteger(n));
  }

  /** The buyer's checkout: GET shows a small form, POST creates the order and sends the browser on. */
  function handleCheckoutPage(req: IncomingMessage, res: ServerResponse, shop: StandInShop, url: URL, body: string): boolean {
    const q = url.searchParams;
    if (req.method === "GET") {
      sendHtml(res, 200, `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Оформление заказа</title></head><body>
<h1>Оформление заказа в ${escapeHtml(shop.title)}</h1>
<form method="POST" action="${escapeHtml(url.pathname + url.search)}">
<label>Сумма <input name="amount" value="${escapeHtml(q.get("amount") ?? "1200.00")}"></label>
<label>E-mail <input name="email" value="${escapeHtml(q.get("email") ?? "buyer@example.com")}"></label>
<button type="submit">Оплатить через IntellectMoney</button></form></body></html>`);
      return true;
    }
    if (req.method !== "POST") return false;
    const form = new URLSearchParams(body);
    try {
      const again = q.get("order");
      const convert = q.get("convert_currency");
      const signed = api.signedCheckout(shop.host, {
        amount: again ? undefined : form.get("amount") || undefined,
        email: form.get("email") || undefined,
        url: q.get("url") ?? undefined,
        passwordSource: q.get("password_source") === "secret_key" ? "secret_key" : "gateway",
        password: q.get("password") ?? undefined,
        shopId: q.get("shop_id") ?? undefined,
        orderId: again ? Number(again) : undefined,
        currency: q.get("currency") ?? undefined,
        convert: convert ? { currency: convert, rate: q.get("rate") ?? "1" } : undefined,
        sendOrder: q.get("send_order") === "1" ? true : undefined,
      });
      sendHtml(res, 200, formPage("Переход к оплате", signed.url, signed.fields, { auto: true, button: "Перейти к оплате" }));
    } catch (error) {
      sendHtml(res, 409, `<h1>Оплата недоступна</h1><p>${escapeHtml(String((error as Error).message))}</p>`);
    }
    return true;
  }

  standIn.controlRoutes.push(async (req, res, url, body) => {
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const host = String(json.host ?? url.searchParams.get("host") ?? "");
    if (url.pathname === "/__control/api-rate-limit" && req.method === "POST") {
      standIn.mustShop(host);
      const status = json.status === 503 ? 503 : 429;
      api.rateLimit(host, Number(json.count ?? 1), status, Number(json.retryAfter ?? 1));
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (url.pathname === "/__control/api-calls" && req.method === "GET") {
      sendJson(res, 200, calls.filter((c) => !host || c.host === host));
      return true;
    }
    if (url.pathname === "/__control/order" && req.method === "POST") {
      sendJson(res, 200, orderJson(api.createOrder(host, json as { amount?: string; email?: string; backOffice?: boolean })));
      return true;
    }
    if (url.pathname === "/__control/order" && req.method === "GET") {
      const order = standIn.shops.get(host)?.orders.find((o) => String(o.id) === url.searchParams.get("id") || o.key === url.searchParams.get("key"));
      if (order) sendJson(res, 200, order);
      else sendJson(res, 404, { error: "unknown order" });
      return true;
    }
    if (url.pathname === "/__control/checkout-fields" && req.method === "POST") {
      const signed = api.signedCheckout(host, json as CheckoutInput);
      sendJson(res, 200, { url: signed.url, fields: Object.fromEntries(signed.fields), order: orderJson(signed.order) });
      return true;
    }
    return false;
  });

  return api;
}
