// GET|POST /pay/<token> — a payment link the merchant sent the buyer (lib/payment-links/pay-by-link.ts). HTTP only:
// GET shows the order and what is left to pay with an «Оплатить» button (a GET changes nothing, so a link
// preview or a mail scanner creates no invoice); POST answers the auto-submitting IntellectMoney invoice form,
// as the checkout does. Every answer is a standalone Russian page: never cached, no referrer (the URL is the
// link), a nonce CSP (lib/html/standalone-page-headers.ts). The token is never logged.
import { randomBytes } from "node:crypto";
import { escapeHtml, renderAutoSubmitPage, renderMessagePage } from "@/lib/html/auto-submit-page";
import { checkoutFormAction } from "@/lib/html/form-action-sources";
import { moscowTime } from "@/lib/html/moscow-time";
import { standalonePageHeaders } from "@/lib/html/standalone-page-headers";
import { rateLimited } from "@/lib/http/rate-limit";
import { readBody } from "@/lib/http/read-body";
import { log } from "@/lib/log";
import { formatRubles } from "@/lib/money";
import { payByLink, previewPaymentLink, type LinkRefused } from "@/lib/payment-links/pay-by-link";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ token: string }> };

/** The «Оплатить» form posts nothing but itself; whatever a POST carries is read (bounded) and ignored. */
const MAX_BODY_BYTES = 16 * 1024;

function answer(status: number, html: string, nonce: string, formAction = "'none'"): Response {
  return new Response(html, { status, headers: standalonePageHeaders(nonce, formAction) });
}

function refusal(r: LinkRefused, nonce: string): Response {
  return answer(r.status, renderMessagePage({ title: r.title, message: r.message, status: r.status, nonce }), nonce);
}

function failure(nonce: string): Response {
  return answer(500, renderMessagePage({ title: "Что-то пошло не так", message: "Не удалось открыть ссылку на оплату. Попробуйте ещё раз через несколько минут.", status: 500, nonce }), nonce);
}

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const nonce = randomBytes(16).toString("base64");
  try {
    const limited = rateLimited(request, "checkout", "html");
    if (limited) return limited;
    const { token } = await params;
    const preview = await previewPaymentLink(token);
    if (!preview.ok) return refusal(preview, nonce);
    const order = preview.orderNumber ? `заказ №${preview.orderNumber}` : "заказ";
    const amount = formatRubles(preview.amountKopecks, preview.currency);
    const base = renderMessagePage({
      title: `Оплата: ${order}`,
      message: `Магазин «${preview.shopName}» просит оплатить ${order}. К оплате: ${amount}. Ссылка действует до ${moscowTime(preview.expiresAt)} (МСК).`,
      nonce,
    });
    // The form posts to this very URL (relative: the token never leaves the path it came in).
    const form = `<form method="post" action=""><button type="submit">Оплатить ${escapeHtml(amount)}</button></form>\n<p class="code">Оплата через IntellectMoney</p>\n`;
    return answer(200, base.replace("</main>", `${form}</main>`), nonce, "'self'");
  } catch (error) {
    log.error({ err: (error as Error).message }, "payment link: unexpected error (GET)");
    return failure(nonce);
  }
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const nonce = randomBytes(16).toString("base64");
  try {
    const limited = rateLimited(request, "checkout", "html");
    if (limited) return limited;
    const body = await readBody(request, MAX_BODY_BYTES);
    if (!body.ok && body.reason === "too_large") {
      return answer(413, renderMessagePage({ title: "Слишком большой запрос", message: "Откройте ссылку на оплату заново.", status: 413, nonce }), nonce);
    }
    const { token } = await params;
    const paid = await payByLink(token);
    if (!paid.ok) return refusal(paid, nonce);
    const html = renderAutoSubmitPage({ title: "Переход к оплате", message: "Сейчас откроется страница оплаты IntellectMoney…", action: paid.action, method: "POST", fields: paid.fields, nonce });
    // Browsers apply form-action to every redirect answering the POST too (lib/html/form-action-sources.ts).
    return answer(200, html, nonce, checkoutFormAction(paid.action));
  } catch (error) {
    log.error({ err: (error as Error).message }, "payment link: unexpected error (POST)");
    return failure(nonce);
  }
}
