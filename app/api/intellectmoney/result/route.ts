// POST /api/intellectmoney/result?shop=<insales_id> — IntellectMoney result notifications
// (docs/protocols/intellectmoney.md §3). HTTP only: body → applyResult → `OK` or a short machine reason.
// §3: the success body is exactly `OK` (no BOM, no whitespace, no HTML — §7 pitfall 4); anything else
// makes IntellectMoney retry, which is what we want for a refusal or a transient failure of ours.
// The body is read as bytes and decoded by its charset (UTF-8 or windows-1251, §3 «Encoding»:
// lib/http/urlencoded-form.ts); the hash decides which encoding it was made over (lib/intellectmoney/signatures.ts).
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";
import { readBody } from "@/lib/http/read-body";
import { decodeUrlencodedForm, type FormCharset } from "@/lib/http/urlencoded-form";
import { applyResult } from "@/lib/results/apply-result";

export const dynamic = "force-dynamic";

/** A notification is a few hundred bytes; anything near this is not one. */
const MAX_BODY_BYTES = 64 * 1024;

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" } });
}

type Form =
  | { ok: true; form: URLSearchParams; charset: FormCharset }
  | { ok: false; status: 400 | 413 | 415 | 503; reason: "too_large" | "bad_body" | "busy" | "unsupported_charset" };

const READ_FAILURE = {
  too_large: { status: 413, reason: "too_large" },
  // Too many large bodies at once (not a notification's size): IntellectMoney sends it again later.
  busy: { status: 503, reason: "busy" },
  unreadable: { status: 400, reason: "bad_body" },
} as const;

async function readForm(request: Request): Promise<Form> {
  // Bounded whatever the declared type: a chunked body has no Content-Length (lib/http/read-body.ts).
  const body = await readBody(request, MAX_BODY_BYTES);
  if (!body.ok) return { ok: false, ...READ_FAILURE[body.reason] };
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.toLowerCase().includes("multipart/form-data")) {
    // A multipart body without a boundary or with a broken one is the sender's error, not ours (no 500).
    let form: FormData;
    try {
      form = await new Response(body.bytes, { headers: { "content-type": contentType } }).formData();
    } catch {
      return { ok: false, status: 400, reason: "bad_body" };
    }
    const out = new URLSearchParams();
    for (const [k, v] of form) if (typeof v === "string") out.append(k, v);
    return { ok: true, form: out, charset: "utf-8" };
  }
  // Bytes → pairs of bytes → text in the declared charset, else UTF-8, else windows-1251 (§3 «Encoding»).
  // Never `new URLSearchParams(utf8Text)`: it would turn every windows-1251 byte into U+FFFD.
  const decoded = decodeUrlencodedForm(body.bytes, contentType);
  if (!decoded.ok) {
    log.warn({ charset: decoded.charset }, "result: unsupported charset");
    return { ok: false, status: 415, reason: "unsupported_charset" };
  }
  return { ok: true, form: decoded.form, charset: decoded.charset };
}

export async function POST(request: Request): Promise<Response> {
  try {
    const limited = rateLimited(request, "result", "text");
    if (limited) return limited;
    const body = await readForm(request);
    if (!body.ok) return text(body.status, body.reason);
    const shopParam = new URL(request.url).searchParams.get("shop");
    const outcome = await applyResult({ shopParam, body: body.form, charset: body.charset });
    if (outcome.ok) return text(200, "OK");
    return text(outcome.status, outcome.reason);
  } catch (error) {
    // Our failure, not the sender's: 500 makes IntellectMoney retry later, and nothing was half-applied
    // (the transition is one transaction).
    log.error({ err: (error as Error).message }, "result: unexpected error");
    return text(500, "error");
  }
}
