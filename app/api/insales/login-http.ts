// The HTTP side both halves of «Войти» share (docs/protocols/insales.md §1 «Войти»): the per-IP login limit
// (an HTML answer: a person is behind it), and one outer catch that turns the unexpected into a logged 500
// page in Russian.
import { messagePageResponse } from "@/lib/html/message-response";
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";

export function loginRoute(name: "login" | "autologin", handle: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return rateLimited(request, "login", "html") ?? (await handle(request));
    } catch (error) {
      log.error({ err: (error as Error).message }, `${name}: unexpected failure`);
      return messagePageResponse(500, { title: "Не удалось войти", message: "Внутренняя ошибка сервиса. Попробуйте ещё раз через минуту." });
    }
  };
}
