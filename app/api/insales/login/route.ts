// GET /api/insales/login?shop&insales_id&user_id… — InSales «Войти» (docs/protocols/insales.md §1).
// Unsigned: only finds the shop, then sends the merchant through the shop's back office for a signed answer.
// `return_to` (the order-card widget's deep links) names the screen to open afterwards: a path of ours only.
import { parseLoginParams } from "@/lib/insales/lifecycle-params";
import { safeReturnPath } from "@/lib/http/return-path";
import { startLogin, type StartLoginFailure } from "@/lib/shops/login";
import { serializeCookie } from "@/lib/http/cookies";
import { messagePageResponse, type MessageText } from "@/lib/html/message-response";
import { log } from "@/lib/log";
import { loginRoute } from "../login-http";

export const dynamic = "force-dynamic";

const REOPEN = "Откройте приложение заново: «Приложения → Установленные приложения → IntellectMoney → Войти».";

const PAGES: Record<"bad_request" | StartLoginFailure, [number, MessageText]> = {
  bad_request: [400, { title: "Не удалось войти", message: "Ссылка для входа неполная или повреждена.", hint: REOPEN }],
  unknown_shop: [404, { title: "Не удалось войти", message: "Приложение IntellectMoney не установлено в этом магазине.", hint: "Установите его в бэк-офисе InSales: «Приложения → Центр приложений»." }],
  shop_inactive: [403, { title: "Не удалось войти", message: "Приложение IntellectMoney удалено из этого магазина.", hint: "Установите его заново в бэк-офисе InSales: «Приложения → Центр приложений»." }],
  host_mismatch: [400, { title: "Не удалось войти", message: "Адрес магазина не совпадает с адресом, указанным при установке приложения.", hint: "Переустановите приложение в бэк-офисе InSales." }],
  install_pending: [409, { title: "Установка ещё не завершена", message: "Мы проверяем установку приложения у InSales — обычно это занимает несколько секунд.", hint: "Обновите страницу через минуту. Если сообщение не исчезнет, переустановите приложение в бэк-офисе InSales." }],
};

export const GET = loginRoute("login", async (request) => {
  const query = new URL(request.url).searchParams;
  const params = parseLoginParams(query);
  if (!params.ok) {
    log.warn({ reason: params.reason }, "login: bad parameters");
    return messagePageResponse(...PAGES.bad_request);
  }
  // A deep link from the order-card widget (return_to=/payments/<id>): only a path of ours, else ignored.
  const asked = query.getAll("return_to");
  const returnTo = asked.length === 1 ? safeReturnPath(asked[0]) : null;
  if (asked.length > 0 && returnTo === null) log.warn({ insalesId: params.params.insalesId }, "login: return_to is not a path of ours; ignored");
  const result = await startLogin(params.params, returnTo);
  if (!result.ok) {
    log.warn({ reason: result.reason, insalesId: params.params.insalesId }, "login: refused");
    return messagePageResponse(...PAGES[result.reason]);
  }
  const headers = new Headers({ Location: result.redirectUrl, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  headers.append("Set-Cookie", serializeCookie(result.cookie.name, result.cookie.value, result.cookie.options));
  return new Response(null, { status: 303, headers });
});
