// The server-action gate, run by the proxy (proxy.ts) on every POST to a page, before Next decodes it.
//
// Server actions are public endpoints (docs/ARCHITECTURE.md convention 11). Next 16 answers a 500 to
// much of what a stranger can send one (issue 12 item 7), before any code of ours runs:
// - a body React's reply decoder cannot decode (not JSON, a reference to a row that is not there, a bad
//   BigInt, a multipart body without the root field or with two of them, a deeply nested array);
// - a body over `serverActions.bodySizeLimit` (Next throws a 413 error, then answers 500 for it);
// - an Origin it cannot parse, or a foreign one on a fetch action (its CSRF refusal is a 500 too).
// This gate mirrors what Next does with such a request (next/dist/server/app-render/action-handler.js:
// which requests are actions, the parser for each body, the Origin check) and refuses those cases with
// a 4xx. What it admits is exactly what our own client sends (lib/http/action-reply.ts); the action then
// validates its arguments itself (lib/http/action-args.ts).
import busboy from "next/dist/compiled/busboy";
import { checkReplyRow, checkReplyValue } from "./action-reply";
import { readBody } from "./read-body";

/**
 * The largest server action body we accept. Our biggest form, the settings, is a few kilobytes of JSON;
 * next.config.mjs sets `experimental.serverActions.bodySizeLimit` to the same number (a test holds them
 * equal).
 */
export const SERVER_ACTION_BODY_LIMIT_BYTES = 64 * 1024;

export type GateVerdict = { ok: true } | { ok: false; status: 400 | 403 | 413 | 503; reason: string };

const PASS: GateVerdict = { ok: true };
const bad = (reason: string): GateVerdict => ({ ok: false, status: 400, reason });

/** React refuses more arguments than this by throwing (and Next applies the root row as the argument list). */
const MAX_ARGUMENTS = 1000;

/** The root row of a fetch action is its argument list: Next calls `action.apply(null, row)`. */
function checkArgumentList(text: string, allowFormData: boolean): GateVerdict {
  const row = checkReplyRow(text, { allowFormData });
  if (!row.ok) return bad(row.reason);
  if (!Array.isArray(row.value) || row.value.length > MAX_ARGUMENTS) return bad("not_an_argument_list");
  return PASS;
}

type ActionKind = "fetch" | "mpa" | null;

/** Which requests Next's action handler decodes (next/dist/server/lib/server-action-request-meta.js). */
function actionKind(method: string, headers: Headers): ActionKind {
  if (method !== "POST") return null;
  const contentType = headers.get("content-type");
  // Next bails out on exactly this type before looking at the body or the Origin.
  if (contentType === "application/x-www-form-urlencoded") return null;
  if (headers.get("next-action") !== null) return "fetch";
  if (contentType?.startsWith("multipart/form-data")) return "mpa";
  return null;
}

/** Next's CSRF check, without its 500: a present Origin must name the host the request was sent to. */
function checkOrigin(headers: Headers): GateVerdict {
  const origin = headers.get("origin");
  if (origin === null) return PASS; // Next lets a request without Origin through (no browser omits it on a POST)
  let originHost: string;
  try {
    originHost = origin === "null" ? "null" : new URL(origin).host;
  } catch {
    return { ok: false, status: 403, reason: "bad_origin" };
  }
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const host = forwarded || headers.get("host");
  return host && originHost === host ? PASS : { ok: false, status: 403, reason: "foreign_origin" };
}

type Part = { name: string | undefined; value: string };
type Multipart = { ok: true; fields: Part[]; files: number } | { ok: false };

/** The body as Next's fetch-action path parses it: its own busboy, with its options, so the values
 * checked here are the very strings React will decode (whatever charset a part declares). */
function parseMultipartLikeNext(bytes: Uint8Array, contentType: string): Promise<Multipart> {
  return new Promise((resolve) => {
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({ defParamCharset: "utf8", headers: { "content-type": contentType }, limits: { fieldSize: SERVER_ACTION_BODY_LIMIT_BYTES } });
    } catch {
      return resolve({ ok: false }); // no boundary, not multipart after all
    }
    const fields: Part[] = [];
    let files = 0;
    parser.on("field", (name, value) => fields.push({ name, value }));
    parser.on("file", (_name, stream) => {
      files += 1;
      // A body cut inside a file part errors the file's stream too; unheard, that error is an uncaught
      // exception in the server.
      stream.on("error", () => resolve({ ok: false }));
      stream.resume();
    });
    parser.on("error", () => resolve({ ok: false }));
    parser.on("close", () => resolve({ ok: true, fields, files }));
    parser.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });
}

/** React's row id of a multipart field name (resolveField in react-server-dom): "S<n>" and "<n>", read
 * with unary plus, so " ", "00" and "S0" are row 0 too; a bare "S" is no row. */
function rowIdOf(name: string): number {
  if (name[0] === "S") return name.length > 1 ? Number(name.slice(1)) : NaN;
  return Number(name);
}

/** A fetch action with a multipart body: one root row (id 0) of admitted values, plain text fields, no files. */
async function checkFetchMultipart(bytes: Uint8Array, contentType: string): Promise<GateVerdict> {
  const parsed = await parseMultipartLikeNext(bytes, contentType);
  if (!parsed.ok) return bad("bad_multipart");
  if (parsed.files > 0) return bad("unexpected_file");
  // busboy reports `name=""` as no name at all, and React throws on it.
  if (parsed.fields.some((f) => typeof f.name !== "string" || f.name === "")) return bad("unnamed_field");
  const roots = parsed.fields.filter((f) => rowIdOf(f.name!) === 0);
  // None: React waits for it and fails ("Connection closed"); two: the second one throws in React.
  if (roots.length !== 1) return bad(roots.length === 0 ? "no_root_row" : "duplicate_root_row");
  return checkArgumentList(roots[0].value, true);
}

/** A fetch action with any other body: Next reads it as UTF-8 text, one JSON row. */
function checkFetchText(bytes: Uint8Array): GateVerdict {
  return checkArgumentList(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf-8"), false);
}

const ACTION_ID = /^[0-9a-f]{1,64}$/;

/**
 * A bound action of a no-JS form (`$ACTION_REF_<k>`, what useActionState renders): React decodes its
 * descriptor `$ACTION_<k>:0` = {"id":"…","bound":"$@1"} and the bound arguments row it points to.
 */
function checkBoundAction(form: FormData, k: string): GateVerdict {
  const prefix = `$ACTION_${k}:`;
  const descriptors = form.getAll(`${prefix}0`);
  if (descriptors.length !== 1 || typeof descriptors[0] !== "string") return bad("bad_action_descriptor");
  const text = descriptors[0];
  let descriptor: unknown;
  try {
    descriptor = JSON.parse(text);
  } catch {
    return bad("bad_action_descriptor");
  }
  if (typeof descriptor !== "object" || descriptor === null || Array.isArray(descriptor)) return bad("bad_action_descriptor");
  const { id, bound, ...rest } = descriptor as Record<string, unknown>;
  // Next checks the id it cuts from the text's start; React uses the parsed one: they must be the same.
  if (typeof id !== "string" || !ACTION_ID.test(id) || !text.startsWith(`{"id":"${id}"`)) return bad("bad_action_descriptor");
  if (!checkReplyValue(rest, { allowFormData: false }).ok) return bad("bad_action_descriptor");
  if (bound === null) return PASS;
  const ref = typeof bound === "string" ? /^\$@([0-9a-f]{1,8})$/.exec(bound) : null;
  if (!ref) return bad("bad_action_descriptor");
  const rows = form.getAll(`${prefix}${parseInt(ref[1], 16)}`);
  if (rows.length !== 1 || typeof rows[0] !== "string") return bad("bad_bound_arguments");
  const args = checkArgumentList(rows[0], false);
  return args.ok ? PASS : bad("bad_bound_arguments");
}

/** A multipart POST without Next-Action (a form posted without JavaScript): Next parses it with undici. */
async function checkNoJsForm(bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<GateVerdict> {
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  } catch {
    return bad("bad_multipart");
  }
  for (const key of form.keys()) {
    if (!key.startsWith("$ACTION_REF_")) continue;
    const verdict = checkBoundAction(form, key.slice("$ACTION_REF_".length));
    if (!verdict.ok) return verdict;
  }
  // `$ACTION_ID_<id>` forms and forms naming no action: Next checks the ids itself and answers 400/404.
  return PASS;
}

/** The verdict on one request; anything that is not a server action passes untouched (body unread). */
export async function checkServerActionRequest(request: Request): Promise<GateVerdict> {
  const kind = actionKind(request.method, request.headers);
  if (kind === null) return PASS;
  const origin = checkOrigin(request.headers);
  if (!origin.ok) return origin;
  const body = await readBody(request, SERVER_ACTION_BODY_LIMIT_BYTES);
  if (!body.ok) {
    if (body.reason === "too_large") return { ok: false, status: 413, reason: "too_large" };
    return body.reason === "busy" ? { ok: false, status: 503, reason: "busy" } : bad("unreadable");
  }
  const contentType = request.headers.get("content-type") ?? "";
  if (kind === "mpa") return checkNoJsForm(body.bytes, contentType);
  return contentType.startsWith("multipart/form-data") ? checkFetchMultipart(body.bytes, contentType) : checkFetchText(body.bytes);
}
