// An application/x-www-form-urlencoded body read as BYTES first, text second, for the IntellectMoney result
// route (docs/protocols/intellectmoney.md §3 «Encoding»): IntellectMoney's notifications may carry their
// Cyrillic `serviceName` in windows-1251. `new URLSearchParams(utf8Text)` cannot read those: it decodes
// every percent-escape as UTF-8 and turns each windows-1251 byte into U+FFFD, after which no hash can match.
//
// So: split and percent-decode the body to bytes (the WHATWG urlencoded parser, stopping before its UTF-8
// step), then decode all names and values with one charset — the declared one, or UTF-8 when none is
// declared, with windows-1251 when those bytes are not valid UTF-8.
import { decodeWindows1251 } from "./windows-1251";

export type FormCharset = "utf-8" | "windows-1251";

export type DecodedForm =
  | { ok: true; form: URLSearchParams; charset: FormCharset }
  /** The body declares a charset we do not read (neither UTF-8 nor windows-1251). */
  | { ok: false; reason: "unsupported_charset"; charset: string };

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** `+` → space and `%XX` → the byte XX; a `%` not followed by two hex digits stays as it is (WHATWG). */
export function percentDecodeBytes(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    if (byte === PLUS) {
      out[n++] = 0x20;
    } else if (byte === PERCENT && i + 2 < input.length && hexValue(input[i + 1]) >= 0 && hexValue(input[i + 2]) >= 0) {
      out[n++] = hexValue(input[i + 1]) * 16 + hexValue(input[i + 2]);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  return out.slice(0, n);
}

/** The body's name/value pairs as raw bytes, in order (empty sequences between `&` skipped, as WHATWG does). */
export function splitUrlencodedBytes(body: Uint8Array): Array<[Uint8Array, Uint8Array]> {
  const pairs: Array<[Uint8Array, Uint8Array]> = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i < body.length && body[i] !== AMPERSAND) continue;
    const sequence = body.subarray(start, i);
    start = i + 1;
    if (sequence.length === 0) continue;
    const eq = sequence.indexOf(EQUALS);
    const name = eq === -1 ? sequence : sequence.subarray(0, eq);
    const value = eq === -1 ? new Uint8Array(0) : sequence.subarray(eq + 1);
    pairs.push([percentDecodeBytes(name), percentDecodeBytes(value)]);
  }
  return pairs;
}

/** The `charset` parameter of a Content-Type, lower-cased and unquoted; null when there is none. */
export function declaredCharset(contentType: string | null): string | null {
  if (!contentType) return null;
  for (const param of contentType.split(";").slice(1)) {
    const [name, ...rest] = param.split("=");
    if (name.trim().toLowerCase() === "charset") return rest.join("=").trim().replace(/^"|"$/g, "").toLowerCase() || null;
  }
  return null;
}

/** A declared label as one of ours (its WHATWG aliases too: utf8, cp1251, x-cp1251 …), or null. */
function knownCharset(label: string): FormCharset | null {
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return null; // not a label any browser knows
  }
  return encoding === "utf-8" || encoding === "windows-1251" ? encoding : null;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

function allUtf8(pairs: Array<[Uint8Array, Uint8Array]>): boolean {
  try {
    for (const [name, value] of pairs) {
      STRICT_UTF8.decode(name);
      STRICT_UTF8.decode(value);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The form in the declared charset; without one, or with UTF-8 declared but bytes that are not UTF-8, in
 * windows-1251 (every byte sequence is valid windows-1251, and what it means is for the hash to decide:
 * decoding proves nothing). One charset for the whole body: a sender does not mix them.
 */
export function decodeUrlencodedForm(body: Uint8Array, contentType: string | null): DecodedForm {
  const pairs = splitUrlencodedBytes(body);
  const declared = declaredCharset(contentType);
  let charset: FormCharset;
  if (declared === null) {
    charset = allUtf8(pairs) ? "utf-8" : "windows-1251";
  } else {
    const known = knownCharset(declared);
    if (!known) return { ok: false, reason: "unsupported_charset", charset: declared.slice(0, 40) };
    charset = known === "utf-8" && !allUtf8(pairs) ? "windows-1251" : known;
  }
  // ignoreBOM: a leading U+FEFF stays in the value, exactly as received (the hash is over what was sent).
  const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
  const decode = charset === "utf-8" ? (b: Uint8Array) => utf8.decode(b) : decodeWindows1251;
  const form = new URLSearchParams();
  for (const [name, value] of pairs) form.append(decode(name), decode(value));
  return { ok: true, form, charset };
}
