// Application widgets in the InSales stand-in (docs/protocols/insales.md §3 «Application widgets»; vendor:
// insales/insales-docs-source, docs/InSales API/05 InSales API - Widgets.md): the REST resource
// (/admin/application_widgets[/<id>].json — the vendor page shows the XML forms; JSON with the root key
// `application_widget` is the API's usual convention) and the back-office order card that shows them.
//
// The order card embeds each widget the way the vendor page describes a widget: «iframe выводимый на странице
// заказа в бэкофисе», whose document is the widget's `code` with the global `window.order_info` describing the
// order («В теле виджета доступна глобальная javascript переменная window.order_info»), `height` px high. The
// vendor documents `order_info.id` only (its example reads it); the stand-in also gives `number`, marked as
// ours. Where InSales serves the iframe from is not documented: here a URL of the stand-in's own origin, so
// the widget runs on another origin than the app, as it does in the real back office.
//
// Knob: StandInShop.denied.widgets → every widget call answers 403 (the app lacks that permission).
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml, sendHtml, sendJson } from "./http-helpers";
import type { InsalesStandIn, StandInShop, StandInWidget } from "./insales-stand-in";

export type WidgetCall = { host: string; method: string; path: string; status: number };

export type InsalesWidgets = { calls: WidgetCall[] };

function widgetJson(w: StandInWidget) {
  return { id: w.id, created_at: w.created_at, code: w.code, height: w.height };
}

function parseWidget(body: string): { code?: unknown; height?: unknown } | null {
  try {
    const parsed = JSON.parse(body) as { application_widget?: unknown };
    return parsed.application_widget && typeof parsed.application_widget === "object" ? (parsed.application_widget as { code?: unknown; height?: unknown }) : null;
  } catch {
    return null;
  }
}

/** The order card of the back office: the order and, below it, every widget of the shop in its iframe. */
function orderCard(standIn: InsalesStandIn, shop: StandInShop, orderId: number): string | null {
  const order = shop.orders.find((o) => o.id === orderId);
  if (!order) return null;
  const frames = (shop.widgets ?? [])
    .map(
      (w) =>
        `<iframe title="Виджет приложения ${w.id}" src="${escapeHtml(`${standIn.shopBase(shop.host)}/admin/application_widgets/${w.id}/frame?order_id=${order.id}`)}" ` +
        `style="width:100%;border:1px solid #ccc" height="${w.height}" data-widget-id="${w.id}"></iframe>`,
    )
    .join("\n");
  const status = order.financial_status === "paid" ? "Оплачен" : "Не оплачен";
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Заказ №${order.number} — бэк-офис</title></head><body>
<main><h1>Заказ №${order.number}</h1><p>Сумма: ${escapeHtml(order.total_price)} ${escapeHtml(order.currency_code)}</p>
<p>Статус оплаты: <span id="financial-status">${status}</span></p>
<section aria-label="Виджеты приложений">${frames}</section></main></body></html>`;
}

function widgetFrame(shop: StandInShop, widgetId: number, orderId: number): string | null {
  const widget = shop.widgets?.find((w) => w.id === widgetId);
  const order = shop.orders.find((o) => o.id === orderId);
  if (!widget || !order) return null;
  const info = JSON.stringify({ id: order.id, number: order.number }).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Виджет</title><script>window.order_info = ${info};</script></head><body>
${widget.code}
</body></html>`;
}

export function installWidgets(standIn: InsalesStandIn): InsalesWidgets {
  const calls: WidgetCall[] = [];
  let nextId = 7_001;

  function answer(res: ServerResponse, req: IncomingMessage, shop: StandInShop, path: string, status: number, payload: unknown): boolean {
    calls.push({ host: shop.host, method: req.method ?? "", path, status });
    if (payload === null) {
      // The vendor's update and delete answer «200 OK» with no body.
      res.writeHead(status);
      res.end();
    } else sendJson(res, status, payload);
    return true;
  }

  standIn.shopRoutes.push(({ req, res, shop, path, url, body }) => {
    const method = req.method ?? "GET";
    const card = /^\/admin\/orders\/(\d+)$/.exec(path);
    if (card && method === "GET") {
      const html = orderCard(standIn, shop, Number(card[1]));
      if (html) sendHtml(res, 200, html);
      else sendHtml(res, 404, "<h1>Заказ не найден</h1>");
      return true;
    }
    const frame = /^\/admin\/application_widgets\/(\d+)\/frame$/.exec(path);
    if (frame && method === "GET") {
      const html = widgetFrame(shop, Number(frame[1]), Number(url.searchParams.get("order_id")));
      if (html) sendHtml(res, 200, html);
      else sendHtml(res, 404, "<h1>Виджет не найден</h1>");
      return true;
    }

    if (path !== "/admin/application_widgets.json" && !/^\/admin\/application_widgets\/\d+\.json$/.test(path)) return false;
    if (!standIn.checkBasicAuth(req, shop)) return answer(res, req, shop, path, 401, { errors: ["Unauthorized"] });
    if (shop.denied?.widgets) return answer(res, req, shop, path, 403, { errors: ["Forbidden"] });
    const widgets = (shop.widgets ??= []);
    if (path === "/admin/application_widgets.json") {
      if (method === "GET") return answer(res, req, shop, path, 200, widgets.map(widgetJson));
      if (method !== "POST") return false;
      const input = parseWidget(body);
      if (!input || typeof input.code !== "string" || !input.code.trim()) return answer(res, req, shop, path, 422, { errors: { code: ["не может быть пустым"] } });
      const widget: StandInWidget = { id: nextId++, code: input.code, height: Number(input.height) || 60, created_at: new Date().toISOString() };
      widgets.push(widget);
      return answer(res, req, shop, path, 201, widgetJson(widget));
    }
    const id = Number(/(\d+)\.json$/.exec(path)![1]);
    const widget = widgets.find((w) => w.id === id);
    if (!widget) return answer(res, req, shop, path, 404, { errors: ["Not found"] });
    if (method === "GET") return answer(res, req, shop, path, 200, widgetJson(widget));
    if (method === "PUT") {
      const input = parseWidget(body);
      if (!input) return answer(res, req, shop, path, 400, { errors: ["application_widget is required"] });
      if (typeof input.code === "string") widget.code = input.code;
      if (input.height !== undefined) widget.height = Number(input.height) || widget.height;
      return answer(res, req, shop, path, 200, null);
    }
    if (method === "DELETE") {
      shop.widgets = widgets.filter((w) => w !== widget);
      return answer(res, req, shop, path, 200, null);
    }
    return false;
  });

  standIn.controlRoutes.push((req, res, url, body) => {
    if (url.pathname === "/__control/denied" && req.method === "POST") {
      const json = body ? (JSON.parse(body) as { host?: string; widgets?: boolean; ordersWrite?: boolean }) : {};
      const shop = standIn.mustShop(String(json.host ?? ""));
      shop.denied = { widgets: json.widgets === true, ordersWrite: json.ordersWrite === true };
      sendJson(res, 200, { ok: true });
      return true;
    }
    return false;
  });

  return { calls };
}
