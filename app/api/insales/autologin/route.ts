// GET /api/insales/autologin?token&token3&user_… — InSales sends the merchant back here after the «Войти»
// round trip (docs/protocols/insales.md §1 «Войти» step 3). Verified → next-auth session for that one shop (a login
// to another shop simply replaces the cookie) and 303 to the settings, or to the screen the round trip was
// started for (a same-origin path kept with the nonce); refused → Russian page, no session.
import { parseAutologinParams } from "@/lib/insales/lifecycle-params";
import { finishLogin, loginCookieName, loginCookieOptions, type FinishLoginFailure } from "@/lib/shops/login";
import { mintSessionCookie } from "@/lib/auth/mint-session";
import { readCookie, serializeCookie } from "@/lib/http/cookies";
import { messagePageResponse, type MessageText } from "@/lib/html/message-response";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { loginRoute } from "../login-http";

export const dynamic = "force-dynamic";

const REOPEN = "Откройте приложение заново: «Приложения → Установленные приложения → IntellectMoney → Войти».";
const FAILED = "Не удалось войти";

const PAGES: Record<FinishLoginFailure | "bad_request", [number, MessageText]> = {
  bad_request: [400, { title: FAILED, message: "Ответ InSales неполный или повреждён.", hint: REOPEN }],
  no_nonce: [400, { title: FAILED, message: "Сеанс входа не найден: вход нужно начинать из бэк-офиса InSales в этом же браузере.", hint: REOPEN }],
  nonce_used: [400, { title: FAILED, message: "Эта ссылка для входа уже использована.", hint: REOPEN }],
  nonce_expired: [400, { title: FAILED, message: "Время на вход истекло (10 минут).", hint: REOPEN }],
  shop_inactive: [403, { title: FAILED, message: "Приложение IntellectMoney удалено из этого магазина.", hint: "Установите его заново в бэк-офисе InSales." }],
  bad_token: [403, { title: FAILED, message: "Подпись ответа InSales не прошла проверку.", hint: REOPEN }],
  bad_token2: [403, { title: FAILED, message: "Подпись данных пользователя не прошла проверку.", hint: REOPEN }],
  // Only refused when no `token` came, i.e. token3 was the answer's one signature (§1 «Войти» step 4).
  bad_token3: [403, { title: FAILED, message: "Подпись ответа InSales не прошла проверку.", hint: REOPEN }],
};

/** The login cookie is single use whatever the outcome: always expire it. */
function headersClearingLoginCookie(): Headers {
  const headers = new Headers({ "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  headers.append("Set-Cookie", serializeCookie(loginCookieName(), "", loginCookieOptions(0)));
  return headers;
}

export const GET = loginRoute("autologin", async (request) => {
  const params = parseAutologinParams(new URL(request.url).searchParams);
  if (!params.ok) {
    log.warn({ reason: params.reason }, "autologin: bad parameters");
    return messagePageResponse(...PAGES.bad_request, headersClearingLoginCookie());
  }
  const cookie = readCookie(request.headers.get("cookie"), loginCookieName());
  const result = await finishLogin(cookie, params.params);
  if (!result.ok) return messagePageResponse(...PAGES[result.reason], headersClearingLoginCookie());

  const session = await mintSessionCookie(result.claims);
  const headers = headersClearingLoginCookie();
  headers.append("Set-Cookie", serializeCookie(session.name, session.value, session.options));
  // The screen the round trip was started for (a deep link from the order-card widget), else the settings.
  headers.set("Location", `${env().APP_URL}${result.returnTo ?? "/settings"}`);
  return new Response(null, { status: 303, headers });
});
