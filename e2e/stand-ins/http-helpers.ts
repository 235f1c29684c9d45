// Small helpers shared by the stand-in servers (plain node:http, no framework: they must behave exactly
// like the vendors' endpoints, byte for byte where it matters).
import type { IncomingMessage, ServerResponse } from "node:http";

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302) {
  res.writeHead(status, { location });
  res.end();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Renders a form that posts `fields` to `action`; `auto` submits it at once like a checkout page does. */
export function formPage(title: string, action: string, fields: Array<[string, string]>, opts: { auto?: boolean; button?: string } = {}) {
  const inputs = fields.map(([n, v]) => `<input type="hidden" name="${escapeHtml(n)}" value="${escapeHtml(v)}">`).join("\n");
  const script = opts.auto ? "<script>document.forms[0].submit()</script>" : "";
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>
<h1>${escapeHtml(title)}</h1><form method="POST" action="${escapeHtml(action)}">${inputs}
<button type="submit">${escapeHtml(opts.button ?? "Отправить")}</button></form>${script}</body></html>`;
}
