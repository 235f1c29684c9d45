// A small InSales REST client (docs/protocols/insales.md §1 «API calls», §3): Basic auth with login =
// INSALES_APP_ID and password = the shop's API password, JSON bodies wrapped in a root key by the caller,
// on the shop's host (INSALES_SHOP_URL_TEMPLATE). Rate limit: 429 (older: 503) with Retry-After — we wait
// and retry, within a bounded number of attempts and a bounded total wait; beyond that the caller gets
// `rate_limited` with retryAfterSeconds and reschedules (a job), instead of holding a request open.
//
// Only 429/503 are retried here: InSales did not process those, so even a POST is safe to repeat. Network
// errors are not retried (a POST may have been applied); the caller decides.
//
// Two call forms, the same result:
//   insalesApi(shop).get("/admin/account.json")
//   insalesApi(shop, "GET", "/admin/account.json")
import { env } from "../env";
import { log } from "../log";
import { shopBaseUrl } from "./shop-host";

export type InsalesApiShop = { host: string; apiPassword: string };
export type InsalesApiMethod = "GET" | "POST" | "PUT" | "DELETE";

export type InsalesApiReason =
  | "unauthorized" // 401: shop uninstalled or password stale
  | "forbidden" // 403: the app lacks a permission
  | "not_found" // 404
  | "invalid" // 422: validation errors (see `errors`)
  | "rate_limited" // 429/503 still after the allowed retries/wait
  | "timeout" // our timeout or InSales's 504
  | "server_error" // other 5xx
  | "redirect" // 3xx: never followed with credentials
  | "bad_response" // 2xx that is not JSON
  | "http_error" // any other status
  | "network"; // no HTTP answer at all

export type InsalesApiResult<T = unknown> =
  /** `json` is the same value as `data` (kept for callers written against that name). */
  | { ok: true; status: number; data: T; json: T }
  | { ok: false; status: number; reason: InsalesApiReason; retryAfterSeconds?: number; errors?: string[]; json?: unknown };

export type InsalesApiOptions = {
  /** Attempts in all, first included (429/503 only are retried). Default 3. */
  maxAttempts?: number;
  /** Total time we may sleep on Retry-After over all attempts. Default 30 s. */
  maxTotalWaitMs?: number;
  /** Wait when a 429/503 comes without a usable Retry-After. Default 5 s. */
  defaultRetryAfterSeconds?: number;
  /** Per attempt. Default 55 s (InSales itself gives up at 50 s with a 504). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

export type InsalesApiClient = {
  get<T = unknown>(path: string): Promise<InsalesApiResult<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<InsalesApiResult<T>>;
  put<T = unknown>(path: string, body?: unknown): Promise<InsalesApiResult<T>>;
  request<T = unknown>(method: InsalesApiMethod, path: string, body?: unknown): Promise<InsalesApiResult<T>>;
};

const DEFAULTS: Required<InsalesApiOptions> = {
  maxAttempts: 3,
  maxTotalWaitMs: 30_000,
  defaultRetryAfterSeconds: 5,
  timeoutMs: 55_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Only our own admin resources: a path from elsewhere must not steer the shop's password anywhere. */
const PATH = /^\/admin\/[A-Za-z0-9_\-/.%]+\.json(\?[A-Za-z0-9_\-.%=&[\],]*)?$/;

export function insalesApi(shop: InsalesApiShop, options?: InsalesApiOptions): InsalesApiClient;
export function insalesApi<T = unknown>(shop: InsalesApiShop, method: InsalesApiMethod, path: string, body?: unknown, options?: InsalesApiOptions): Promise<InsalesApiResult<T>>;
export function insalesApi(
  shop: InsalesApiShop,
  methodOrOptions?: InsalesApiMethod | InsalesApiOptions,
  path?: string,
  body?: unknown,
  options?: InsalesApiOptions,
): InsalesApiClient | Promise<InsalesApiResult> {
  if (typeof methodOrOptions === "string") return request(shop, { ...DEFAULTS, ...options }, methodOrOptions, path ?? "", body);
  const opts = { ...DEFAULTS, ...methodOrOptions };
  return {
    get: (p) => request(shop, opts, "GET", p),
    post: (p, b) => request(shop, opts, "POST", p, b),
    put: (p, b) => request(shop, opts, "PUT", p, b),
    request: (m, p, b) => request(shop, opts, m, p, b),
  } as InsalesApiClient;
}

/** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d{1,7}$/.test(v)) return Number(v);
  // Only the HTTP-date shape (IMF-fixdate and its obsolete forms all end in GMT): Date.parse alone
  // accepts things like "-5" or "2".
  if (!/^[A-Za-z]{3,9}, .+ GMT$/.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** 422 bodies: {"errors": [...]}, {"errors": {"field": [...]}} or a string; flattened to messages. */
function errorMessages(json: unknown): string[] | undefined {
  const errors = (json as { errors?: unknown } | null)?.errors;
  if (errors === undefined) return undefined;
  const out: string[] = [];
  const walk = (v: unknown, field?: string) => {
    if (typeof v === "string") out.push(field && field !== "base" ? `${field}: ${v}` : v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, field));
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => walk(x, k));
  };
  walk(errors);
  return out.slice(0, 20).map((m) => m.slice(0, 500));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function reasonFor(status: number): InsalesApiReason {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 422) return "invalid";
  if (status === 429 || status === 503) return "rate_limited";
  if (status === 504) return "timeout";
  if (status >= 500) return "server_error";
  if (status >= 300 && status < 400) return "redirect";
  return "http_error";
}

async function request<T>(shop: InsalesApiShop, opts: Required<InsalesApiOptions>, method: InsalesApiMethod, path: string, body?: unknown): Promise<InsalesApiResult<T>> {
  if (!PATH.test(path) || path.includes("..")) throw new Error(`insalesApi: refusing path ${JSON.stringify(path.slice(0, 100))}`);
  const url = `${shopBaseUrl(shop.host)}${path}`;
  const headers: Record<string, string> = {
    Authorization: `Basic ${Buffer.from(`${env().INSALES_APP_ID}:${shop.apiPassword}`, "utf8").toString("base64")}`,
    Accept: "application/json",
  };
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) headers["Content-Type"] = "application/json";

  let waitedMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers, body: payload, redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs) });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError" || (error as Error).name === "AbortError";
      log.warn({ host: shop.host, method, path, err: (error as Error).message }, "insales api: no answer");
      return { ok: false, status: 0, reason: timedOut ? "timeout" : "network" };
    }
    const status = response.status;
    const json = parseJson(text);

    if (status >= 200 && status < 300) {
      if (!json.ok) return { ok: false, status, reason: "bad_response" };
      return { ok: true, status, data: json.value as T, json: json.value as T };
    }

    if (status === 429 || status === 503) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after")) ?? opts.defaultRetryAfterSeconds;
      const waitMs = retryAfterSeconds * 1000;
      if (attempt < opts.maxAttempts && waitedMs + waitMs <= opts.maxTotalWaitMs) {
        log.warn({ host: shop.host, method, path, status, retryAfterSeconds, attempt }, "insales api: rate limited, waiting");
        waitedMs += waitMs;
        await opts.sleep(waitMs);
        continue;
      }
      return { ok: false, status, reason: "rate_limited", retryAfterSeconds };
    }

    const failure: InsalesApiResult<T> = { ok: false, status, reason: reasonFor(status) };
    if (json.ok && json.value !== null) {
      failure.json = json.value;
      const errors = errorMessages(json.value);
      if (errors) failure.errors = errors;
    }
    if (status >= 500 || status === 401 || status === 403) log.warn({ host: shop.host, method, path, status }, "insales api: request failed");
    return failure;
  }
}
