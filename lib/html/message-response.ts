// A Russian message page (lib/html/auto-submit-page.ts renders it) as a Response for people who hit an
// error on a route: never cached, no referrer (the URLs that lead to these pages can carry tokens).
import { renderMessagePage } from "./auto-submit-page";

export type MessageText = { title: string; message: string; /** What to do next; shown after the message. */ hint?: string };

export function messagePageResponse(status: number, text: MessageText, headers: Headers = new Headers()): Response {
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Content-Type-Options", "nosniff");
  const message = text.hint ? `${text.message} ${text.hint}` : text.message;
  return new Response(renderMessagePage({ title: text.title, message, status }), { status, headers });
}
