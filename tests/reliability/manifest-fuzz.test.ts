// Malformed input against every route and server action the build itself lists (issue 12 item 7): 0 × 500.
//
// The routes come from .next/app-path-routes-manifest.json and the server actions (with the pages that
// can run them) from .next/server/server-reference-manifest.json, so a new route or action is fuzzed
// without anyone adding it here. Against the production server (started as `npm start` starts it), with
// and without a merchant session, each gets: a malformed percent-escape in every dynamic segment, every
// method, wrong and broken content types, garbage, mis-encoded and oversized bodies (declared and
// chunked), hostile router headers; each server action gets `Next-Action` POSTs with JSON and garbage
// arguments, broken multipart rows, foreign and unparsable Origins, oversized bodies, and the no-JS form
// encodings. Every answer must be below 500, and the server must still be up at the end.
// tests/reliability/bad-input.property.test.ts complements this one in-process, with a database oracle.
// Alone: `npm run build && npx vitest run tests/reliability/manifest-fuzz.test.ts`.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintSessionCookie } from "@/lib/auth/mint-session";
import { resetEnvCache } from "@/lib/env";
import { cloneTestDatabase } from "@/tests/support/test-db";
import { TEST_ENCRYPTION_KEY, TEST_ENV } from "@/tests/support/test-env";
import { sql } from "./support/app-cluster";
import {
  builtActions,
  builtRoutes,
  dynamicSegments,
  fillPattern,
  postStreamed,
  requireBuild,
  startProductionApp,
  type BuiltAction,
  type BuiltRoute,
  type ProductionApp,
} from "./support/production-app";

const SOME_ID = "00000000-0000-4000-8000-000000000000";
const CONCURRENCY = 4;

let app: ProductionApp;
let drop: () => Promise<void>;
let sessionCookie = "";

beforeAll(async () => {
  requireBuild();
  const db = await cloneTestDatabase();
  drop = db.drop;
  app = await startProductionApp({
    databaseUrl: db.url,
    logName: "manifest-fuzz",
    env: { RATE_LIMIT_RESULT: "0", RATE_LIMIT_CHECKOUT: "0", RATE_LIMIT_LIFECYCLE: "0", RATE_LIMIT_LOGIN: "0" },
  });
  // A merchant session of a real, active shop: the pages and actions then run past their session check.
  const shopId = randomUUID();
  await sql(db.url, `INSERT INTO "Shop" (id, "insalesId", host, status, "updatedAt") VALUES ($1, '7700001', 'fuzz-shop.myinsales.ru', 'ACTIVE', now())`, [shopId]);
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: db.url, APP_URL: app.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  resetEnvCache();
  const cookie = await mintSessionCookie({ shopId, insalesId: "7700001", host: "fuzz-shop.myinsales.ru", sessionGeneration: 0, userId: "1" });
  sessionCookie = `${cookie.name}=${cookie.value}`;
  // The session is real: a merchant page opens with it (else "with a session" would fuzz nothing more).
  const settings = await fetch(`${app.url}/settings`, { headers: { cookie: sessionCookie }, redirect: "manual" });
  if (settings.status !== 200) throw new Error(`the fuzz's merchant session is refused (GET /settings → ${settings.status})`);
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await drop?.();
});

// ---- what is thrown ------------------------------------------------------------------------------------

type Body = Uint8Array | { streamed: number; chunked: boolean };
type Probe = { name: string; method: string; path: string; headers: Record<string, string>; body?: Body };

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...b: number[]) => Uint8Array.from(b);

/** Segments Next cannot decode, and decodable ones that are still hostile. */
const BAD_SEGMENTS = ["%ZZ", "%E0%A4%A", "%", "%C3%28", "%FF%FE", "%F0%9F%98", "%uD800", "%00", "%2F..%2F..", "%25", "a".repeat(3000)];

const BAD_QUERY = "?%ZZ=%E0%A4%A&shop=%FF&shop=2&a[]=1&a[b]=2&insales_id=-1&token=%00&paymentStatus=5&=&&";

function multipart(parts: Array<{ name: string; value: string; filename?: string; type?: string }>, boundary = "fuzzboundary"): Uint8Array {
  const out = parts
    .map((p) => {
      const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ""}`;
      return `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ""}\r\n${p.value}\r\n`;
    })
    .join("");
  return enc(`${out}--${boundary}--\r\n`);
}

const MULTIPART = "multipart/form-data; boundary=fuzzboundary";

/** Bodies for any route: [content type (null: none), body]. */
const ROUTE_BODIES: Array<[string | null, Body]> = [
  ["application/x-www-form-urlencoded", enc("a=%ZZ&&==&b=%E0%A4%A&shop=1&shop=2&order_json=%7B")],
  ["application/x-www-form-urlencoded", bytes(0x61, 0x3d, 0xc3, 0x28, 0xff, 0xfe, 0x26, 0xe0, 0xa4)],
  ["application/x-www-form-urlencoded; charset=windows-1251", bytes(0x61, 0x3d, 0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)],
  [MULTIPART, enc("--fuzzboundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--fuzzboundary--garbage")],
  [MULTIPART, enc("--fuzzboundary\r\nbroken")],
  ["multipart/form-data", enc("--x\r\n\r\n")],
  ["multipart/form-data; boundary=", enc("--\r\n")],
  [MULTIPART, multipart([{ name: "file", value: "x".repeat(1000), filename: "a.bin", type: "application/octet-stream" }])],
  ["application/json", enc('{"a":')],
  ["application/json", enc('[{"__proto__":{"polluted":1}},"$1","$@0"]')],
  ["text/plain;charset=UTF-8", enc('["$Q1","$h1","$T","$nxyz"]')],
  [";;;", bytes(...Array.from({ length: 1024 }, (_, i) => (i * 7919) % 256))],
  [null, enc("\u0000\u0000garbage\u0000")],
  ["application/x-www-form-urlencoded", { streamed: 5 * 1024 * 1024, chunked: false }],
  ["application/x-www-form-urlencoded", { streamed: 5 * 1024 * 1024, chunked: true }],
  [MULTIPART, { streamed: 3 * 1024 * 1024, chunked: true }],
];

/** Headers that steer Next's router, with hostile values. */
const ROUTER_HEADERS: Array<Record<string, string>> = [
  { rsc: "1", "next-router-state-tree": "garbage" },
  { rsc: "1", "next-router-state-tree": "%5B%22%22%2C%7B%7D%5D%ZZ" },
  { rsc: "1", "next-router-prefetch": "1", "next-router-segment-prefetch": "/_tree/../garbage" },
  { purpose: "prefetch", "next-router-prefetch": "1" },
  { accept: "text/x-component", "next-url": "%ZZ" },
  { cookie: "next-auth.session-token=garbage; __Secure-next-auth.session-token=%ZZ; __Secure-im-insales-login=%00" },
  { "x-forwarded-host": "evil.example, other", "x-forwarded-proto": "gopher", "x-forwarded-for": "not-an-ip" },
  { range: "bytes=garbage", "if-none-match": '"', "if-modified-since": "yesterday" },
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function routeProbes(route: BuiltRoute): Probe[] {
  const probes: Probe[] = [];
  const sample = fillPattern(route.pattern, [SOME_ID, "success"]);
  const segments = dynamicSegments(route.pattern);
  const name = (what: string) => `${route.pattern}: ${what}`;
  // A malformed escape in every dynamic segment (or after the path when there is none).
  if (segments.length === 0) {
    for (const bad of BAD_SEGMENTS.slice(0, 4)) {
      for (const method of ["GET", "POST"]) {
        probes.push({ name: name(`${method} with ${bad} appended`), method, path: `${sample}${bad}`, headers: {} });
        probes.push({ name: name(`${method} with /${bad} below`), method, path: `${sample}/${bad}`, headers: {} });
      }
    }
  }
  segments.forEach((_, i) => {
    for (const bad of BAD_SEGMENTS) {
      const values = segments.map((_s, j) => (j === i ? bad : j === 0 ? SOME_ID : "success"));
      for (const method of ["GET", "POST"]) probes.push({ name: name(`${method} with segment ${i + 1} = ${bad.slice(0, 20)}`), method, path: fillPattern(route.pattern, values), headers: {} });
    }
  });
  for (const method of METHODS) probes.push({ name: name(method), method, path: sample, headers: {} });
  probes.push({ name: name("GET with a hostile query"), method: "GET", path: `${sample}${BAD_QUERY}`, headers: {} });
  ROUTE_BODIES.forEach(([type, body], i) => {
    const headers: Record<string, string> = type === null ? {} : { "content-type": type };
    probes.push({ name: name(`POST body #${i + 1} (${type ?? "no type"})`), method: "POST", path: `${sample}?shop=1`, headers, body });
  });
  probes.push({ name: name("PUT with a body"), method: "PUT", path: sample, headers: { "content-type": "application/x-www-form-urlencoded" }, body: enc("a=1") });
  ROUTER_HEADERS.forEach((headers, i) => probes.push({ name: name(`GET with router headers #${i + 1}`), method: "GET", path: sample, headers }));
  return probes;
}

const DEEP = `${"[".repeat(5000)}${"]".repeat(5000)}`;

/** Arguments of a fetch action, as the text body React's client sends for simple values. */
const ACTION_TEXT_BODIES = [
  "[]",
  '["x"]',
  "[{}]",
  "[null,\"x\"]",
  "[1,2,3,4,5,6,7,8,9,10]",
  '{"a":1}',
  '"str"',
  "null",
  '[{"eshopId":"1","secretKey":"$$x","legalForm":"$undefined","testMode":"$NaN","amount":"$n99999999999999999999","at":"$D2026-13-45"}]',
  '[[["$K1"]]]',
  "garbage",
  '["$1"]',
  '["$Q1"]',
  '["$@0"]',
  '["$nxyz"]',
  '["$T"]',
  '["$h0"]',
  '["$"]',
  DEEP,
  `[${'"x",'.repeat(2000)}"x"]`,
];

function actionMultipartBodies(): Uint8Array[] {
  return [
    multipart([{ name: "_1_paymentId", value: SOME_ID }]), // no root row
    multipart([{ name: "0", value: "garbage" }]),
    multipart([{ name: "0", value: '["$K1"]' }, { name: "_1_paymentId", value: SOME_ID }, { name: "_1_amount", value: "1e999" }, { name: "_1_problemId", value: "%ZZ" }]),
    multipart([{ name: "0", value: '[null,"$K1"]' }, { name: "_1_paymentId", value: "not-a-uuid" }]),
    multipart([{ name: "0", value: '["$K1"]' }, { name: "0", value: '["$K2"]' }]), // two roots
    multipart([{ name: "S", value: '["x"]' }, { name: "00", value: '["y"]' }]),
    multipart([{ name: "0", value: '["$1"]' }, { name: "1", value: "garbage" }]),
    multipart([{ name: "0", value: '["$K1"]' }, { name: "_1_f", value: "x", filename: "f.txt", type: "text/plain" }]),
    multipart([{ name: "0", value: '["x"]', type: "text/plain; charset=utf-16le" }]),
    // Cut short inside a file part.
    enc('--fuzzboundary\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="_1_f"; filename="a.bin"\r\n\r\nabcdef'),
  ];
}

function noJsFormBodies(action: BuiltAction): Uint8Array[] {
  const ref = (descriptor: string, bound?: string) =>
    multipart([
      { name: "$ACTION_REF_1", value: "" },
      { name: "$ACTION_1:0", value: descriptor },
      ...(bound === undefined ? [] : [{ name: "$ACTION_1:1", value: bound }]),
      { name: "$ACTION_KEY", value: "k0" },
      { name: "paymentId", value: SOME_ID },
    ]);
  return [
    multipart([{ name: `$ACTION_ID_${action.id}`, value: "" }, { name: "problemId", value: "%ZZ" }, { name: "paymentId", value: "x" }]),
    multipart([{ name: `$ACTION_ID_${action.id}`, value: "" }, { name: "paymentId", value: SOME_ID, filename: "x.bin" }]),
    multipart([{ name: "$ACTION_ID_ffffffffffffffffffffffffffffffffffffffffff", value: "" }]),
    ref(`{"id":"${action.id}","bound":"$@1"}`), // bound arguments missing
    ref(`{"id":"${action.id}","bound":"$@1"}`, "garbage"),
    ref(`{"id":"${action.id}","bound":"$@1"}`, `[${"0,".repeat(1500)}0]`),
    ref(`{"id":"${action.id}","bound":"$@1"}`, '"not an array of arguments, but a long string instead"'.repeat(30)),
    ref(`{"id":"${action.id}","bound":"$@1","id":"ffff"}`, "[null]"),
    ref(`{"id":"${action.id}","bound":"$Q1"}`, "[null]"),
    ref("garbage"),
  ];
}

function actionProbes(action: BuiltAction): Probe[] {
  const probes: Probe[] = [];
  const paths = [...new Set([...action.pages.slice(0, 1).map((p) => fillPattern(p, [SOME_ID])), "/login-required", "/no-such-page"])];
  for (const path of paths) {
    const name = (what: string) => `action ${action.name} at ${path}: ${what}`;
    const fetchAction = (type: string, origin: string | null = app.url) => ({ "next-action": action.id, "content-type": type, ...(origin === null ? {} : { origin }) });
    ACTION_TEXT_BODIES.forEach((body, i) => probes.push({ name: name(`text arguments #${i + 1} ${body.slice(0, 30)}`), method: "POST", path, headers: fetchAction("text/plain;charset=UTF-8"), body: enc(body) }));
    actionMultipartBodies().forEach((body, i) => probes.push({ name: name(`multipart arguments #${i + 1}`), method: "POST", path, headers: fetchAction(MULTIPART), body }));
    probes.push({ name: name("multipart without a boundary"), method: "POST", path, headers: fetchAction("multipart/form-data"), body: enc("0=[]") });
    probes.push({ name: name("urlencoded"), method: "POST", path, headers: fetchAction("application/x-www-form-urlencoded"), body: enc("0=%5B%5D") });
    probes.push({ name: name("JSON type"), method: "POST", path, headers: fetchAction("application/json"), body: enc('["x"]') });
    for (const origin of ["http://evil.example", "null", "garbage", "http://", `${app.url}:99999`]) {
      probes.push({ name: name(`Origin ${origin}`), method: "POST", path, headers: fetchAction("text/plain;charset=UTF-8", origin), body: enc('["x"]') });
      probes.push({ name: name(`no-JS form, Origin ${origin}`), method: "POST", path, headers: { "content-type": MULTIPART, origin }, body: noJsFormBodies(action)[0] });
    }
    probes.push({ name: name("without Origin"), method: "POST", path, headers: fetchAction("text/plain;charset=UTF-8", null), body: enc('["x"]') });
    probes.push({ name: name("a declared 128 KiB body"), method: "POST", path, headers: fetchAction("text/plain;charset=UTF-8"), body: { streamed: 128 * 1024, chunked: false } });
    probes.push({ name: name("a chunked 2 MiB body"), method: "POST", path, headers: fetchAction("text/plain;charset=UTF-8"), body: { streamed: 2 * 1024 * 1024, chunked: true } });
    probes.push({ name: name("GET with Next-Action"), method: "GET", path, headers: fetchAction("text/plain;charset=UTF-8") });
    noJsFormBodies(action).forEach((body, i) => probes.push({ name: name(`no-JS form #${i + 1}`), method: "POST", path, headers: { "content-type": MULTIPART, origin: app.url }, body }));
  }
  return probes;
}

// ---- sending -------------------------------------------------------------------------------------------

async function send(probe: Probe, cookie: string | null): Promise<{ status: number; error?: string }> {
  const headers = { ...probe.headers, ...(cookie && !probe.headers.cookie ? { cookie } : {}) };
  const url = `${app.url}${probe.path}`;
  const body = probe.body;
  if (body && !(body instanceof Uint8Array)) {
    const a = await postStreamed(url, { totalBytes: body.streamed, chunked: body.chunked, headers, method: probe.method });
    return { status: a.status, error: a.error };
  }
  try {
    const r = await fetch(url, { method: probe.method, headers, body: body ? Buffer.from(body) : undefined, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    await r.arrayBuffer();
    return { status: r.status };
  } catch (error) {
    return { status: 0, error: ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message };
  }
}

describe("the build's own routes and server actions refuse malformed input with a 4xx, never a 500", () => {
  it("the issue's own examples, and next-auth's endpoints are gone", async () => {
    const status = async (path: string, init: RequestInit = {}, cookie: string | null = null) =>
      (await fetch(`${app.url}${path}`, { redirect: "manual", ...init, headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } })).status;
    for (const cookie of [null, sessionCookie]) {
      expect(await status("/api/intellectmoney/return/%E0%A4%A/success", {}, cookie)).toBe(400);
      expect(await status("/payments/%ZZ", {}, cookie)).toBe(400);
    }
    // A server action called with JSON arguments: an object instead of the argument list is refused by
    // the gate; a list with the wrong types reaches the action, which refuses it itself (no 500 either way).
    const resolve = builtActions().find((a) => a.name.endsWith("#resolveProblemAction"));
    expect(resolve, "resolveProblemAction is not in the server-reference manifest").toBeDefined();
    const page = fillPattern(resolve!.pages[0], [SOME_ID]);
    const call = (body: string) => ({ method: "POST", headers: { "next-action": resolve!.id, "content-type": "text/plain;charset=UTF-8", origin: app.url }, body });
    expect(await status(page, call('{"problemId":"x"}'), sessionCookie)).toBe(400);
    expect(await status(page, call('["x"]'), sessionCookie)).toBe(200);

    expect(builtRoutes().filter((r) => r.pattern.startsWith("/api/auth"))).toEqual([]);
    for (const path of ["/api/auth/session", "/api/auth/csrf", "/api/auth/providers", "/api/auth/signin", "/api/auth/signout", "/api/auth/callback/credentials", "/api/auth/_log"]) {
      expect(await status(path), `GET ${path}`).toBe(404);
      expect(await status(path, { method: "POST", body: "csrfToken=x&callbackUrl=/", headers: { "content-type": "application/x-www-form-urlencoded" } }), `POST ${path}`).toBe(404);
    }
  });

  it("every route and server action from the manifests: 0 × 500, and the server stays up", async () => {
    const routes = builtRoutes();
    const actions = builtActions();
    expect(routes.length, "no routes in .next/app-path-routes-manifest.json").toBeGreaterThan(5);
    expect(actions.length, "no server actions in .next/server/server-reference-manifest.json").toBeGreaterThan(0);
    const probes = [...routes.flatMap(routeProbes), ...actions.flatMap(actionProbes)];
    const jobs = probes.flatMap((p) => [
      { p, cookie: null as string | null },
      { p, cookie: sessionCookie },
    ]);
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    const started = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const { p, cookie } = jobs[next++];
        const a = await send(p, cookie);
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        // An oversized body may be refused by closing the connection once the server stopped reading
        // (its answer can then be lost in the reset): no answer, but no 500 either; the process is
        // checked below. Any other request must be answered.
        const streamed = p.body !== undefined && !(p.body instanceof Uint8Array);
        if (a.status === 0 && streamed && /^(EPIPE|ECONNRESET|closed)$/.test(a.error ?? "")) continue;
        if (a.status >= 500 || a.status === 0) failures.push(`${a.status}${a.error ? ` (${a.error})` : ""} ← ${p.method} ${p.path.slice(0, 120)} ${cookie ? "[session]" : "[anonymous]"} — ${p.name}`);
      }
    }));
    console.log(
      `manifest fuzz: ${routes.length} routes, ${actions.length} server actions, ${jobs.length} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `answers ${JSON.stringify(statuses)}; peak RSS ${(app.memory().hwmKb / 1024).toFixed(0)} MB`,
    );
    expect(failures, failures.slice(0, 40).join("\n")).toEqual([]);
    expect(app.alive()).toBe(true);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    // Next survives an uncaught exception or rejection and only logs it: none may happen either.
    const uncaught = readFileSync(app.logFile, "utf8").split("\n").filter((l) => /uncaughtException|unhandledRejection/.test(l));
    expect(uncaught, `see ${app.logFile}`).toEqual([]);
  }, 180_000);
});
