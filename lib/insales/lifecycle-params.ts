// Parameters of the four lifecycle calls (docs/protocols/insales.md §1): install, uninstall, login,
// autologin. Every call is validated before anything else happens; a bad one gets a short
// machine-readable reason (`missing_shop`, `bad_insales_id`, `duplicate_token`, ...) and changes nothing.
//
// Rules common to all: an empty value counts as missing; a parameter given twice is refused (which copy
// would we trust?); unknown parameters are ignored (InSales may add some).
import { z } from "zod";
import { readBody } from "../http/read-body";
import { parseShopHost } from "./shop-host";

export type ParamsResult<T> = { ok: true; params: T } | { ok: false; reason: string };

/** InSales shop ids are positive integers; no leading zeros, so one shop cannot get two keys. */
const insalesId = z.string().regex(/^[1-9][0-9]{0,19}$/);
/** Install's one-time token and uninstall's password: visible ASCII, at most 128 characters. */
const token = z.string().max(128).regex(/^[\x21-\x7e]+$/);
const md5 = z.string().regex(/^[0-9a-fA-F]{32}$/);
/** User fields of the login answer are hashed exactly as received (§1 step 3): only bound their size
 * and refuse control characters. */
const userField = z.string().max(256).regex(/^[^\u0000-\u001f\u007f]*$/);
const shop = z.string().refine((v) => parseShopHost(v).ok);

const installSchema = z.object({ shop, token, insales_id: insalesId });
const loginSchema = z.object({ shop, insales_id: insalesId });
/** The e-mail flag as the vendor's «Войти» example spells it: `email_сonfirmed` with U+0441 CYRILLIC
 * SMALL LETTER ES after the underscore (docs/protocols/insales.md §1 «Войти» step 3). Which spelling
 * InSales really sends is unknown, so both are read. */
export const EMAIL_CONFIRMED_CYRILLIC = "email_\u0441onfirmed";

const autologinSchema = z.object({
  // Optional since the vendor's own example answers with `token3` alone (§1 «Войти» step 3); that at
  // least one of the two came is checked below.
  token: md5.optional(),
  token2: md5.optional(),
  token3: md5.optional(),
  user_email: userField.optional(),
  user_name: userField.optional(),
  user_id: userField.optional(),
  email_confirmed: userField.optional(),
  [EMAIL_CONFIRMED_CYRILLIC]: userField.optional(),
});

export type InstallParams = { shop: string; token: string; insalesId: string };
export type UninstallParams = InstallParams;
export type LoginParams = { shop: string; insalesId: string };
export type AutologinParams = {
  /** Absent when InSales answered with `token3` only (then `token3` is present). */
  token?: string;
  token2?: string;
  token3?: string;
  userEmail?: string;
  userName?: string;
  userId?: string;
  emailConfirmed?: string;
};

/** Reads each named parameter once from the sources (query first, then a form body). A name repeated
 * within one source, or given with different values by two sources, is a duplicate. */
function collect(sources: URLSearchParams[], names: readonly string[], optional: ReadonlySet<string>): ParamsResult<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const name of names) {
    let value: string | undefined;
    for (const source of sources) {
      const all = source.getAll(name);
      if (all.length > 1) return { ok: false, reason: `duplicate_${name}` };
      if (all.length === 1) {
        if (value !== undefined && value !== all[0]) return { ok: false, reason: `duplicate_${name}` };
        value = all[0];
      }
    }
    if (value === undefined || value === "") {
      // An optional signature field that is present but empty is malformed, not absent.
      if (optional.has(name) && value === "" && name.startsWith("token")) return { ok: false, reason: `bad_${name}` };
      if (!optional.has(name)) return { ok: false, reason: `missing_${name}` };
      value = undefined;
    }
    out[name] = value;
  }
  return { ok: true, params: out };
}

function validate<S extends z.ZodObject>(schema: S, sources: URLSearchParams[]): ParamsResult<z.infer<S>> {
  const names = Object.keys(schema.shape);
  const optional = new Set(names.filter((n) => (schema.shape[n] as z.ZodType).safeParse(undefined).success));
  const raw = collect(sources, names, optional);
  if (!raw.ok) return raw;
  const parsed = schema.safeParse(raw.params);
  if (!parsed.success) {
    // Report the first bad field in declaration order, so the reason is stable.
    const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
    const first = names.find((n) => bad.has(n)) ?? names[0];
    return { ok: false, reason: `bad_${first}` };
  }
  return { ok: true, params: parsed.data };
}

export function parseInstallParams(...sources: URLSearchParams[]): ParamsResult<InstallParams> {
  const r = validate(installSchema, sources);
  if (!r.ok) return r;
  return { ok: true, params: { shop: r.params.shop, token: r.params.token, insalesId: r.params.insales_id } };
}

/** Same fields as install; here `token` is the shop's API password itself (§1 Uninstall). */
export const parseUninstallParams: (...sources: URLSearchParams[]) => ParamsResult<UninstallParams> = parseInstallParams;

/** `user_id` / `user_email` also arrive but are unsigned (§1 step 1): not even read. */
export function parseLoginParams(query: URLSearchParams): ParamsResult<LoginParams> {
  const r = validate(loginSchema, [query]);
  if (!r.ok) return r;
  return { ok: true, params: { shop: r.params.shop, insalesId: r.params.insales_id } };
}

export function parseAutologinParams(query: URLSearchParams): ParamsResult<AutologinParams> {
  const r = validate(autologinSchema, [query]);
  // Reasons are logged: keep them ASCII (`bad_email_confirmed` for either spelling).
  if (!r.ok) return { ok: false, reason: r.reason.replace(EMAIL_CONFIRMED_CYRILLIC, "email_confirmed") };
  const p = r.params;
  // Something must authenticate the answer: `token`, or `token3` when no `token` came (§1 «Войти» step 4).
  if (p.token === undefined && p.token3 === undefined) return { ok: false, reason: "missing_token" };
  // Both spellings of the flag may come; the value is hashed exactly as received, so two different
  // values leave no single string to hash: refuse rather than pick one.
  const latin = p.email_confirmed;
  const cyrillic = p[EMAIL_CONFIRMED_CYRILLIC];
  if (latin !== undefined && cyrillic !== undefined && latin !== cyrillic) return { ok: false, reason: "duplicate_email_confirmed" };
  return {
    ok: true,
    params: {
      token: p.token,
      token2: p.token2,
      token3: p.token3,
      userEmail: p.user_email,
      userName: p.user_name,
      userId: p.user_id,
      emailConfirmed: latin ?? cyrillic,
    },
  };
}

export const MAX_FORM_BODY_BYTES = 16 * 1024;

/** The form body install/uninstall tolerate (§1 Install: "tolerate them in a form body too").
 * Only application/x-www-form-urlencoded is read, at most MAX_FORM_BODY_BYTES of it (lib/http/read-body.ts);
 * any other body is ignored, unread (the query still counts). */
export async function readFormBody(request: Request): Promise<ParamsResult<URLSearchParams>> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" || !request.body) return { ok: true, params: new URLSearchParams() };
  const body = await readBody(request, MAX_FORM_BODY_BYTES);
  if (!body.ok) return { ok: false, reason: `body_${body.reason}` };
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body.bytes);
  return { ok: true, params: new URLSearchParams(text) };
}
