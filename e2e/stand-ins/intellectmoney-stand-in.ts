// A local stand-in for IntellectMoney (docs/protocols/intellectmoney.md §1–§3): the merchant
// payment page the buyer's browser posts the invoice form to, and the result notifications it sends to
// the invoice's resultUrl. Plain node:http, state in memory; tests drive it in process or through
// /__control/* JSON endpoints. Hashes are computed here on their own, from the spec, not with lib/.
//
// POST <base>/merchant/            the invoice form (INTELLECTMONEY_MERCHANT_URL = <base>/merchant/); a known
//                                  orderId continues its invoice only with the same parameters, and
//                                  `invoiceId` alone opens an existing invoice (see createInvoice)
// GET  <base>/merchant/invoice/<id>  the payment page: «Оплатить», «Холдировать», «Частичная оплата»,
//                                  «Отменить»; after a hold «Списать» / «Отменить холд»; «Отправить
//                                  уведомление ещё раз»
// POST <base>[/api]/merchant/purchaseToPaid     §4 Merchant API: capture a hold (then notifies 5)
// POST <base>[/api]/merchant/purchaseToRefund   §4: release a hold / cancel (then 4), refund (then 8)
// POST <base>[/api]/merchant/getPurchaseInfo    §4: the invoice's state, with the refunded total
//                                               (the Merchant API lives in intellectmoney-merchant-api.ts)
// POST /__control/shops {eshopId, secretKey, apiToken?, signSecretKey?}  register a shop's keys
// POST /__control/shops {walletFormId, secretKey}  register a personal-wallet payment form's secret key
// GET  /__control/api-calls?orderId=            every Merchant API call received, with its answer
// POST /__control/merchant-api-behaviour {orderId, warning?, refundWholeRemainder?, purchaseInfo?,
//                                         hangAfterExecuting?}  vendor edges for one invoice's API calls
// POST /__control/notification-encoding {eshopId, body, declareCharset, hashOver}  how this shop's
//                                               notifications are encoded (windows-1251 mode, see below)
// POST /__control/events {eshopId, disabled: ["3", ...]}  events switched off in the shop's «Уведомления»
// GET  /__control/refused-repeats                  re-posts of a known orderId refused (the shop's letters)
// POST /__control/notify {paymentId, status, ...}  send a notification, answer = what the app replied
// GET  /__control/invoices                         every invoice with its notifications and answers
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { md5Hex, sha256Hex } from "../../lib/crypto";
import { escapeHtml, readBody, redirect, sendHtml, sendJson } from "./http-helpers";
import { merchantApi, type ApiCall, type ApiKeys, type MerchantApiBehaviour, type MerchantApiMethod } from "./intellectmoney-merchant-api";

export type { ApiCall, ApiKeys, MerchantApiBehaviour } from "./intellectmoney-merchant-api";

/** §2: the shared shop for transfers to individuals. */
export const WALLET_ESHOP = "450157";
/**
 * What signs a wallet notification whose payment form has no key registered here: the app never knows it,
 * so such a notification is unverifiable (§2). A form with a key (registerWalletForm) signs with that key,
 * as IntellectMoney's own modules expect: their settings for a personal-wallet form keep a «Секретный ключ»
 * and their result handler checks every notification's hash with it, eshopId 450157 included (the vendor's
 * shared PHP library for CMS modules, PaySystem\UserSettings::getNamesOfP2PParamsToSave and
 * PaySystem\Result::checkHash). The invoice form itself carries no hash (PaySystem\Payment::getParamsForP2P).
 */
const WALLET_SHARED_SECRET = "stand-in-wallet-shop-secret";

export type ImStatus = "3" | "4" | "5" | "6" | "7" | "8";

/**
 * How a notification is put on the wire (docs/protocols/intellectmoney.md §3 «Encoding»). IntellectMoney's
 * shared CMS library accepts the MD5 of the control string as received, or of that string converted from
 * windows-1251 to UTF-8 (PaySystem\Result::checkHash), so a notification may come with windows-1251 bytes,
 * hashed over those bytes or over the UTF-8 text; no source says whether a charset is declared, so both
 * ways are offered.
 * - `body`: the charset of the form's bytes (every value percent-encoded byte by byte);
 * - `declareCharset`: add `; charset=<body>` to the Content-Type;
 * - `hashOver`: the bytes of the joined control string the hash is taken over.
 */
export type NotificationEncoding = { body: "utf-8" | "windows-1251"; declareCharset: boolean; hashOver: "utf-8" | "windows-1251" };

const UTF8_ENCODING: NotificationEncoding = { body: "utf-8", declareCharset: false, hashOver: "utf-8" };

export type SentNotification = {
  status: ImStatus;
  fields: Record<string, string>;
  encoding: NotificationEncoding;
  httpStatus: number | null;
  body: string;
  contentType: string | null;
  at: string;
};

export type ImInvoice = {
  paymentId: string;
  eshopId: string;
  orderId: string;
  serviceName: string;
  recipientAmount: string;
  recipientCurrency: string;
  userEmail: string;
  userName: string;
  successUrl: string;
  failUrl: string;
  resultUrl: string;
  holdMode: string | null;
  /** The last status sent. */
  status: ImStatus;
  /** What was refunded through the Merchant API so far, in kopecks (sent as the running `refundAmount`). */
  refundedKopecks: string;
  form: Record<string, string>;
  notifications: SentNotification[];
};

export type NotifyOptions = {
  /** recipientAmount to send (default: the invoice amount; «Частичная оплата» sends half). */
  recipientAmount?: string;
  refundAmount?: string;
  /** Overwrite or add fields after hashing (to forge or break a notification). */
  tamper?: Record<string, string>;
  /** Sign with this key instead of the shop's (another shop's key, a wrong key). */
  signWith?: string;
  /** Send without recipientOriginalAmount. */
  omitOriginalAmount?: boolean;
  /** On the wire as this (default: the shop's, see setNotificationEncoding; else UTF-8). */
  encoding?: NotificationEncoding;
};

const pad = (n: number) => String(n).padStart(2, "0");

/** `paymentData`: the event's date-time in Moscow time (UTC+3 all year). */
export function moscowNow(now = new Date()): string {
  const m = new Date(now.getTime() + 3 * 3600_000);
  return `${m.getUTCFullYear()}-${pad(m.getUTCMonth() + 1)}-${pad(m.getUTCDate())} ${pad(m.getUTCHours())}:${pad(m.getUTCMinutes())}:${pad(m.getUTCSeconds())}`;
}

function kopecks(v: string): bigint | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(v);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")) : null;
}

function decimal(k: bigint): string {
  return `${k / 100n}.${pad(Number(k % 100n))}`;
}

/** §1 invoice hash over the exact strings received. */
function invoiceHash(f: Record<string, string>, key: string): string {
  return md5Hex([f.eshopId, f.orderId, f.serviceName, f.recipientAmount, f.recipientCurrency, key].join("::"));
}

/** windows-1251 bytes of `text`, from a table of its own (the decoder read backwards); throws on a character it lacks. */
const CP1251 = (() => {
  const chars = new TextDecoder("windows-1251").decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  return new Map([...chars].map((c, byte) => [c, byte]));
})();

function cp1251Bytes(text: string): Buffer {
  return Buffer.from([...text].map((c) => {
    const byte = CP1251.get(c);
    if (byte === undefined) throw new Error(`stand-in: «${c}» has no windows-1251 byte`);
    return byte;
  }));
}

function bytesOf(text: string, charset: "utf-8" | "windows-1251"): Buffer {
  return charset === "utf-8" ? Buffer.from(text, "utf8") : cp1251Bytes(text);
}

/** application/x-www-form-urlencoded of `fields`, every byte outside [A-Za-z0-9*-._] percent-encoded, in `charset`. */
function urlencode(fields: Record<string, string>, charset: "utf-8" | "windows-1251"): string {
  const escape = (text: string) => [...bytesOf(text, charset)].map((b) => (/[A-Za-z0-9*\-._]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 0x20 ? "+" : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
  return Object.entries(fields).map(([k, v]) => `${escape(k)}=${escape(v)}`).join("&");
}

/** §3 notification hash: 11 segments, the secret last, over the control string's bytes in `charset`. */
function notificationHash(f: Record<string, string>, key: string, charset: "utf-8" | "windows-1251" = "utf-8"): string {
  const joined = [f.eshopId, f.orderId, f.serviceName, f.eshopAccount, f.recipientAmount, f.recipientCurrency, f.paymentStatus, f.userName, f.userEmail, f.paymentData, key].join("::");
  return createHash("md5").update(bytesOf(joined, charset)).digest("hex");
}

const PAGE_STYLE = "body{font-family:sans-serif;max-width:640px;margin:32px auto}form{display:inline-block;margin:4px}";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
}

export class IntellectMoneyStandIn {
  readonly keys = new Map<string, string>();
  /** Personal-wallet payment forms' secret keys, by form id (UserField_9). */
  readonly walletKeys = new Map<string, string>();
  readonly apiKeys = new Map<string, ApiKeys>();
  readonly apiCalls: ApiCall[] = [];
  /**
   * Per eshopId: events switched off in the shop's «Уведомления» tab. IntellectMoney sends a notification only
   * for an enabled event (docs/protocols/intellectmoney.md §3, §8, vendor IM-NOTIF), so a shop without
   * «created» never hears the invoice id before the payment.
   */
  readonly disabledEvents = new Map<string, Set<ImStatus>>();
  /**
   * Re-posts of a known orderId with other parameters, refused: with «Принимать только уникальный номер
   * покупки» on, the buyer sees an error and the shop gets a letter about it (intellectmoney.md §1, IM-WIKI-UNIQUE).
   */
  readonly refusedRepeats: Array<{ eshopId: string; orderId: string; differing: string[]; at: string }> = [];
  /** Per eshopId: how its notifications go on the wire (default UTF-8; see NotificationEncoding). */
  readonly notificationEncodings = new Map<string, NotificationEncoding>();
  /** Per invoice orderId: the vendor edges its Merchant API calls meet (intellectmoney-merchant-api.ts). */
  readonly behaviours = new Map<string, MerchantApiBehaviour>();
  /** Notifications sent after a Merchant API answer, still on their way (see settled()). */
  private readonly inflight = new Set<Promise<unknown>>();
  readonly invoices = new Map<string, ImInvoice>();
  private server: Server | null = null;
  private nextPaymentId = 3_000_000_001;
  url = "";

  /**
   * `deliver`: how notifications reach the app. Default: fetch over HTTP. In-process tests pass the route
   * handler itself, so the stand-in drives the app without a server.
   */
  constructor(readonly opts: { port?: number; deliver?: (request: Request) => Promise<Response> } = {}) {}

  get merchantUrl(): string {
    return `${this.url}/merchant/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => sendJson(res, 500, { error: String(error) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.opts.port ?? 0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A shop's secret key and, for the Merchant API (§4), its API token and sign secret. */
  registerShop(eshopId: string, secretKey: string, api?: ApiKeys): void {
    this.keys.set(eshopId, secretKey);
    if (api) this.apiKeys.set(eshopId, api);
  }

  /** A personal-wallet payment form's secret key: its notifications are then signed with it (§2). */
  registerWalletForm(formId: string, secretKey: string): void {
    this.walletKeys.set(formId, secretKey);
  }

  /**
   * The next invoices get numbers above `paymentId`: a restarted stand-in would otherwise hand out the
   * numbers (СКО) of invoices the app has stored already (the sandbox: scripts/sandbox-restore.ts).
   */
  continuePaymentIdsAfter(paymentId: number): void {
    this.nextPaymentId = Math.max(this.nextPaymentId, paymentId + 1);
  }

  /** This shop's notifications from now on go on the wire as `encoding` (null: back to UTF-8). */
  setNotificationEncoding(eshopId: string, encoding: NotificationEncoding | null): void {
    if (encoding) this.notificationEncodings.set(eshopId, encoding);
    else this.notificationEncodings.delete(eshopId);
  }

  /** Resolves when every notification that follows a Merchant API answer has been delivered. */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Switches vendor edges on (or, with `{}`, off) for one invoice's Merchant API calls. */
  setBehaviour(orderId: string, behaviour: MerchantApiBehaviour): void {
    if (Object.keys(behaviour).length === 0) this.behaviours.delete(orderId);
    else this.behaviours.set(orderId, behaviour);
  }

  /** Like IntellectMoney: the final state of a Merchant API operation follows as a notification. */
  followUp(inv: ImInvoice, status: "4" | "5" | "8", refundAmount?: string): void {
    const pending: Promise<unknown> = this.notify(inv.paymentId, status, refundAmount ? { refundAmount } : {})
      .catch(() => undefined)
      .finally(() => this.inflight.delete(pending));
    this.inflight.add(pending);
  }

  findInvoice(orderId: string): ImInvoice | undefined {
    return [...this.invoices.values()].find((i) => i.orderId === orderId);
  }

  /**
   * Builds, signs and POSTs one result notification (§3) to the invoice's resultUrl — unless the shop switched
   * that event off (disabledEvents): then the invoice moves on silently and nothing is sent (null).
   */
  async notify(paymentId: string, status: ImStatus, o: NotifyOptions = {}): Promise<SentNotification> {
    const inv = this.invoices.get(paymentId);
    if (!inv) throw new Error(`stand-in: unknown invoice ${paymentId}`);
    if (this.disabledEvents.get(inv.eshopId)?.has(status)) {
      inv.status = status;
      return { status, fields: {}, encoding: UTF8_ENCODING, httpStatus: null, body: "event disabled: not sent", contentType: null, at: new Date().toISOString() };
    }
    const wallet = inv.eshopId === WALLET_ESHOP;
    const fields: Record<string, string> = {
      eshopId: inv.eshopId,
      paymentId: inv.paymentId,
      orderId: inv.orderId,
      eshopAccount: `${inv.eshopId}0001`,
      serviceName: inv.serviceName,
      recipientAmount: o.recipientAmount ?? inv.recipientAmount,
      ...(o.omitOriginalAmount ? {} : { recipientOriginalAmount: inv.recipientAmount }),
      recipientCurrency: inv.recipientCurrency,
      paymentStatus: status,
      userName: inv.userName,
      userEmail: inv.userEmail,
      paymentData: moscowNow(),
      secretKey: "",
      ...(o.refundAmount ? { refundAmount: o.refundAmount } : {}),
      ...(status === "5" || status === "6" || status === "7" ? { payMethod: "bankcard", shortPan: "427600******1234", commissionAmount: "0.00" } : {}),
      ...(wallet ? { UserField_0: inv.form.UserField_0 ?? "", UserField_9: inv.form.UserField_9 ?? "" } : {}),
    };
    const key = o.signWith ?? (wallet ? (this.walletKeys.get(inv.form.UserField_9 ?? "") ?? WALLET_SHARED_SECRET) : (this.keys.get(inv.eshopId) ?? ""));
    const encoding = o.encoding ?? this.notificationEncodings.get(inv.eshopId) ?? UTF8_ENCODING;
    fields.hash = notificationHash(fields, key, encoding.hashOver);
    Object.assign(fields, o.tamper ?? {});
    return this.post(inv, status, fields, encoding);
  }

  /** «Отправить уведомление ещё раз»: the last notification, byte for byte. */
  async resend(paymentId: string): Promise<SentNotification | null> {
    const inv = this.invoices.get(paymentId);
    const last = inv?.notifications.at(-1);
    if (!inv || !last) return null;
    return this.post(inv, last.status, last.fields, last.encoding);
  }

  private async post(inv: ImInvoice, status: ImStatus, fields: Record<string, string>, encoding: NotificationEncoding): Promise<SentNotification> {
    const sent: SentNotification = { status, fields, encoding, httpStatus: null, body: "", contentType: null, at: new Date().toISOString() };
    try {
      const request = new Request(inv.resultUrl, {
        method: "POST",
        headers: { "content-type": `application/x-www-form-urlencoded${encoding.declareCharset ? `; charset=${encoding.body}` : ""}` },
        body: urlencode(fields, encoding.body),
        redirect: "manual",
        signal: AbortSignal.timeout(30_000),
      });
      const r = await (this.opts.deliver ? this.opts.deliver(request) : fetch(request));
      sent.httpStatus = r.status;
      sent.contentType = r.headers.get("content-type");
      sent.body = await r.text();
    } catch (error) {
      sent.body = `network error: ${(error as Error).message}`;
    }
    inv.notifications.push(sent);
    // IntellectMoney treats only 200 + exactly "OK" as received (§3).
    if (sent.httpStatus === 200 && sent.body === "OK") inv.status = status;
    return sent;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const body = req.method === "GET" ? "" : await readBody(req);
    if (url.pathname.startsWith("/__control/")) return this.handleControl(req, res, url, body);
    const api = /^(?:\/api)?\/merchant\/(purchaseToPaid|purchaseToRefund|getPurchaseInfo)$/i.exec(url.pathname);
    if (api && req.method === "POST") {
      const method = (["purchaseToPaid", "purchaseToRefund", "getPurchaseInfo"] as const).find((m) => m.toLowerCase() === api[1].toLowerCase())!;
      return merchantApi<ImInvoice>(this, req, res, method satisfies MerchantApiMethod, body);
    }
    if ((url.pathname === "/merchant/" || url.pathname === "/merchant") && req.method === "POST") return this.createInvoice(res, body);
    const m = /^\/merchant\/invoice\/(\d{10})(?:\/([a-z-]+))?$/.exec(url.pathname);
    if (m) {
      const inv = this.invoices.get(m[1]);
      if (!inv) return sendHtml(res, 404, page("Счёт не найден", "<h1>Счёт не найден</h1>"));
      if (!m[2] && req.method === "GET") return sendHtml(res, 200, this.invoicePage(inv));
      if (m[2] && req.method === "POST") return this.act(res, inv, m[2]);
    }
    sendHtml(res, 404, page("Не найдено", "<h1>Страница не найдена</h1>"));
  }

  private error(res: ServerResponse, status: number, message: string) {
    sendHtml(res, status, page("Ошибка", `<h1>Ошибка при создании счёта</h1><p id="error">${escapeHtml(message)}</p>`));
  }

  /**
   * An existing invoice reached again (its id, or its orderId with the same parameters): the buyer goes on
   * paying it. One already paid or cancelled sends the buyer straight to its successUrl / failUrl — what we
   * assume IntellectMoney does (intellectmoney.md §10 [assumption]); it makes the browser follow a redirect
   * from IntellectMoney's host to the shop's own return URL, as the checkout page's CSP must allow.
   */
  private continueInvoice(res: ServerResponse, inv: ImInvoice) {
    if ((inv.status === "5" || inv.status === "8") && inv.successUrl) return redirect(res, inv.successUrl, 303);
    if (inv.status === "4" && inv.failUrl) return redirect(res, inv.failUrl, 303);
    return redirect(res, `${this.url}/merchant/invoice/${inv.paymentId}`, 303);
  }

  private async createInvoice(res: ServerResponse, body: string) {
    const f: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) f[k] = v;
    if ("invoiceId" in f) {
      // IntellectMoney's CMS library opens an existing invoice by posting its id alone (IM-LIB
      // Payment::replaceParamsToInvoiceIdIfThisIsset, intellectmoney.md §1 `invoiceId`).
      if (Object.keys(f).length !== 1) return this.error(res, 400, "С номером счёта (invoiceId) другие поля не передаются");
      const inv = this.invoices.get(f.invoiceId);
      if (!inv) return this.error(res, 404, `Счёт ${f.invoiceId} не найден`);
      return this.continueInvoice(res, inv);
    }
    for (const name of ["eshopId", "orderId", "serviceName", "recipientAmount", "recipientCurrency", "resultUrl"]) {
      if (!f[name]) return this.error(res, 400, `Не заполнено поле ${name}`);
    }
    if (!/^\d+\.\d{2}$/.test(f.recipientAmount) || (kopecks(f.recipientAmount) ?? 0n) < 100n) return this.error(res, 400, "Неверная сумма счёта");
    if (f.eshopId === WALLET_ESHOP) {
      // §2: no hash; the recipient is named in UserField_0 / UserField_9.
      if (f.recipientCurrency !== "RUB") return this.error(res, 400, "Перевод в кошелёк возможен только в рублях");
      if (f.UserFieldName_0 !== "Перевод в кошелек" || !f.UserField_0 || f.UserFieldName_9 !== "UserPaymentFormId" || !/^\d+$/.test(f.UserField_9 ?? "")) {
        return this.error(res, 400, "Неверные данные получателя перевода");
      }
      // docs/protocols/intellectmoney.md §2: IntellectMoney's library sends the recipient's 10-digit account
      // number («Номер личного кабинета», ^\d{10}$) in UserField_0; we also let the login e-mail through
      // (an assumption of ours, marked so there). Anything else names no account.
      if (!/^\d{10}$/.test(f.UserField_0) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(f.UserField_0)) {
        return this.error(res, 400, "Получатель перевода не найден: укажите номер личного кабинета (10 цифр)");
      }
    } else {
      const key = this.keys.get(f.eshopId);
      if (!key) return this.error(res, 404, `Магазин ${f.eshopId} не найден`);
      // intellectmoney.md §1 `recipientCurrency`: RUB or RUR, TST (test), USD, EUR (vendor IM-HTML; IM-LIB Currency).
      if (!["RUB", "RUR", "TST", "USD", "EUR"].includes(f.recipientCurrency)) return this.error(res, 400, "Неверная валюта");
      if ((f.hash ?? "").toLowerCase() !== invoiceHash(f, key)) return this.error(res, 400, "Неверная контрольная подпись (hash)");
    }
    const known = [...this.invoices.values()].find((i) => i.eshopId === f.eshopId && i.orderId === f.orderId);
    if (known) {
      // «Принимать только уникальный номер покупки» (on by default): the same parameters continue the invoice,
      // different ones are refused and the shop is told (intellectmoney.md §1, IM-WIKI-UNIQUE). Which
      // parameters count is not stated; every field posted counts here, the strictest reading.
      const names = new Set([...Object.keys(known.form), ...Object.keys(f)]);
      const differing = [...names].filter((n) => known.form[n] !== f[n]).sort();
      if (differing.length > 0) {
        this.refusedRepeats.push({ eshopId: f.eshopId, orderId: f.orderId, differing, at: new Date().toISOString() });
        return this.error(res, 400, `Покупка с номером ${f.orderId} уже зарегистрирована с другими параметрами. Создать покупку невозможно.`);
      }
      return this.continueInvoice(res, known);
    }
    const inv: ImInvoice = {
      paymentId: String(this.nextPaymentId++),
      eshopId: f.eshopId,
      orderId: f.orderId,
      serviceName: f.serviceName,
      recipientAmount: f.recipientAmount,
      recipientCurrency: f.recipientCurrency,
      userEmail: f.user_email ?? f.email ?? "",
      userName: f.userName ?? "",
      successUrl: f.successUrl ?? "",
      failUrl: f.failUrl ?? "",
      resultUrl: f.resultUrl,
      holdMode: f.holdMode ?? null,
      status: "3",
      refundedKopecks: "0",
      form: f,
      notifications: [],
    };
    this.invoices.set(inv.paymentId, inv);
    await this.notify(inv.paymentId, "3");
    redirect(res, `${this.url}/merchant/invoice/${inv.paymentId}`, 303);
  }

  private invoicePage(inv: ImInvoice): string {
    const button = (action: string, label: string) =>
      `<form method="post" action="/merchant/invoice/${inv.paymentId}/${action}"><button type="submit" name="do" value="${action}">${escapeHtml(label)}</button></form>`;
    const buttons: string[] = [];
    if (inv.status === "3" || inv.status === "7") {
      buttons.push(button("pay", "Оплатить"), button("hold", "Холдировать"), button("partial", "Частичная оплата"), button("cancel", "Отменить"));
    } else if (inv.status === "6") {
      buttons.push(button("capture", "Списать"), button("release", "Отменить холд"));
    }
    if (inv.notifications.length) buttons.push(button("resend", "Отправить уведомление ещё раз"));
    const last = inv.notifications.at(-1);
    return page(
      `Счёт ${inv.paymentId}`,
      `<h1>Счёт № <span id="payment-id">${inv.paymentId}</span></h1>
<p>${escapeHtml(inv.serviceName)}</p>
<p>Сумма: <span id="amount">${escapeHtml(inv.recipientAmount)}</span> ${escapeHtml(inv.recipientCurrency)}${inv.recipientCurrency === "TST" ? ' <strong id="test-badge">Тестовый платёж</strong>' : ""}</p>
<p>Статус: <span id="status">${inv.status}</span></p>
${last ? `<p>Ответ магазина на последнее уведомление: <code id="last-answer">${last.httpStatus ?? "—"} ${escapeHtml(last.body.slice(0, 100))}</code></p>` : ""}
<div>${buttons.join("\n")}</div>`,
    );
  }

  private async act(res: ServerResponse, inv: ImInvoice, action: string) {
    const back = () => redirect(res, `${this.url}/merchant/invoice/${inv.paymentId}`, 303);
    switch (action) {
      case "pay":
      case "capture":
        await this.notify(inv.paymentId, "5");
        return redirect(res, inv.successUrl, 303);
      case "cancel":
      case "release":
        await this.notify(inv.paymentId, "4");
        return redirect(res, inv.failUrl, 303);
      case "hold":
        await this.notify(inv.paymentId, "6");
        return back();
      case "partial": {
        const half = (kopecks(inv.recipientAmount) ?? 0n) / 2n;
        await this.notify(inv.paymentId, "7", { recipientAmount: decimal(half) });
        return back();
      }
      case "resend":
        await this.resend(inv.paymentId);
        return back();
      default:
        return sendHtml(res, 404, page("Не найдено", "<h1>Неизвестное действие</h1>"));
    }
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, url: URL, body: string) {
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    if (url.pathname === "/__control/shops" && req.method === "POST" && "walletFormId" in json) {
      if (typeof json.walletFormId !== "string" || !/^\d+$/.test(json.walletFormId) || typeof json.secretKey !== "string" || json.secretKey === "") {
        return sendJson(res, 400, { error: "walletFormId (digits) and secretKey are required" });
      }
      this.registerWalletForm(json.walletFormId, json.secretKey);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/shops" && req.method === "POST") {
      if (typeof json.eshopId !== "string" || typeof json.secretKey !== "string") return sendJson(res, 400, { error: "eshopId and secretKey are required" });
      const api = typeof json.apiToken === "string" && typeof json.signSecretKey === "string" ? { apiToken: json.apiToken, signSecretKey: json.signSecretKey } : undefined;
      this.registerShop(json.eshopId, json.secretKey, api);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/events" && req.method === "POST") {
      if (typeof json.eshopId !== "string" || !Array.isArray(json.disabled)) return sendJson(res, 400, { error: "eshopId and disabled[] are required" });
      this.disabledEvents.set(json.eshopId, new Set(json.disabled.map(String) as ImStatus[]));
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/refused-repeats" && req.method === "GET") {
      const orderId = url.searchParams.get("orderId");
      return sendJson(res, 200, this.refusedRepeats.filter((r) => !orderId || r.orderId === orderId));
    }
    if (url.pathname === "/__control/notification-encoding" && req.method === "POST") {
      if (typeof json.eshopId !== "string") return sendJson(res, 400, { error: "eshopId is required" });
      const charset = (v: unknown) => (v === "windows-1251" ? "windows-1251" : "utf-8") as "utf-8" | "windows-1251";
      this.setNotificationEncoding(json.eshopId, json.body === undefined ? null : { body: charset(json.body), declareCharset: json.declareCharset === true, hashOver: charset(json.hashOver) });
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/notify" && req.method === "POST") {
      const paymentId = String(json.paymentId ?? (typeof json.orderId === "string" ? this.findInvoice(json.orderId)?.paymentId : "") ?? "");
      if (!this.invoices.has(paymentId)) return sendJson(res, 404, { error: "unknown invoice" });
      const sent = await this.notify(paymentId, String(json.status) as ImStatus, json as NotifyOptions);
      return sendJson(res, 200, sent);
    }
    if (url.pathname === "/__control/resend" && req.method === "POST") {
      const sent = await this.resend(String(json.paymentId ?? ""));
      return sent ? sendJson(res, 200, sent) : sendJson(res, 404, { error: "nothing to resend" });
    }
    if (url.pathname === "/__control/merchant-api-behaviour" && req.method === "POST") {
      if (typeof json.orderId !== "string") return sendJson(res, 400, { error: "orderId is required" });
      const { orderId, ...behaviour } = json;
      this.setBehaviour(orderId, behaviour as MerchantApiBehaviour);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/api-calls" && req.method === "GET") {
      const orderId = url.searchParams.get("orderId");
      return sendJson(res, 200, this.apiCalls.filter((c) => !orderId || c.orderId === orderId));
    }
    if (url.pathname === "/__control/invoices" && req.method === "GET") {
      const orderId = url.searchParams.get("orderId");
      return sendJson(res, 200, [...this.invoices.values()].filter((i) => !orderId || i.orderId === orderId));
    }
    sendJson(res, 404, { error: "unknown control endpoint" });
  }
}

export async function startIntellectMoneyStandIn(opts: { port?: number } = {}): Promise<IntellectMoneyStandIn> {
  return new IntellectMoneyStandIn(opts).start();
}
