// Next's proxy (middleware), three jobs, in this order:
// 1. A path with a malformed percent-escape gets a 400 (lib/http/path-encoding.ts): Next 16 answers 500 to
//    one in a dynamic segment, of pages and API routes alike. Next's internal error pages get a 404.
// 2. Every POST to a page passes the server-action gate (lib/http/server-action-gate.ts): Next answers 500
//    to a server action body it cannot decode, an oversized one, or a foreign Origin.
// 3. Pages get a Content-Security-Policy with a fresh nonce (Next.js applies the nonce to its own inline
//    scripts when it finds it in the request's CSP header).
//
// API routes are matched only when their path holds a "%": whenever the proxy runs on a POST, Next copies
// the body for it (up to `experimental.proxyClientMaxBodySize`, silently cutting the rest) and waits for
// the whole upload before the route runs. Route handlers read their bodies themselves, bounded
// (lib/http/read-body.ts), and the checkout, the result notifications and the lifecycle calls stay off
// this path. Prefetches are matched too (a `Purpose: prefetch` header must not skip the gate) but get no CSP.
import { NextResponse, type NextRequest } from "next/server";
import { isDevelopment } from "@/lib/env";
import { messagePageResponse } from "@/lib/html/message-response";
import { hasMalformedPercentEncoding } from "@/lib/http/path-encoding";
import { checkServerActionRequest, type GateVerdict } from "@/lib/http/server-action-gate";
import { log } from "@/lib/log";

/**
 * Route handlers (matched here only for job 1): the machines' /api/…, and the buyer's /payment.php and
 * /pay/<token> (a payment link), which answer their own standalone pages with their own CSP
 * (lib/html/standalone-page-headers.ts): a second, page CSP from here would block their nonce'd script.
 */
function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname === "/payment.php" || pathname.startsWith("/pay/");
}

function badPath(pathname: string): Response {
  if (isApiPath(pathname)) return Response.json({ error: "bad_path" }, { status: 400, headers: { "Cache-Control": "no-store" } });
  return messagePageResponse(400, { title: "Неверный адрес", message: "В адресе страницы есть повреждённые символы.", hint: "Откройте приложение заново из бэк-офиса InSales." });
}

/**
 * Next's own error pages, listed in the build's routes but never meant to be requested: asked for
 * directly, /_global-error answers 500, and /_not-found does with a broken router-state header.
 */
function isInternalErrorPage(pathname: string): boolean {
  return /^\/_(global-error|not-found)(\/|\.|$)/.test(pathname);
}

function notFoundPage(): Response {
  return messagePageResponse(404, { title: "Страница не найдена", message: "Такой страницы в приложении нет.", hint: "Откройте приложение заново из бэк-офиса InSales." });
}

const GATE_MESSAGES: Record<400 | 403 | 413 | 503, string> = {
  400: "Запрос повреждён.",
  403: "Запрос пришёл с чужого сайта.",
  413: "Запрос слишком большой.",
  503: "Сервис сейчас перегружен.",
};

function isPrefetch(request: NextRequest): boolean {
  return request.headers.has("next-router-prefetch") || request.headers.get("purpose") === "prefetch";
}

/** Passes the request on with a fresh CSP nonce in its headers (for Next's scripts) and the response's. */
function withCsp(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const dev = isDevelopment();
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // React sets style attributes; inline <style> from Next carries the nonce.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    // The app opens as a top-level page from the InSales back office («Войти»), never framed.
    "frame-ancestors 'none'",
  ].join("; ");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (hasMalformedPercentEncoding(pathname)) {
    log.info({ path: pathname.slice(0, 200) }, "proxy: malformed percent-escape in the path refused");
    return badPath(pathname);
  }
  if (isApiPath(pathname)) return NextResponse.next();
  if (isInternalErrorPage(pathname)) return notFoundPage();

  // A request the gate cannot even look at is refused, not passed on (a throw here would be a 500).
  const gate = await checkServerActionRequest(request).catch((): GateVerdict => ({ ok: false, status: 400, reason: "unreadable" }));
  if (!gate.ok) {
    log.warn({ path: pathname.slice(0, 200), status: gate.status, reason: gate.reason }, "proxy: server action request refused");
    return messagePageResponse(gate.status, { title: "Действие не выполнено", message: GATE_MESSAGES[gate.status], hint: "Обновите страницу и попробуйте ещё раз." });
  }
  // Prefetches were never given a CSP (Next's own recipe skips them): they only fetch data.
  if (isPrefetch(request)) return NextResponse.next();
  return withCsp(request);
}

export const config = {
  matcher: [
    // Pages and the not-found page, prefetches included.
    "/((?!api/|payment\\.php|pay/|_next/static|_next/image|favicon.ico).*)",
    // Any other path holding a percent sign (an escape to check).
    "/(.*%.*)",
  ],
};
