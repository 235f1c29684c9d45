// HTTP side of the checkout, shared by POST /payment.php (the original bridge's URL shape) and
// POST /api/insales/payment: body → startCheckout → an auto-submitting invoice page or a Russian refusal.
// Every answer: no caching (it carries a per-payment form), and a CSP whose nonce admits only our one
// inline script and whose form-action admits only IntellectMoney's hosts and our own return URLs
// (lib/html/form-action-sources.ts, docs/protocols/intellectmoney.md §10).
import { randomBytes } from "node:crypto";
import { renderAutoSubmitPage, renderMessagePage } from "@/lib/html/auto-submit-page";
import { standalonePageHeaders } from "@/lib/html/standalone-page-headers";
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";
import { withBody, type ReadBodyResult } from "@/lib/http/read-body";
import { startCheckout } from "@/lib/checkout/checkout";
import { checkoutFormAction } from "@/lib/html/form-action-sources";

/**
 * order_json may be up to 1 MiB of UTF-8 (lib/insales/checkout-request.ts); URL-encoded, every non-ASCII
 * byte becomes three characters (%D0), so a legitimate Cyrillic order can approach 3 MiB on the wire.
 * 4 MiB admits it with room for the other fields and stays far below what could hurt us.
 */
export const MAX_CHECKOUT_BODY_BYTES = 4 * 1024 * 1024;

function page(status: number, html: string, nonce: string, formAction = "'none'"): Response {
  return new Response(html, { status, headers: standalonePageHeaders(nonce, formAction) });
}

function refusal(status: number, message: string, nonce: string): Response {
  return page(status, renderMessagePage({ title: "Оплата не выполнена", message, status, nonce }), nonce);
}

type CheckoutBody = { ok: true; text: string } | { ok: false; status: 400 | 503 };

/** The body as UTF-8 text; refused when larger than MAX_CHECKOUT_BODY_BYTES (without buffering the rest,
 * lib/http/read-body.ts), unreadable or not valid UTF-8 (400), or when too many large bodies are being
 * worked on at once (503). */
function decodeCheckoutBody(body: ReadBodyResult): CheckoutBody {
  if (!body.ok) return { ok: false, status: body.reason === "busy" ? 503 : 400 };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(body.bytes) };
  } catch {
    return { ok: false, status: 400 }; // not valid UTF-8
  }
}

async function answerCheckout(request: Request, body: CheckoutBody, nonce: string): Promise<Response> {
  if (!body.ok && body.status === 503) return refusal(503, "Сервис оплаты сейчас перегружен. Вернитесь в магазин и попробуйте ещё раз через минуту.", nonce);
  if (!body.ok) return refusal(400, "Неверный запрос на оплату. Вернитесь в магазин и попробуйте ещё раз.", nonce);

  const shopHint = new URL(request.url).searchParams.get("shop");
  const outcome = await startCheckout({ form: new URLSearchParams(body.text), shopHint });
  if (!outcome.ok) return refusal(outcome.status, outcome.message, nonce);

  const action = outcome.action;
  const html = renderAutoSubmitPage({
    title: "Переход к оплате",
    message: "Сейчас откроется страница оплаты IntellectMoney…",
    action,
    method: "POST",
    fields: outcome.fields,
    nonce,
  });
  // Browsers apply form-action to every redirect answering the POST too (lib/html/form-action-sources.ts).
  return page(200, html, nonce, checkoutFormAction(action));
}

export async function handleCheckout(request: Request): Promise<Response> {
  const nonce = randomBytes(16).toString("base64");
  try {
    const limited = rateLimited(request, "checkout", "html");
    if (limited) return limited;
    // §2: the browser posts application/x-www-form-urlencoded (UTF-8); anything else is not InSales.
    const type = (request.headers.get("content-type") ?? "").toLowerCase();
    const [mime, ...params] = type.split(";").map((s) => s.trim());
    const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
    if (mime !== "application/x-www-form-urlencoded" || (charset && charset !== "utf-8")) {
      return refusal(415, "Неверный формат запроса на оплату. Вернитесь в магазин и попробуйте ещё раз.", nonce);
    }
    // A large body keeps its share of the shared budget until the answer is ready.
    return await withBody(request, MAX_CHECKOUT_BODY_BYTES, (read) => answerCheckout(request, decodeCheckoutBody(read), nonce));
  } catch (error) {
    log.error({ err: (error as Error).message, stack: (error as Error).stack }, "checkout: unexpected error");
    return refusal(500, "Не удалось начать оплату из-за внутренней ошибки. Попробуйте ещё раз через несколько минут.", nonce);
  }
}
