// A local stand-in for InSales (docs/protocols/insales.md): the parts of the platform our app
// talks to, implemented from the spec, so tests run without the real service. State lives in memory;
// tests drive and inspect it through /__control/* JSON endpoints (they run in other processes).
//
// Shop URLs look like <base>/shops/<host>/..., matching INSALES_SHOP_URL_TEMPLATE=<base>/shops/{shop}.
// The same routes are also served with TLS on a second port (`secureUrl`, e2e/stand-ins/tls.ts): the
// "https side" that InSales's http→https redirects lead to (docs/protocols/insales.md §2 «http vs https»).
//
// Each host is its own shop, as on InSales: /admin/account.json on a host answers that host's own shop
// (its own `id`), and only to Basic auth with login = the app id and password = the password InSales
// derived for that shop, MD5(token + secret); anything else gets 401. The API of a shop is locked from the
// moment InSales sends the install call until it has our 200. Vendor: insales/insales-docs-source,
// docs/InSales API/01 readme.md, «Процедура установки» (password = MD5(token + secret_key); «до тех пор
// пока InSales не получили ответ 200 OK … оно не может совершать запросы к InSales через API»; the example
// request reads /admin/account with those credentials) and «Авторизация» (Basic auth, login = the app's
// identifier, password per shop; 401 = «не прошла авторизация»). Without this, a test of the install
// proof would prove nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer, type Server as TlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { md5Hex, randomToken } from "../../lib/crypto";
import { readBody, redirect, sendHtml, sendJson } from "./http-helpers";
import { standInTlsOptions } from "./tls";

export type StandInUser = { id: string; email: string; name: string; emailConfirmed: boolean };

export type StandInDeliveryVariant = { id: number; title: string };

/** PaymentGateway::External as the InSales API returns it (§2 «Its settings»). */
export type StandInGateway = {
  id: number; type: string; title: string; url: string; shop_id: string; password: string;
  success_url: string; fail_url: string; server_url: string; delivery_variant_ids: number[];
  /** «send_order»: checkouts through this method carry the signed `order_json` (insales.md §2). */
  send_order?: boolean;
};

/** The parts of an InSales order our app reads (§3 Other API pieces). */
export type StandInOrder = {
  id: number; key: string; number: number; total_price: string; financial_status: "pending" | "paid";
  payment_gateway_id: number | null; client_transaction_id: string | null; currency_code: string;
  client: { email: string; phone: string; name: string };
  order_lines: Array<{ id: number; title: string; quantity: number; sale_price: string; full_sale_price: string; full_total_price: string }>;
  full_delivery_price: string;
  /** Every notice the app sent about this order, through either channel, with our verdict on it. */
  notices: Array<{ channel: "server" | "success" | "fail"; fields: Record<string, string>; valid: boolean; answer: string; at: string; tls?: boolean }>;
};

export type StandInShop = {
  host: string;
  insalesId: string;
  title: string;
  ownerEmail: string;
  /** The app API password MD5(token + secret) as InSales computes it (§1 Install). */
  apiPassword: string | null;
  installed: boolean;
  user: StandInUser;
  /** Test knob: break one part of the login answer to prove our checks. */
  loginTamper: null | "token" | "token3" | "drop_token3";
  /**
   * Test knob: the shape of the «Войти» answer (docs/protocols/insales.md §1 «Войти» step 3).
   * - "token_and_token3": `token`, `token3`, the user fields and `email_confirmed` (Latin), as the
   *   general description and the official gem read it;
   * - "vendor_example": exactly the shape of the vendor's own example in `insales/insales-docs-source`,
   *   `docs/InSales API/01 readme.md` — `token3` and **no `token`**, the flag spelled `email_сonfirmed`
   *   with U+0441 CYRILLIC SMALL LETTER ES.
   */
  loginAnswer?: "token_and_token3" | "vendor_example";
  deliveryVariants: StandInDeliveryVariant[];
  gateways: StandInGateway[];
  orders: StandInOrder[];
  /** Application widgets (e2e/stand-ins/insales-widgets.ts); absent until the first is created. */
  widgets?: StandInWidget[];
  /**
   * Test knobs: permissions the merchant did not grant the app (docs/protocols/insales.md §3 «Permissions»:
   * a 403 means the app lacks one). `widgets`: the application widgets API; `ordersWrite`: changing an order.
   */
  denied?: { widgets?: boolean; ordersWrite?: boolean };
};

/** An application widget as InSales keeps it (docs/protocols/insales.md §3 «Application widgets»). */
export type StandInWidget = { id: number; code: string; height: number; created_at: string };

export type InsalesStandInOptions = {
  port?: number; appUrl: string; appId: string; appSecret: string;
  /** How the lifecycle calls reach the app; in-process tests hand them to the route handlers. Default: fetch. */
  callApp?: (url: URL) => Promise<Response>;
};

/** Extension point for the payment parts (gateways, orders, external payment endpoints). */
export type ShopRouteHandler = (ctx: {
  req: IncomingMessage; res: ServerResponse; shop: StandInShop; path: string; url: URL; body: string;
}) => Promise<boolean> | boolean;

export class InsalesStandIn {
  readonly shops = new Map<string, StandInShop>();
  readonly shopRoutes: ShopRouteHandler[] = [];
  readonly controlRoutes: Array<(req: IncomingMessage, res: ServerResponse, url: URL, body: string) => Promise<boolean> | boolean> = [];
  private server: Server | null = null;
  private secureServer: TlsServer | null = null;
  url = "";
  /** `https://127.0.0.1:<port>`: the same routes over TLS (the certificate of e2e/stand-ins/tls.ts). */
  secureUrl = "";

  constructor(readonly opts: InsalesStandInOptions) {}

  get shopUrlTemplate(): string {
    return `${this.url}/shops/{shop}`;
  }

  shopBase(host: string): string {
    return `${this.url}/shops/${host}`;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error) => {
        sendJson(res, 500, { error: String(error) });
      });
    };
    this.server = createServer(handler);
    this.secureServer = createTlsServer(standInTlsOptions(), handler);
    await new Promise<void>((resolve) => this.server!.listen(this.opts.port ?? 0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => this.secureServer!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.secureUrl = `https://127.0.0.1:${(this.secureServer.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.secureServer?.closeAllConnections();
    await new Promise<void>((resolve) => (this.secureServer ? this.secureServer.close(() => resolve()) : resolve()));
  }

  /** Every /admin/account.json request: which host, and whether its credentials were that shop's. */
  readonly accountCalls: Array<{ host: string; status: number }> = [];

  /**
   * What InSales does when a merchant clicks «Установить»: a new token (the old password stops working),
   * the shop's API locked, GET install on the app; the API unlocks once the app answered 200.
   * - A shop that moved to a new host is installed under it: pass its insalesId with the new host.
   * - `sendInsalesId`: the call carries this insales_id instead of the shop's own — an attacker who owns
   *   this shop replaying its genuine token as another shop's install.
   * - `unlockDelayMs`: InSales unlocks the API only that long after the 200.
   */
  async install(input: {
    host: string; insalesId: string; title?: string; ownerEmail?: string; user?: Partial<StandInUser>;
    sendInsalesId?: string; unlockDelayMs?: number;
  }) {
    const token = randomToken(16);
    const moved = [...this.shops.values()].find((s) => s.insalesId === input.insalesId && s.host !== input.host && !this.shops.has(input.host));
    if (moved) {
      this.shops.delete(moved.host);
      moved.host = input.host;
    }
    const existing = this.shops.get(input.host) ?? moved;
    const shop: StandInShop = existing ?? {
      host: input.host,
      insalesId: input.insalesId,
      title: input.title ?? `Магазин ${input.host}`,
      ownerEmail: input.ownerEmail ?? `owner@${input.host}`,
      apiPassword: null,
      installed: false,
      user: { id: "1", email: `manager@${input.host}`, name: "Игорь", emailConfirmed: true, ...input.user },
      loginTamper: null,
      loginAnswer: "token_and_token3",
      deliveryVariants: [
        { id: 1001, title: "Курьер" },
        { id: 1002, title: "Самовывоз" },
      ],
      gateways: [],
      orders: [],
    };
    shop.apiPassword = md5Hex(token + this.opts.appSecret);
    shop.installed = false;
    this.shops.set(shop.host, shop);
    const u = new URL(`${this.opts.appUrl}/api/insales/install`);
    u.search = new URLSearchParams({ shop: shop.host, token, insales_id: input.sendInsalesId ?? shop.insalesId }).toString();
    const answer = await this.callApp(u);
    const body = await answer.text();
    if (answer.status === 200) {
      const password = shop.apiPassword;
      const unlock = () => {
        // Unless a later install replaced the password meanwhile.
        if (shop.apiPassword === password) shop.installed = true;
      };
      if (input.unlockDelayMs) setTimeout(unlock, input.unlockDelayMs).unref();
      else unlock();
    }
    return { status: answer.status, body };
  }

  async uninstall(host: string) {
    const shop = this.mustShop(host);
    const u = new URL(`${this.opts.appUrl}/api/insales/uninstall`);
    u.search = new URLSearchParams({ shop: shop.host, token: shop.apiPassword ?? "", insales_id: shop.insalesId }).toString();
    const answer = await this.callApp(u);
    if (answer.status === 200) shop.installed = false;
    return { status: answer.status, body: await answer.text() };
  }

  private callApp(u: URL): Promise<Response> {
    return this.opts.callApp ? this.opts.callApp(u) : fetch(u);
  }

  mustShop(host: string): StandInShop {
    const shop = this.shops.get(host);
    if (!shop) throw new Error(`stand-in: unknown shop ${host}`);
    return shop;
  }

  /** Basic auth as InSales checks it: login = app id, password = the shop's API password. */
  checkBasicAuth(req: IncomingMessage, shop: StandInShop): boolean {
    const header = req.headers.authorization ?? "";
    const expected = `Basic ${Buffer.from(`${this.opts.appId}:${shop.apiPassword}`).toString("base64")}`;
    return shop.installed && header === expected;
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    const body = req.method === "GET" ? "" : await readBody(req);
    if (url.pathname.startsWith("/__control/")) return this.handleControl(req, res, url, body);
    const m = /^\/shops\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: "not found" });
    const shop = this.shops.get(m[1]);
    if (!shop) return sendJson(res, 404, { error: "shop not found" });
    const path = m[2];

    // «Войти» round trip (§1 step 3): the merchant is "logged in" to the back office of this shop.
    const login = new RegExp(`^/admin/applications/${this.opts.appId}/login$`).exec(path);
    if (login && req.method === "GET") return this.answerLogin(res, shop, url);

    if (path === "/admin/account.json" && req.method === "GET") {
      const authorized = this.checkBasicAuth(req, shop);
      this.accountCalls.push({ host: shop.host, status: authorized ? 200 : 401 });
      if (!authorized) return sendJson(res, 401, { errors: ["Unauthorized"] });
      return sendJson(res, 200, {
        id: Number(shop.insalesId), subdomain: shop.host.split(".")[0], main_host: shop.host,
        main_host_protocol: "https", title: shop.title, email: shop.ownerEmail, phone: "",
      });
    }
    for (const route of this.shopRoutes) {
      if (await route({ req, res, shop, path, url, body })) return;
    }
    sendJson(res, 404, { error: "not found" });
  }

  private answerLogin(res: ServerResponse, shop: StandInShop, url: URL) {
    const nonce = url.searchParams.get("token") ?? "";
    const loginUrl = url.searchParams.get("login") ?? "";
    // InSales only redirects to the app's own domain (§1 step 2).
    if (!shop.installed || !shop.apiPassword) return sendHtml(res, 403, "<h1>Приложение не установлено</h1>");
    if (!loginUrl.startsWith(`${this.opts.appUrl}/`)) return sendHtml(res, 400, "<h1>Неверный адрес возврата</h1>");
    const u = shop.user;
    const confirmed = u.emailConfirmed ? "true" : "false";
    let token = md5Hex(nonce + shop.apiPassword);
    let token3 = md5Hex(nonce + u.email + u.name + u.id + confirmed + shop.apiPassword);
    if (shop.loginTamper === "token") token = md5Hex(`${nonce}x${shop.apiPassword}`);
    if (shop.loginTamper === "token3") token3 = md5Hex(`${nonce}x${shop.apiPassword}`);
    const back = new URL(loginUrl);
    const params: Record<string, string> =
      shop.loginAnswer === "vendor_example"
        ? { token3, user_email: u.email, user_name: u.name, user_id: u.id, ["email_\u0441onfirmed"]: confirmed }
        : { token, token3, user_email: u.email, user_name: u.name, user_id: u.id, email_confirmed: confirmed };
    if (shop.loginTamper === "drop_token3") delete params.token3;
    for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
    redirect(res, back.toString());
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, url: URL, body: string) {
    const json = body ? JSON.parse(body) : {};
    if (url.pathname === "/__control/install" && req.method === "POST") {
      return sendJson(res, 200, await this.install(json));
    }
    if (url.pathname === "/__control/uninstall" && req.method === "POST") {
      return sendJson(res, 200, await this.uninstall(json.host));
    }
    if (url.pathname === "/__control/login-tamper" && req.method === "POST") {
      this.mustShop(json.host).loginTamper = json.mode ?? null;
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/login-answer" && req.method === "POST") {
      this.mustShop(json.host).loginAnswer = json.shape ?? "token_and_token3";
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__control/shops" && req.method === "GET") {
      return sendJson(res, 200, [...this.shops.values()]);
    }
    if (url.pathname === "/__control/shop" && req.method === "GET") {
      const shop = this.shops.get(url.searchParams.get("host") ?? "");
      return shop ? sendJson(res, 200, shop) : sendJson(res, 404, { error: "unknown shop" });
    }
    for (const route of this.controlRoutes) {
      if (await route(req, res, url, body)) return;
    }
    sendJson(res, 404, { error: "unknown control endpoint" });
  }
}

export async function startInsalesStandIn(opts: InsalesStandInOptions): Promise<InsalesStandIn> {
  return new InsalesStandIn(opts).start();
}
