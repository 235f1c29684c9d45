// The shape every letter shares: a heading, an intro, a table of facts, an optional link and a footer,
// rendered once as plain text and once as HTML. Every interpolated value is escaped here, so templates
// only ever pass plain strings.

/** Our own copy (five characters, no dependency on page helpers that may move): text and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export type RenderedMail = { subject: string; text: string; html: string };

export type Letter = {
  subject: string;
  heading: string;
  intro: string[];
  /** [label, value]; rows with an empty value are left out. */
  facts: Array<[string, string | null | undefined]>;
  link?: { label: string; url: string };
  outro?: string[];
};

/** A subject is a header: no line breaks (header injection), bounded length. */
export function cleanSubject(subject: string): string {
  const flat = subject.replace(/[\r\n\t\u2028\u2029]+/g, " ").replace(/\s{2,}/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Facts come from InSales or IntellectMoney; keep them on one line and bounded in a letter. */
function cleanValue(value: string): string {
  const flat = value.replace(/[\r\n\t\u2028\u2029]+/g, " ").trim();
  return flat.length > 500 ? `${flat.slice(0, 499)}…` : flat;
}

const FOOTER = "Письмо отправлено автоматически приложением IntellectMoney для InSales. Не отвечайте на него.";

export function renderLetter(letter: Letter): RenderedMail {
  const facts = letter.facts.filter((f): f is [string, string] => typeof f[1] === "string" && f[1].trim() !== "").map(([k, v]) => [k, cleanValue(v)] as const);

  const text = [
    letter.heading,
    "",
    ...letter.intro,
    "",
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(letter.link ? ["", `${letter.link.label}: ${letter.link.url}`] : []),
    ...(letter.outro?.length ? ["", ...letter.outro] : []),
    "",
    "—",
    FOOTER,
    "",
  ].join("\n");

  const rows = facts
    .map(([k, v]) => `<tr><td style="padding:4px 16px 4px 0;color:#6b7280;vertical-align:top">${escapeHtml(k)}</td><td style="padding:4px 0">${escapeHtml(v)}</td></tr>`)
    .join("\n");
  const paragraphs = (lines: string[] | undefined) => (lines ?? []).map((p) => `<p>${escapeHtml(p)}</p>`).join("\n");
  const link = letter.link
    ? `<p><a href="${escapeHtml(letter.link.url)}" style="color:#0b6bcb">${escapeHtml(letter.link.label)}</a></p>`
    : "";

  const html = `<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><title>${escapeHtml(cleanSubject(letter.subject))}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;color:#1d2330;max-width:600px;margin:0 auto;padding:16px">
<h1 style="font-size:20px">${escapeHtml(letter.heading)}</h1>
${paragraphs(letter.intro)}
<table style="border-collapse:collapse;margin:12px 0">
${rows}
</table>
${link}
${paragraphs(letter.outro)}
<p style="color:#6b7280;font-size:12px;margin-top:24px">${escapeHtml(FOOTER)}</p>
</body>
</html>
`;
  return { subject: cleanSubject(letter.subject), text, html };
}
