// The InSales side of a finished payment (docs/protocols/insales.md §2 «Result notice»), for the
// InSales stand-in: the server-to-server notice endpoint and the buyer's success/fail endpoints.
// Written from the spec, independently of lib/ (the notice signature is computed here on its own), so the
// app is tested against the protocol and not against a copy of itself.
//
// Knobs (in process or through /__control/external-payments/*): answer 503/429 with Retry-After for the
// next K calls, "down" (the socket is destroyed: the app sees a network error), a forced error list, and a
// per-shop "manual" password/shop id (a method set up by hand with «Пароль» = the IntellectMoney key), and a
// redirect of the plain-http notice endpoint: to the stand-in's TLS side (the same URL on https, as InSales
// redirects its http URLs: docs/protocols/insales.md §2 «http vs https», §4 pitfall 1) or to another host.
import type { IncomingMessage, ServerResponse } from "node:http";
import { md5Hex } from "../../lib/crypto";
import { redirect, sendHtml, sendJson } from "./http-helpers";
import type { InsalesStandIn, StandInOrder, StandInShop } from "./insales-stand-in";

export type ServerKnobs = {
  /** Destroy the connection of every server notice (as if InSales were unreachable). */
  down: boolean;
  /** Answer the next `count` server notices with `status` and Retry-After. */
  unavailable: { count: number; status: 429 | 503 | 500; retryAfter: number | null } | null;
  /** Answer every server notice with this error list (a configuration problem on the InSales side). */
  errors: string[] | null;
  /** Answer every server notice this many milliseconds late (to observe how many the app sends at once). */
  latencyMs: number;
  /**
   * Answer a server notice that arrives over plain http with a redirect: "https" to the same path on the
   * stand-in's TLS side (same host 127.0.0.1, another port: https here cannot share the http port), as
   * InSales redirects http to https; "other_host" to the same on `localhost` (a different host name, which
   * the app must not follow even though it would answer). Notices over TLS are never redirected.
   */
  redirect: { to: "https" | "other_host"; status: 301 | 302 | 303 | 307 | 308 } | null;
};

export type ManualSetup = { password: string; shopId?: string };

export type ExternalPayments = {
  knobs(host: string): ServerKnobs;
  setManual(host: string, setup: ManualSetup | null): void;
  /** Every server-channel attempt that reached the handler (including refused ones), per host. */
  attempts: Array<{ host: string; at: number; answer: string }>;
  /** The most server notices that were being answered at the same moment, over all shops. */
  maxInFlight: number;
  noticesFor(host: string, transactionId: string): StandInOrder["notices"];
};

/** §2: MD5(shop_id;amount;transaction_id;key;paid;password). */
export function insalesNoticeSignature(f: Record<string, string>, password: string): string {
  return md5Hex([f.shop_id ?? "", f.amount ?? "", f.transaction_id ?? "", f.key ?? "", f.paid ?? "", password].join(";"));
}

/** Decimal string → kopecks, or null ("1200.0" and "1200.00" are the same amount to InSales). */
function kopecks(v: string): bigint | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(v);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "").padEnd(2, "0")) : null;
}

type Verdict = { ok: true; order: StandInOrder } | { ok: false; errors: string[]; order: StandInOrder | null };

export function installExternalPayments(standIn: InsalesStandIn): ExternalPayments {
  const knobsByHost = new Map<string, ServerKnobs>();
  const manual = new Map<string, ManualSetup>();
  const attempts: ExternalPayments["attempts"] = [];
  let inFlight = 0;

  const api: ExternalPayments = {
    knobs(host) {
      let k = knobsByHost.get(host);
      if (!k) {
        k = { down: false, unavailable: null, errors: null, latencyMs: 0, redirect: null };
        knobsByHost.set(host, k);
      }
      return k;
    },
    setManual(host, setup) {
      if (setup) manual.set(host, setup);
      else manual.delete(host);
    },
    attempts,
    maxInFlight: 0,
    noticesFor(host, transactionId) {
      return standIn.shops.get(host)?.orders.find((o) => o.client_transaction_id === transactionId)?.notices ?? [];
    },
  };

  /** What InSales checks, in the order its error messages suggest (§2). */
  function verify(shop: StandInShop, f: Record<string, string>, gatewayId: number | null): Verdict {
    const order = shop.orders.find((o) => o.client_transaction_id !== null && o.client_transaction_id === f.transaction_id && o.key === f.key) ?? null;
    if (!order) return { ok: false, errors: ["transaction not found"], order: null };
    const gateway = shop.gateways.find((g) => g.id === (gatewayId ?? order.payment_gateway_id)) ?? shop.gateways.at(-1) ?? null;
    const m = manual.get(shop.host);
    const candidates: Array<{ password: string; shopIds: string[] }> = [];
    if (gateway) candidates.push({ password: gateway.password, shopIds: [gateway.shop_id] });
    if (m) candidates.push({ password: m.password, shopIds: [m.shopId ?? shop.insalesId] });
    const signed = candidates.find((c) => c.password && insalesNoticeSignature(f, c.password) === (f.signature ?? "").toLowerCase());
    if (!signed) return { ok: false, errors: ["signature is not valid"], order };
    if (!signed.shopIds.includes(f.shop_id ?? "")) return { ok: false, errors: ["shop id is not valid"], order };
    const amount = kopecks(f.amount ?? "");
    if (amount === null || amount !== kopecks(order.total_price)) return { ok: false, errors: ["amount is not valid"], order };
    if (f.paid !== "0" && f.paid !== "1") return { ok: false, errors: ["paid params is not valid"], order };
    return { ok: true, order };
  }

  function fieldsOf(body: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body)) out[k] = v;
    return out;
  }

  function record(order: StandInOrder | null, channel: "server" | "success" | "fail", fields: Record<string, string>, valid: boolean, answer: string, tls = false) {
    order?.notices.push({ channel, fields, valid, answer, at: new Date().toISOString(), tls });
    // §2: paid=0 followed later by paid=1 is accepted; a paid=1 marks the order paid.
    if (order && valid && fields.paid === "1") order.financial_status = "paid";
  }

  function handleServer(req: IncomingMessage, res: ServerResponse, shop: StandInShop, body: string): boolean {
    const k = api.knobs(shop.host);
    if (k.down) {
      attempts.push({ host: shop.host, at: Date.now(), answer: "connection destroyed" });
      req.socket.destroy();
      return true;
    }
    const overTls = "encrypted" in req.socket && req.socket.encrypted === true;
    if (k.redirect && !overTls) {
      const secure = new URL(standIn.secureUrl);
      const host = k.redirect.to === "https" ? secure.host : `localhost:${secure.port}`;
      attempts.push({ host: shop.host, at: Date.now(), answer: `redirect ${k.redirect.status}` });
      res.writeHead(k.redirect.status, { location: `https://${host}${req.url ?? "/"}`, "content-type": "text/html" });
      res.end("<html><body>Moved</body></html>");
      return true;
    }
    if (k.unavailable && k.unavailable.count > 0) {
      k.unavailable.count -= 1;
      attempts.push({ host: shop.host, at: Date.now(), answer: String(k.unavailable.status) });
      const headers: Record<string, string> = k.unavailable.retryAfter !== null ? { "retry-after": String(k.unavailable.retryAfter) } : {};
      sendJson(res, k.unavailable.status, { errors: ["Service Unavailable"] }, headers);
      return true;
    }
    const answerNow = () => {
      const fields = fieldsOf(body);
      const verdict = verify(shop, fields, null);
      const errors = k.errors ?? (verdict.ok ? null : verdict.errors);
      const answer = errors ? { status: "error", errors } : { status: "ok" };
      record(verdict.order, "server", fields, errors === null, JSON.stringify(answer), overTls);
      attempts.push({ host: shop.host, at: Date.now(), answer: JSON.stringify(answer) });
      sendJson(res, 200, answer);
    };
    if (k.latencyMs <= 0) {
      answerNow();
      return true;
    }
    inFlight += 1;
    api.maxInFlight = Math.max(api.maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      answerNow();
    }, k.latencyMs);
    return true;
  }

  function handleBuyer(res: ServerResponse, shop: StandInShop, gatewayId: number, channel: "success" | "fail", body: string): boolean {
    const fields = fieldsOf(body);
    const verdict = verify(shop, fields, gatewayId);
    const gatewayKnown = shop.gateways.some((g) => g.id === gatewayId) || manual.has(shop.host);
    if (!verdict.ok || !gatewayKnown) {
      const errors = verdict.ok ? ["payment gateway not found"] : verdict.errors;
      record(verdict.order, channel, fields, false, errors.join(", "));
      sendHtml(res, 422, `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Ошибка</title></head><body><h1>Ошибка оплаты</h1><p id="errors">${errors.join(", ")}</p></body></html>`);
      return true;
    }
    record(verdict.order, channel, fields, true, "redirect");
    redirect(res, `${standIn.shopBase(shop.host)}/orders/${verdict.order.key}`);
    return true;
  }

  standIn.shopRoutes.push(({ req, res, shop, path, body }) => {
    if (req.method !== "POST") return false;
    if (path === "/payments/external/server") return handleServer(req, res, shop, body);
    const m = /^\/payments\/external\/(\d+)\/(success|fail)$/.exec(path);
    if (m) return handleBuyer(res, shop, Number(m[1]), m[2] as "success" | "fail", body);
    return false;
  });

  standIn.controlRoutes.push((req, res, url, body) => {
    if (!url.pathname.startsWith("/__control/external-payments/")) return false;
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const host = String(json.host ?? url.searchParams.get("host") ?? "");
    const action = url.pathname.slice("/__control/external-payments/".length);
    if (!standIn.shops.has(host)) {
      sendJson(res, 404, { error: "unknown shop" });
      return true;
    }
    if (action === "manual" && req.method === "POST") {
      api.setManual(host, typeof json.password === "string" ? { password: json.password, shopId: typeof json.shopId === "string" ? json.shopId : undefined } : null);
      sendJson(res, 200, { ok: true });
      return true;
    }
    if (action === "knobs" && req.method === "POST") {
      const k = api.knobs(host);
      if (typeof json.down === "boolean") k.down = json.down;
      if (json.unavailable !== undefined) {
        const u = json.unavailable as { count?: number; status?: number; retryAfter?: number | null } | null;
        k.unavailable = u ? { count: Number(u.count ?? 1), status: u.status === 429 || u.status === 500 ? u.status : 503, retryAfter: u.retryAfter ?? null } : null;
      }
      if (typeof json.latencyMs === "number") k.latencyMs = json.latencyMs;
      if (json.redirect !== undefined) {
        const r = json.redirect as { to?: string; status?: number } | null;
        const status = [301, 302, 303, 307, 308].includes(Number(r?.status)) ? (Number(r!.status) as 301 | 302 | 303 | 307 | 308) : 301;
        k.redirect = r ? { to: r.to === "other_host" ? "other_host" : "https", status } : null;
      }
      if (json.errors !== undefined) k.errors = Array.isArray(json.errors) ? json.errors.map(String) : null;
      sendJson(res, 200, { ok: true, knobs: k });
      return true;
    }
    if (action === "attempts" && req.method === "GET") {
      sendJson(res, 200, attempts.filter((a) => a.host === host));
      return true;
    }
    if (action === "notices" && req.method === "GET") {
      const shop = standIn.shops.get(host)!;
      const key = url.searchParams.get("key");
      const tx = url.searchParams.get("transaction_id");
      const order = shop.orders.find((o) => (key && o.key === key) || (tx && o.client_transaction_id === tx));
      if (!order) sendJson(res, 404, { error: "unknown order" });
      else sendJson(res, 200, { financial_status: order.financial_status, notices: order.notices });
      return true;
    }
    sendJson(res, 404, { error: "unknown control endpoint" });
    return true;
  });

  return api;
}
