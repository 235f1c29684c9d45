// Bodies of any size against the production server (issue 12 item 5): a 160 MB POST to
// /api/auth/signout killed `npm start` at its heap cap, and a 400 MB chunked POST to the result route was
// read whole before its 64 KiB check (RSS 1.26 GB). Now every route reads through one bounded reader
// (lib/http/read-body.ts), next-auth's endpoints are gone, and page POSTs pass the server-action gate.
//
// The server is the production build started as `npm start` starts it (its node flags, the 256 MB heap cap
// included: tests/reliability/support/production-app.ts). Every route the build lists gets a 500 MB body,
// declared and chunked; then every capped route gets 20 bodies at its cap at once. The bodies are
// generated while they are sent, never held here. What must hold: each is answered below 500, the process
// stays up and its peak RSS (VmHWM, from /proc) stays under 400 MB. Alone:
// `npm run build && npx vitest run tests/reliability/body-limits.test.ts`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FORM_BODY_BYTES } from "@/lib/insales/lifecycle-params";
import { BUSY_BUDGET_BYTES, FREE_BYTES_PER_BODY } from "@/lib/http/read-body";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "@/lib/http/server-action-gate";
import { MAX_CHECKOUT_BODY_BYTES } from "@/app/api/insales/payment/checkout-http";
import { cloneTestDatabase } from "@/tests/support/test-db";
import { builtActions, builtRoutes, fillPattern, postStreamed, requireBuild, startProductionApp, type ProductionApp, type StreamedAnswer } from "./support/production-app";

const MB = 1024 * 1024;
const HUGE = 500 * 1000 * 1000;
const RSS_LIMIT_KB = 400 * 1024;
const SOME_ID = "00000000-0000-4000-8000-000000000000";

let app: ProductionApp;
let drop: () => Promise<void>;

beforeAll(async () => {
  requireBuild();
  const db = await cloneTestDatabase();
  drop = db.drop;
  app = await startProductionApp({
    databaseUrl: db.url,
    logName: "body-limits",
    env: { RATE_LIMIT_RESULT: "0", RATE_LIMIT_CHECKOUT: "0", RATE_LIMIT_LIFECYCLE: "0", RATE_LIMIT_LOGIN: "0" },
  });
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await drop?.();
});

type Target = { name: string; path: string; headers: Record<string, string> };

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** Every route of the build, as the body-reading callers post to it; pages also as a server action and a no-JS form. */
function hugeTargets(): Target[] {
  const targets: Target[] = [];
  for (const route of builtRoutes()) {
    targets.push({ name: `${route.kind} ${route.pattern}`, path: fillPattern(route.pattern, [SOME_ID, "success"]), headers: FORM });
  }
  // Where a 160 MB POST used to kill the server (next-auth's sign-out).
  targets.push({ name: "next-auth's old sign-out", path: "/api/auth/signout", headers: FORM });
  const action = builtActions().find((a) => a.pages.length > 0);
  if (!action) throw new Error("the build lists no server action with a page");
  const page = fillPattern(action.pages[0], [SOME_ID]);
  targets.push({ name: `server action ${action.name}`, path: page, headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8" } });
  targets.push({ name: `no-JS form to ${action.pages[0]}`, path: page, headers: { "content-type": "multipart/form-data; boundary=x" } });
  return targets;
}

async function inPool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

function describeAnswer(t: Target, mode: string, a: StreamedAnswer): string {
  return `${t.name} (${t.path}, ${mode}): ${a.status}${a.error ? ` ${a.error}` : ""} after ${(a.sentBytes / MB).toFixed(1)} MB sent`;
}

describe("request bodies of any size against `npm start` (heap cap included)", () => {
  it("a 500 MB body to every route, declared and chunked: answered below 500, the process up, its RSS under 400 MB", async () => {
    const answers: string[] = [];
    const failures: string[] = [];
    const jobs = hugeTargets().flatMap((t) => [
      { t, chunked: false },
      { t, chunked: true },
    ]);
    await inPool(jobs, 2, async ({ t, chunked }) => {
      const a = await postStreamed(`${app.url}${t.path}`, { totalBytes: HUGE, chunked, headers: t.headers });
      const line = describeAnswer(t, chunked ? "chunked" : "Content-Length", a);
      answers.push(line);
      if (!(a.status >= 200 && a.status < 500)) failures.push(line);
      if (!app.alive()) failures.push(`the server died after ${line}`);
    });
    console.log(`500 MB bodies: ${jobs.length} requests\n${answers.join("\n")}`);
    expect(failures).toEqual([]);
    const memory = app.memory();
    console.log(`500 MB bodies: peak RSS ${(memory.hwmKb / 1024).toFixed(0)} MB`);
    expect(app.alive()).toBe(true);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    expect(memory.hwmKb, `peak RSS ${memory.hwmKb} kB`).toBeLessThan(RSS_LIMIT_KB);
  }, 300_000);

  it("20 bodies at each route's cap at once, and 100 slow ones held open: the process up, its RSS under 400 MB", async () => {
    const action = builtActions().find((a) => a.pages.length > 0)!;
    const actionPath = fillPattern(action.pages[0], [SOME_ID]);
    const capped: Capped[] = [
      // The result route's own cap (app/api/intellectmoney/result/route.ts): 64 KiB.
      { name: "result", path: "/api/intellectmoney/result?shop=1", headers: FORM, bytes: 64 * 1024 },
      { name: "payment.php", path: "/payment.php", headers: FORM, bytes: MAX_CHECKOUT_BODY_BYTES },
      { name: "api/insales/payment", path: "/api/insales/payment", headers: FORM, bytes: MAX_CHECKOUT_BODY_BYTES },
      { name: "install", path: "/api/insales/install", headers: FORM, bytes: MAX_FORM_BODY_BYTES },
      { name: "uninstall", path: "/api/insales/uninstall", headers: FORM, bytes: MAX_FORM_BODY_BYTES },
      // The buyer-return route's cap (its route.ts): 64 KiB.
      { name: "buyer return", path: `/api/intellectmoney/return/${SOME_ID}/success`, headers: FORM, bytes: 64 * 1024 },
      // One JSON string argument filling the server action limit exactly.
      { name: "server action", path: actionPath, headers: { "next-action": action.id, "content-type": "text/plain;charset=UTF-8", origin: app.url }, bytes: SERVER_ACTION_BODY_LIMIT_BYTES, prefix: '["', suffix: '"]' },
    ];
    // One route at a time, its 20 bodies at once: each answered 2xx–4xx, or 503 when the shared budget
    // for large bodies is spent (lib/http/read-body.ts) — never a crash, never a 500.
    const failures: string[] = [];
    const tally: Record<string, number> = {};
    for (const c of capped) {
      await Promise.all(Array.from({ length: 20 }, async () => {
        const a = await sendCapped(c);
        tally[`${c.name} ${a.status}`] = (tally[`${c.name} ${a.status}`] ?? 0) + 1;
        if (!((a.status >= 200 && a.status < 500) || a.status === 503)) failures.push(`${c.name}: ${a.status} ${a.error ?? ""}`);
      }));
    }
    const perRoute = app.memory();
    console.log(`20 at the cap per route: peak RSS ${(perRoute.hwmKb / 1024).toFixed(0)} MB; ${Object.entries(tally).map(([k, v]) => `${k} ×${v}`).join(", ")}`);
    expect(failures).toEqual([]);
    expect(app.alive()).toBe(true);
    expect(perRoute.hwmKb, `peak RSS ${perRoute.hwmKb} kB`).toBeLessThan(RSS_LIMIT_KB);

    // Slow clients: 100 checkouts of 4 MiB held open before their last byte. Read whole, they would hold
    // 400 MiB; the shared budget for large bodies (lib/http/read-body.ts) admits what fits and answers the
    // rest 503 at once, so the memory held stays bounded whatever the number of such clients.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const slow: Capped = { name: "slow checkout", path: "/payment.php", headers: FORM, bytes: MAX_CHECKOUT_BODY_BYTES };
    const pending = Array.from({ length: 100 }, () => postStreamed(`${app.url}${slow.path}`, { totalBytes: slow.bytes, chunked: false, headers: slow.headers, holdLastByteUntil: released }));
    const refusedAtOnce = await waitForCount(pending, (a) => a.status === 503, 100 - Math.ceil(BUSY_BUDGET_BYTES / (MAX_CHECKOUT_BODY_BYTES - FREE_BYTES_PER_BODY)), 30_000);
    const whileHeld = app.memory();
    release();
    const answers = await Promise.all(pending);
    const slowTally = answers.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    console.log(`100 slow 4 MiB checkouts: ${refusedAtOnce} refused 503 while held, RSS then ${(whileHeld.rssKb / 1024).toFixed(0)} MB, peak ${(app.memory().hwmKb / 1024).toFixed(0)} MB; answers ${JSON.stringify(slowTally)}`);
    expect(answers.filter((a) => !((a.status >= 200 && a.status < 500) || a.status === 503))).toEqual([]);
    expect(app.alive()).toBe(true);
    expect((await fetch(`${app.url}/api/health`)).status).toBe(200);
    const memory = app.memory();
    expect(memory.hwmKb, `peak RSS ${memory.hwmKb} kB`).toBeLessThan(RSS_LIMIT_KB);
  }, 120_000);
});

/** Resolves with how many of `answers` satisfy `test` once at least `atLeast` do (or when `ms` have passed). */
async function waitForCount<T>(answers: Promise<T>[], test: (a: T) => boolean, atLeast: number, ms: number): Promise<number> {
  let count = 0;
  const deadline = Date.now() + ms;
  answers.forEach((p) => void p.then((a) => (count += test(a) ? 1 : 0)));
  while (count < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return count;
}

type Capped = { name: string; path: string; headers: Record<string, string>; bytes: number; prefix?: string; suffix?: string };

/** A body of exactly `bytes`: `prefix`, filler, `suffix` (the filler streamed like the huge ones). */
function sendCapped(c: Capped): Promise<StreamedAnswer> {
  return postStreamed(`${app.url}${c.path}`, { totalBytes: c.bytes, chunked: false, headers: c.headers, prefix: c.prefix, suffix: c.suffix });
}
