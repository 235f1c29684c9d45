// GET|POST /api/intellectmoney/return/<paymentId>/<success|fail> — where IntellectMoney sends the buyer
// back (docs/protocols/insales.md §2 «Result notice», the buyer's browser). HTTP only:
// lib/notices/buyer-return.ts decides; this renders the page.
import { randomBytes } from "node:crypto";
import { escapeHtml, renderAutoSubmitPage, renderMessagePage } from "@/lib/html/auto-submit-page";
import { standalonePageHeaders } from "@/lib/html/standalone-page-headers";
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";
import { readBody } from "@/lib/http/read-body";
import { buyerReturn } from "@/lib/notices/buyer-return";
import { returnFormAction } from "@/lib/html/form-action-sources";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ paymentId: string; outcome: string }> };

/** IntellectMoney may send the buyer back with a POST of a few form fields; we use none of them (the
 * payment's state is ours), but read them, bounded, so the connection stays usable (lib/http/read-body.ts). */
const MAX_RETURN_BODY_BYTES = 64 * 1024;

/** A message page with links (renderMessagePage has none): the order page and "check again". */
function pendingPage(nonce: string, orderUrl: string | null, again: string, outcome: "success" | "fail"): string {
  const base = renderMessagePage({
    title: "Платёж обрабатывается…",
    message:
      outcome === "success"
        ? "IntellectMoney ещё не сообщил нам результат оплаты. Обычно это занимает несколько секунд: статус заказа обновится в магазине автоматически."
        : "Оплата не завершена или её результат ещё не пришёл. Статус заказа можно посмотреть в магазине; если оплата не прошла, её можно повторить со страницы заказа.",
    nonce,
  });
  const links =
    (orderUrl ? `<p><a id="order-link" href="${escapeHtml(orderUrl)}">Перейти к заказу</a></p>\n` : "") +
    `<p><a id="check-again" href="${escapeHtml(again)}">Проверить ещё раз</a></p>\n`;
  return base.replace("</main>", `${links}</main>`);
}

async function handle(request: Request, { params }: Params): Promise<Response> {
  const limited = rateLimited(request, "checkout", "html");
  if (limited) return limited;
  const nonce = randomBytes(16).toString("base64");
  if (request.method === "POST") {
    const body = await readBody(request, MAX_RETURN_BODY_BYTES);
    if (!body.ok && body.reason === "too_large") {
      return new Response(renderMessagePage({ title: "Слишком большой запрос", message: "Вернитесь в магазин и посмотрите статус заказа там.", status: 413, nonce }), {
        status: 413,
        headers: standalonePageHeaders(nonce, "'none'"),
      });
    }
  }
  const { paymentId, outcome } = await params;
  const notFound = () =>
    new Response(renderMessagePage({ title: "Платёж не найден", message: "Ссылка устарела или неверна. Вернитесь в магазин и посмотрите статус заказа там.", status: 404, nonce }), {
      status: 404,
      headers: standalonePageHeaders(nonce, "'none'"),
    });
  if (outcome !== "success" && outcome !== "fail") return notFound();
  try {
    const result = await buyerReturn(paymentId, outcome);
    if (!result.ok) return notFound();
    if (result.kind === "post") {
      const html = renderAutoSubmitPage({
        title: "Возвращаемся в магазин…",
        message: result.paid === 1 ? "Оплата получена. Сейчас откроется страница вашего заказа." : "Оплата не выполнена. Сейчас откроется страница вашего заказа.",
        action: result.action,
        method: "POST",
        fields: result.fields,
        nonce,
      });
      // The shop answers the POST with a redirect to the order page, possibly on its own domain, https or http
      // (lib/html/form-action-sources.ts).
      return new Response(html, { status: 200, headers: standalonePageHeaders(nonce, returnFormAction(result.action)) });
    }
    if (result.kind === "superseded") {
      const base = renderMessagePage({
        title: "Этот счёт отменён",
        message: "По заказу уже выставлен новый счёт. Статус заказа и оплаты можно посмотреть в магазине.",
        nonce,
      });
      const link = result.orderUrl ? `<p><a id="order-link" href="${escapeHtml(result.orderUrl)}">Перейти к заказу</a></p>\n` : "";
      return new Response(base.replace("</main>", `${link}</main>`), { status: 200, headers: standalonePageHeaders(nonce, "'none'") });
    }
    if (result.kind === "paid_by_link") {
      const base = renderMessagePage({
        title: "Оплата получена",
        message: `Спасибо! Оплата заказа${result.orderNumber ? ` №${result.orderNumber}` : ""} получена, магазин увидит её в своём бэк-офисе.`,
        nonce,
      });
      const link = result.orderUrl ? `<p><a id="order-link" href="${escapeHtml(result.orderUrl)}">Перейти к заказу</a></p>\n` : "";
      return new Response(base.replace("</main>", `${link}</main>`), { status: 200, headers: standalonePageHeaders(nonce, "'none'") });
    }
    const again = new URL(request.url).pathname;
    return new Response(pendingPage(nonce, result.orderUrl, again, result.outcome), { status: 200, headers: standalonePageHeaders(nonce, "'none'") });
  } catch (error) {
    log.error({ paymentId, err: (error as Error).message }, "buyer-return: unexpected error");
    return new Response(
      renderMessagePage({ title: "Что-то пошло не так", message: "Не удалось вернуть вас в магазин. Статус заказа можно посмотреть в магазине.", status: 500, nonce }),
      { status: 500, headers: standalonePageHeaders(nonce, "'none'") },
    );
  }
}

export const GET = handle;
export const POST = handle;
