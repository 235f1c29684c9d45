// The shape of a server action's arguments on the wire, as far as our forms ever send it. Next hands a
// server action's body to React's reply decoder (react-server-dom `decodeReply`), which throws on
// anything it cannot decode (broken JSON, a reference to a row that is not there, a bad BigInt, a nesting
// deeper than its recursion survives), and Next answers every such throw with a 500 — before any code of
// ours runs. So the proxy admits only the subset of the encoding our client produces (lib/http/
// server-action-gate.ts) and refuses the rest with a 400.
//
// A row is JSON. Strings that start with "$" are React's tags; of those we admit only the ones that stand
// for a plain value and cannot fail: "$$…" (a string that starts with "$"), "$undefined", "$NaN",
// "$Infinity", "$-Infinity", "$-0", "$D<date>", "$n<digits>" (BigInt), and — where a form is sent — "$K<n>"
// (a FormData built from the body's own fields). References to other rows, promises, streams, maps,
// sets, blobs, typed arrays, server and temporary references are never sent by our forms and refused.

/** Deeper than any form of ours nests (the settings form: 3); far below what React's recursion survives. */
export const MAX_REPLY_DEPTH = 32;
/** React refuses a longer BigInt itself ("BigInt is too large"). */
const MAX_BIGINT_DIGITS = 300;

export type ReplyCheck = { ok: true } | { ok: false; reason: string };

function checkTag(value: string, allowFormData: boolean): ReplyCheck {
  if (value[0] !== "$") return { ok: true };
  const tag = value[1];
  switch (tag) {
    case "$": // escaped "$"
    case "u": // undefined
    case "N": // NaN
    case "I": // Infinity
    case "-": // -0 / -Infinity
    case "D": // Date (an unparsable one is an Invalid Date, not an error)
      return { ok: true };
    case "n":
      return new RegExp(`^-?[0-9]{1,${MAX_BIGINT_DIGITS}}$`).test(value.slice(2)) ? { ok: true } : { ok: false, reason: "bad_bigint" };
    case "K":
      return allowFormData ? { ok: true } : { ok: false, reason: "unexpected_form_data" };
    default:
      return { ok: false, reason: "unsupported_reference" };
  }
}

/**
 * Checks an already parsed JSON row: only admitted tags, at most MAX_REPLY_DEPTH levels. Iterative, so
 * the check itself cannot overflow the stack on the input it exists to refuse.
 */
export function checkReplyValue(root: unknown, opts: { allowFormData: boolean }): ReplyCheck {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === "string") {
      const tag = checkTag(value, opts.allowFormData);
      if (!tag.ok) return tag;
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_REPLY_DEPTH) return { ok: false, reason: "too_deep" };
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return { ok: true };
}

/** Parses one row (the text of a non-multipart action body, or a form field holding a row) and checks it. */
export function checkReplyRow(text: string, opts: { allowFormData: boolean }): ReplyCheck & { value?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not_json" };
  }
  const checked = checkReplyValue(value, opts);
  return checked.ok ? { ok: true, value } : checked;
}
