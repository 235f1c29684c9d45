// GET /api/widget/order?shop&order&sig&callback — the data of the order-card widget on the InSales back office,
// loaded by JSONP (a <script> element, as the vendor's example: docs/protocols/insales.md §3 «Application
// widgets»). Read-only (lib/widget/order-widget.ts). The answer is a script meant for another origin's page:
// Cross-Origin-Resource-Policy cross-origin, never cached (it changes with the payment), nosniff with a script
// type; a refusal is a 403 the browser does not run. The URL is never logged (it holds the order's signature).
import { rateLimited } from "@/lib/http/rate-limit";
import { log } from "@/lib/log";
import { orderWidget } from "@/lib/widget/order-widget";

export const dynamic = "force-dynamic";

const HEADERS = {
  "Content-Type": "text/javascript; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "cross-origin",
  "Referrer-Policy": "no-referrer",
};

const STATUS = { bad_request: 400, denied: 403 } as const;

export async function GET(request: Request): Promise<Response> {
  try {
    const limited = rateLimited(request, "widget", "text");
    if (limited) return limited;
    const q = new URL(request.url).searchParams;
    const one = (name: string) => (q.getAll(name).length === 1 ? q.get(name) : null);
    const outcome = await orderWidget({ shop: one("shop"), order: one("order"), sig: one("sig"), callback: one("callback") });
    if (!outcome.ok) return new Response(`/* ${outcome.reason} */`, { status: STATUS[outcome.reason], headers: HEADERS });
    return new Response(outcome.script, { status: 200, headers: HEADERS });
  } catch (error) {
    log.error({ err: (error as Error).message }, "widget: unexpected failure");
    return new Response("/* error */", { status: 500, headers: HEADERS });
  }
}
