// Per-IP rate limiting of the public routes (issue 5): an in-memory fixed window per instance. It blunts
// floods (a script hammering /payment.php, guessing at autologin, filling the timeline with forged result
// notifications); it is not an accounting device, so N instances simply allow N× the limit.
//
// The client address is the RIGHTMOST entry of X-Forwarded-For: the one the nearest reverse proxy appended
// (nginx `$proxy_add_x_forwarded_for`), or the socket address `next start` puts there when the header is
// absent. Entries further left are whatever the client sent and are never trusted. Without a reverse proxy
// a client can choose its own key by sending the header; production runs behind one (README «Deploy»).
//
// Limits are generous on purpose: IntellectMoney sends every merchant's notifications from a few
// addresses, and buyers behind carrier NAT share one. Configured by RATE_LIMIT_* (lib/env.ts); 0 = off.
import { env } from "../env";
import { messagePageResponse } from "../html/message-response";

export type RateLimitBucket = "result" | "checkout" | "lifecycle" | "login" | "widget";

export type RateLimitDecision = { ok: true } | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

type Window = { count: number; resetAt: number };

/** Bound on remembered addresses per bucket: a spoofed-address flood cannot grow memory without end. */
const MAX_KEYS = 50_000;

const windows = new Map<RateLimitBucket, Map<string, Window>>();

function limitOf(bucket: RateLimitBucket): number {
  const e = env();
  switch (bucket) {
    case "result":
      return e.RATE_LIMIT_RESULT;
    case "checkout":
      return e.RATE_LIMIT_CHECKOUT;
    case "lifecycle":
      return e.RATE_LIMIT_LIFECYCLE;
    case "login":
      return e.RATE_LIMIT_LOGIN;
    case "widget":
      return e.RATE_LIMIT_WIDGET;
  }
}

/** The address the nearest proxy (or Next itself) saw; "unknown" when there is none (direct calls in tests). */
export function clientAddress(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for") ?? "";
  const last = forwarded.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
  return last ? last.slice(0, 64).toLowerCase() : "unknown";
}

/** Called when full: drops ended windows, and if that freed less than a tenth, the oldest tenth (Map keeps
 * insertion order; they get a fresh window). Freeing a batch keeps a flood of new addresses O(1) per
 * request on average instead of a full scan per request. */
function prune(map: Map<string, Window>, now: number): void {
  for (const [key, w] of map) if (w.resetAt <= now) map.delete(key);
  const target = MAX_KEYS - Math.ceil(MAX_KEYS / 10);
  for (const key of map.keys()) {
    if (map.size <= target) break;
    map.delete(key);
  }
}

/** Counts one request of `key` in `bucket` and says whether it is within the limit. */
export function checkRateLimit(bucket: RateLimitBucket, key: string, now = Date.now()): RateLimitDecision {
  const limit = limitOf(bucket);
  if (limit === 0) return { ok: true };
  const windowMs = env().RATE_LIMIT_WINDOW_SECONDS * 1000;
  let map = windows.get(bucket);
  if (!map) windows.set(bucket, (map = new Map()));
  let w = map.get(key);
  if (!w || w.resetAt <= now) {
    if (!w && map.size >= MAX_KEYS) prune(map, now);
    w = { count: 0, resetAt: now + windowMs };
    map.delete(key);
    map.set(key, w);
  }
  w.count += 1;
  if (w.count <= limit) return { ok: true };
  return { ok: false, reason: "rate_limited", retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
}

/** Tests only: forget every window. */
export function resetRateLimits(): void {
  windows.clear();
}

export type RateLimitAnswer = "json" | "text" | "html";

/**
 * Call first thing in a public route handler: null when the request may go on, else the 429 to return
 * (JSON / plain text for machine callers, a Russian page for people), with Retry-After.
 */
export function rateLimited(request: Request, bucket: RateLimitBucket, answer: RateLimitAnswer): Response | null {
  const decision = checkRateLimit(bucket, clientAddress(request));
  if (decision.ok) return null;
  const headers = new Headers({ "Retry-After": String(decision.retryAfterSeconds), "Cache-Control": "no-store" });
  if (answer === "json") return Response.json({ error: decision.reason }, { status: 429, headers });
  if (answer === "text") {
    headers.set("Content-Type", "text/plain");
    return new Response(decision.reason, { status: 429, headers });
  }
  return messagePageResponse(
    429,
    { title: "Слишком много запросов", message: "С вашего адреса пришло слишком много запросов.", hint: `Подождите ${decision.retryAfterSeconds} с и попробуйте ещё раз.` },
    headers,
  );
}
