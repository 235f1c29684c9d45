// The small HTML pages a buyer sees for a moment: the auto-submitting form that carries them to
// IntellectMoney (checkout) or back to the shop (buyer return), and plain Russian message pages.
// Every value is escaped exactly once here; callers pass raw strings (a receipt JSON included).

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** HTML-escape text or an attribute value: & < > " '. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STYLE =
  "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;padding:48px 16px;" +
  "color:#1f2328;background:#f6f8fa;text-align:center}main{max-width:480px;margin:0 auto;background:#fff;" +
  "border:1px solid #d0d7de;border-radius:8px;padding:32px 24px}h1{font-size:20px;margin:0 0 12px}" +
  "p{margin:0 0 20px;line-height:1.5}button{font:inherit;font-size:16px;padding:10px 24px;border:0;" +
  "border-radius:6px;background:#0969da;color:#fff;cursor:pointer}.code{color:#656d76;font-size:13px;margin:0}";

function page(title: string, body: string, nonce?: string): string {
  const n = nonce ? ` nonce="${escapeHtml(nonce)}"` : "";
  return (
    "<!DOCTYPE html>\n" +
    '<html lang="ru">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="robots" content="noindex">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style${n}>${STYLE}</style>\n</head>\n<body>\n<main>\n${body}</main>\n</body>\n</html>\n`
  );
}

export type AutoSubmitPage = {
  title: string;
  message: string;
  action: string;
  method: "POST";
  fields: ReadonlyArray<readonly [name: string, value: string]>;
  /** The CSP nonce of this response: the inline script (and style) carry it. */
  nonce?: string;
};

/**
 * A page whose form is submitted by an inline script at once; the visible «Продолжить» button does the
 * same for browsers without script. The script calls HTMLFormElement.prototype.submit because a field
 * named `submit` or `action` would shadow the form's own properties.
 */
export function renderAutoSubmitPage(p: AutoSubmitPage): string {
  const inputs = p.fields
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">\n`)
    .join("");
  const n = p.nonce ? ` nonce="${escapeHtml(p.nonce)}"` : "";
  const body =
    `<h1>${escapeHtml(p.title)}</h1>\n<p>${escapeHtml(p.message)}</p>\n` +
    `<form id="auto-submit" method="post" action="${escapeHtml(p.action)}" accept-charset="UTF-8">\n` +
    inputs +
    '<button type="submit">Продолжить</button>\n</form>\n' +
    `<script${n}>HTMLFormElement.prototype.submit.call(document.getElementById("auto-submit"));</script>\n`;
  return page(p.title, body, p.nonce);
}

export type MessagePage = {
  title: string;
  message: string;
  /** The HTTP status the route answers with; shown small, so a buyer can quote it to support. */
  status?: number;
  nonce?: string;
};

/** A plain Russian page for a buyer or merchant: what happened and, in the message, what to do. */
export function renderMessagePage(p: MessagePage): string {
  const code = p.status ? `<p class="code">Код ответа: ${Math.trunc(p.status)}</p>\n` : "";
  return page(p.title, `<h1>${escapeHtml(p.title)}</h1>\n<p>${escapeHtml(p.message)}</p>\n${code}`, p.nonce);
}
