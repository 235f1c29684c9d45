// The server-action gate (lib/http/server-action-gate.ts) against React's own decoder: whatever the gate
// lets through, the decoder Next runs (react-server-dom-turbopack, in a child process under the
// "react-server" condition: tests/support/react-reply-decoder.cjs) decodes into an argument list without
// throwing — a throw there is Next's 500 (issue 12 item 7). And whatever our client encodes (React's
// `encodeReply`, the one Next's client calls), the gate lets through: a refusal there would break a form.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkServerActionRequest, SERVER_ACTION_BODY_LIMIT_BYTES } from "./server-action-gate";

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = "http://app.test.local";
const MULTIPART = "multipart/form-data; boundary=gateboundary";

// ---- React's decoder, in a child ----------------------------------------------------------------------

type Decoded = { ok: true; isArray: boolean; length: number } | { ok: false; error: string };
let decoder: ChildProcessWithoutNullStreams;
const waiting: Array<(d: Decoded) => void> = [];

beforeAll(() => {
  decoder = spawn(process.execPath, ["--conditions=react-server", path.join(ROOT, "tests/support/react-reply-decoder.cjs")], {
    env: { ...process.env, NODE_ENV: "production", ACTION_BODY_LIMIT: String(SERVER_ACTION_BODY_LIMIT_BYTES) },
  });
  createInterface({ input: decoder.stdout }).on("line", (line) => waiting.shift()?.(JSON.parse(line) as Decoded));
});

afterAll(() => {
  decoder?.kill();
});

function reactDecodes(body: Uint8Array, contentType: string): Promise<Decoded> {
  const input = contentType.startsWith("multipart/form-data")
    ? { contentType, base64: Buffer.from(body).toString("base64") }
    : { text: Buffer.from(body).toString("utf-8") };
  return new Promise((resolve) => {
    waiting.push(resolve);
    decoder.stdin.write(`${JSON.stringify(input)}\n`);
  });
}

// ---- requests -----------------------------------------------------------------------------------------

const enc = (s: string) => new TextEncoder().encode(s);

function actionRequest(body: Uint8Array | string, init: { type?: string; headers?: Record<string, string>; method?: string; action?: string | null } = {}): Request {
  const headers = new Headers({ host: "app.test.local", ...init.headers });
  if (init.action !== null) headers.set("next-action", init.action ?? "40abcdef");
  if (init.type !== undefined) headers.set("content-type", init.type);
  return new Request(`${APP}/payments`, { method: init.method ?? "POST", headers, body: typeof body === "string" ? body : Buffer.from(body) });
}

function multipart(parts: Array<{ name: string; value: string; filename?: string; type?: string }>, boundary = "gateboundary"): Uint8Array {
  const body = parts
    .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n${p.value}\r\n`)
    .join("");
  return enc(`${body}--${boundary}--\r\n`);
}

async function verdict(req: Request) {
  return checkServerActionRequest(req);
}

// ---- examples -----------------------------------------------------------------------------------------

describe("which requests are gated", () => {
  it("lets every non-action request through without reading its body", async () => {
    for (const req of [
      new Request(`${APP}/payments`, { headers: { "next-action": "40ab" } }), // a GET is never an action
      actionRequest("garbage", { action: null, type: "text/plain" }),
      actionRequest("garbage", { action: null }),
      actionRequest("garbage", { type: "application/x-www-form-urlencoded" }), // Next bails out on this type itself
    ]) {
      expect(await verdict(req)).toEqual({ ok: true });
      expect(req.bodyUsed).toBe(false);
    }
  });

  it("gates a POST with Next-Action, and a multipart POST without it (a form posted without JavaScript)", async () => {
    expect(await verdict(actionRequest("garbage", { type: "text/plain;charset=UTF-8" }))).toMatchObject({ ok: false, status: 400 });
    expect(await verdict(actionRequest("garbage", { action: null, type: MULTIPART }))).toMatchObject({ ok: false, status: 400 });
  });
});

describe("Origin (Next's CSRF check answers 500 for these)", () => {
  const body = '["x"]';
  it.each([
    ["no Origin", {}, true],
    ["our own origin", { origin: APP }, true],
    ["the forwarded host's origin", { origin: "https://im.example.ru", "x-forwarded-host": "im.example.ru" }, true],
    ["a foreign origin", { origin: "http://evil.example" }, false],
    ["a foreign origin though the Host matches when a forwarded host is set", { origin: APP, "x-forwarded-host": "im.example.ru" }, false],
    ["Origin: null", { origin: "null" }, false],
    ["an Origin that is not a URL", { origin: "garbage" }, false],
  ])("%s", async (_name, headers, allowed) => {
    const v = await verdict(actionRequest(body, { type: "text/plain;charset=UTF-8", headers }));
    expect(v).toEqual(allowed ? { ok: true } : { ok: false, status: 403, reason: expect.any(String) });
  });
});

describe("size", () => {
  it("refuses a declared Content-Length over the limit before reading, and a longer chunked body", async () => {
    const declared = actionRequest("[]", { type: "text/plain;charset=UTF-8", headers: { "content-length": String(SERVER_ACTION_BODY_LIMIT_BYTES + 1) } });
    expect(await verdict(declared)).toEqual({ ok: false, status: 413, reason: "too_large" });
    const long = `["${"a".repeat(SERVER_ACTION_BODY_LIMIT_BYTES)}"]`;
    expect(await verdict(actionRequest(long, { type: "text/plain;charset=UTF-8" }))).toEqual({ ok: false, status: 413, reason: "too_large" });
    const atLimit = `["${"a".repeat(SERVER_ACTION_BODY_LIMIT_BYTES - 4)}"]`;
    expect(await verdict(actionRequest(atLimit, { type: "text/plain;charset=UTF-8" }))).toEqual({ ok: true });
  });
});

describe("arguments as text (what React's client sends for plain values)", () => {
  it.each([
    "[]",
    '["x"]',
    '[{"eshopId":"1","nested":{"list":[1,2,{"deep":"$$dollar"}]}}]',
    '["$undefined","$NaN","$Infinity","$-Infinity","$-0","$D2026-01-02T03:04:05.000Z","$n123456789012345678901234567890"]',
    '[null,true,false,1.5,-3]',
  ])("admits %s", async (body) => {
    expect(await verdict(actionRequest(body, { type: "text/plain;charset=UTF-8" }))).toEqual({ ok: true });
    expect(await reactDecodes(enc(body), "text/plain")).toMatchObject({ ok: true, isArray: true });
  });

  it.each([
    ["not JSON", "garbage"],
    ["not an argument list", '"str"'],
    ["null", "null"],
    ["an object", '{"a":1}'],
    ["more than 1000 arguments", `[${"0,".repeat(1000)}0]`],
    ["a reference to a missing row", '["$1"]'],
    ["a Map reference", '["$Q1"]'],
    ["a promise reference", '["$@0"]'],
    ["a server reference", '["$h0"]'],
    ["a temporary reference", '["$T"]'],
    ["a lone $", '["$"]'],
    ["a bad BigInt", '["$nxyz"]'],
    ["a BigInt of 301 digits", `["$n${"1".repeat(301)}"]`],
    ["FormData in a text body", '["$K1"]'],
    ["nesting deeper than any form", `${"[".repeat(40)}${"]".repeat(40)}`],
    ["nesting deep enough to overflow React's recursion", `${"[".repeat(20_000)}${"]".repeat(20_000)}`],
  ])("refuses %s", async (_name, body) => {
    expect(await verdict(actionRequest(body, { type: "text/plain;charset=UTF-8" }))).toMatchObject({ ok: false, status: 400 });
  });
});

describe("arguments as multipart (a FormData argument)", () => {
  it("admits what React's client sends for a form", async () => {
    const body = multipart([
      { name: "_1_paymentId", value: "p" },
      { name: "_1_amount", value: "1,00" },
      { name: "0", value: '[null,"$K1"]' },
    ]);
    expect(await verdict(actionRequest(body, { type: MULTIPART }))).toEqual({ ok: true });
    expect(await reactDecodes(body, MULTIPART)).toMatchObject({ ok: true, isArray: true, length: 2 });
  });

  it.each([
    // [what, parts, does React itself throw on it (Next's 500)?]
    ["no root row", [{ name: "_1_a", value: "b" }], true],
    ["two root rows", [{ name: "0", value: "[]" }, { name: "0", value: "[]" }], true],
    ["a second root row under another name React reads as row 0", [{ name: "0", value: "[]" }, { name: "S0", value: "[]" }], true],
    ["a root row that is not JSON", [{ name: "0", value: "garbage" }], true],
    ["a root row referencing another row", [{ name: "0", value: '["$1"]' }, { name: "1", value: "[]" }], false],
    ["a file", [{ name: "0", value: '["$K1"]' }, { name: "_1_f", value: "x", filename: "f.txt" }], false],
    ["a field without a name", [{ name: "0", value: "[]" }, { name: "", value: "x" }], true],
  ])("refuses %s", async (_name, parts, reactThrows) => {
    const body = multipart(parts);
    expect(await verdict(actionRequest(body, { type: MULTIPART }))).toMatchObject({ ok: false, status: 400 });
    if (reactThrows) expect(await reactDecodes(body, MULTIPART)).toMatchObject({ ok: false });
  });

  it("refuses a body cut inside a file part, without an uncaught error", async () => {
    const cut = enc('--gateboundary\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--gateboundary\r\nContent-Disposition: form-data; name="_1_f"; filename="a.bin"\r\n\r\nabcdef');
    const uncaught: unknown[] = [];
    const listener = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", listener);
    try {
      expect(await verdict(actionRequest(cut, { type: MULTIPART }))).toMatchObject({ ok: false, status: 400 });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off("uncaughtException", listener);
    }
    expect(uncaught).toEqual([]);
  });

  it("refuses a broken multipart body and one without a boundary", async () => {
    expect(await verdict(actionRequest(enc("--gateboundary\r\nbroken"), { type: MULTIPART }))).toMatchObject({ ok: false, status: 400 });
    expect(await verdict(actionRequest(enc("0=[]"), { type: "multipart/form-data" }))).toMatchObject({ ok: false, status: 400 });
  });
});

describe("forms posted without JavaScript", () => {
  const id = "40abcdef0123456789abcdef0123456789abcdef01";
  const noJs = (parts: Parameters<typeof multipart>[0]) => actionRequest(multipart(parts), { action: null, type: MULTIPART });

  it("admits an action id form and a bound action with its arguments (useActionState)", async () => {
    expect(await verdict(noJs([{ name: `$ACTION_ID_${id}`, value: "" }, { name: "problemId", value: "x" }]))).toEqual({ ok: true });
    const bound = [
      { name: "$ACTION_REF_1", value: "" },
      { name: "$ACTION_1:0", value: `{"id":"${id}","bound":"$@1"}` },
      { name: "$ACTION_1:1", value: "[null]" },
      { name: "$ACTION_KEY", value: "k1" },
      { name: "paymentId", value: "p" },
    ];
    expect(await verdict(noJs(bound))).toEqual({ ok: true });
  });

  it.each([
    ["a descriptor that is not JSON", [{ name: "$ACTION_REF_1", value: "" }, { name: "$ACTION_1:0", value: "garbage" }]],
    ["a descriptor without its bound arguments", [{ name: "$ACTION_REF_1", value: "" }, { name: "$ACTION_1:0", value: `{"id":"${id}","bound":"$@1"}` }]],
    ["bound arguments that are not a list", [{ name: "$ACTION_REF_1", value: "" }, { name: "$ACTION_1:0", value: `{"id":"${id}","bound":"$@1"}` }, { name: "$ACTION_1:1", value: '"x"' }]],
    ["a descriptor whose id Next and React would read differently", [{ name: "$ACTION_REF_1", value: "" }, { name: "$ACTION_1:0", value: `{"id":"${id}","bound":null,"id":"ffff"}` }]],
    ["a bound reference of another kind", [{ name: "$ACTION_REF_1", value: "" }, { name: "$ACTION_1:0", value: `{"id":"${id}","bound":"$Q1"}` }, { name: "$ACTION_1:1", value: "[]" }]],
  ])("refuses %s", async (_name, parts) => {
    expect(await verdict(noJs(parts))).toMatchObject({ ok: false, status: 400 });
  });
});

// ---- properties -----------------------------------------------------------------------------------------

const TAGGED = fc.constantFrom(
  "$", "$$", "$$x", "$undefined", "$u", "$NaN", "$Infinity", "$-Infinity", "$-0", "$-x", "$D2026-01-01", "$Dgarbage", "$n123", "$n-5", "$n", "$nx",
  "$n1.5", "$K1", "$K", "$Q1", "$W1", "$@0", "$@1", "$1", "$0", "$T", "$h1", "$i", "$R", "$r", "$X", "$x", "$B1", "$A", "$O", "$S", "$Z", "$F", "$E", "$Y",
);
const replyString = fc.oneof(fc.string({ maxLength: 12 }), TAGGED, fc.string({ maxLength: 6 }).map((s) => `$${s}`));
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "then", "$$typeof", "constructor", "0", "$K1"));
const { value: replyValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    replyString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
const textBody = fc.oneof(
  { weight: 6, arbitrary: replyValue.map((v) => JSON.stringify(v)) },
  { weight: 4, arbitrary: fc.array(replyValue, { maxLength: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.array(replyValue, { maxLength: 5 }).chain((v) => fc.nat(40).map((n) => JSON.stringify(v).slice(0, n))) },
);
const fieldName = fc.oneof(fc.constantFrom("0", "00", "-0", "0.0", " 0", "S", "S0", "S1", "1", "2", "_1_a", "_1_b", "_2_c", "$ACTION_ID_1", ""), fc.string({ maxLength: 5 }));
const multipartBody = fc
  .tuple(
    fc.array(fc.record({ name: fieldName, value: textBody, file: fc.boolean(), type: fc.constantFrom(undefined, "text/plain; charset=utf-16le", "text/plain; charset=latin1") }), { minLength: 1, maxLength: 5 }),
    fc.nat(12),
  )
  .map(([parts, cut]) => {
    const body = multipart(parts.map((p) => ({ name: p.name.replace(/["\r\n]/g, ""), value: p.value, filename: p.file && p.name === "_1_a" ? "f.bin" : undefined, type: p.type })));
    return cut === 0 ? body.subarray(0, Math.max(1, body.length - 10)) : body; // sometimes cut short
  });

describe("whatever the gate admits, React decodes into an argument list (no 500)", () => {
  it("text bodies", async () => {
    await fc.assert(
      fc.asyncProperty(textBody, async (body) => {
        const v = await verdict(actionRequest(body, { type: "text/plain;charset=UTF-8" }));
        if (!v.ok) return;
        const decoded = await reactDecodes(enc(body), "text/plain");
        expect(decoded, body).toMatchObject({ ok: true, isArray: true });
        expect((decoded as { length: number }).length).toBeLessThanOrEqual(1000);
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  it("multipart bodies", async () => {
    await fc.assert(
      fc.asyncProperty(multipartBody, async (body) => {
        const v = await verdict(actionRequest(body, { type: MULTIPART }));
        if (!v.ok) return;
        expect(await reactDecodes(body, MULTIPART), Buffer.from(body).toString("latin1")).toMatchObject({ ok: true, isArray: true });
      }),
      { numRuns: 400 },
    );
  }, 60_000);
});

// React's client encoder, the one Next's client calls (its node build loads without the react-server condition).
const requireFromRoot = createRequire(path.join(ROOT, "package.json"));
const reactClient = requireFromRoot("./node_modules/next/dist/compiled/react-server-dom-turbopack/cjs/react-server-dom-turbopack-client.node.production.js") as {
  encodeReply: (value: unknown) => Promise<string | FormData>;
};

const { plain } = fc.letrec((tie) => ({
  plain: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(), // NaN, ±Infinity and -0 included
    fc.string({ maxLength: 10 }),
    replyString, // "$…" strings our users may type: the encoder escapes them
    fc.date({ noInvalidDate: true }),
    fc.bigInt(),
    fc.array(tie("plain"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("plain"), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
const formArgument = fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 })), { maxLength: 4 }).map((entries) => {
  const form = new FormData();
  for (const [k, v] of entries) form.append(k, v);
  return form;
});

describe("whatever our client sends, the gate admits", () => {
  it("arguments of plain values and forms, as React's encodeReply writes them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 5, arbitrary: plain }, { weight: 1, arbitrary: formArgument }), { maxLength: 3 }), async (args) => {
        const encoded = await reactClient.encodeReply(args);
        let body: Uint8Array;
        let type: string;
        if (typeof encoded === "string") {
          body = enc(encoded);
          type = "text/plain;charset=UTF-8";
        } else {
          const wire = new Response(encoded);
          body = new Uint8Array(await wire.arrayBuffer());
          type = wire.headers.get("content-type")!;
        }
        expect(await verdict(actionRequest(body, { type, headers: { origin: APP } })), typeof encoded === "string" ? encoded : type).toEqual({ ok: true });
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe("configuration", () => {
  it("next.config.mjs gives Next the gate's limit, and copies enough of a body for the gate to see it is too long", async () => {
    const config = (await import(path.join(ROOT, "next.config.mjs"))) as { default: { experimental: { serverActions: { bodySizeLimit: number }; proxyClientMaxBodySize: number } } };
    expect(config.default.experimental.serverActions.bodySizeLimit).toBe(SERVER_ACTION_BODY_LIMIT_BYTES);
    // Next drops the chunk (up to one 64 KiB socket read) that crosses its copy limit.
    expect(config.default.experimental.proxyClientMaxBodySize).toBeGreaterThan(SERVER_ACTION_BODY_LIMIT_BYTES + 64 * 1024);
  });
});
