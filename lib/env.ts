// The configuration contract (docs/PRODUCT.md «Configuration contract»), parsed once, and the few start-up
// values read beside it. Nothing else in the app reads process.env (an ESLint rule holds everything but this
// file and instrumentation.ts to it; docs/ARCHITECTURE.md convention 8): call env(), or the functions at the end.
import { z } from "zod";

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)");

const httpUrl = z.string().url().refine((v) => /^https?:\/\//.test(v), "must be an http(s) URL");

const schema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection string"),
  APP_URL: httpUrl.transform((v) => v.replace(/\/+$/, "")),
  INSALES_APP_ID: z.string().min(1),
  INSALES_APP_SECRET: z.string().min(1),
  INSALES_SHOP_URL_TEMPLATE: z
    .string()
    .default("https://{shop}")
    .refine((v) => v.includes("{shop}"), "must contain {shop}")
    .transform((v) => v.replace(/\/+$/, "")),
  INTELLECTMONEY_MERCHANT_URL: httpUrl.default("https://merchant.intellectmoney.ru/ru/"),
  INTELLECTMONEY_API_URL: httpUrl.default("https://api.intellectmoney.ru").transform((v) => v.replace(/\/+$/, "")),
  /** One Merchant API call's time limit. At most 55 s: two calls of an operation stay well inside the
   * 2 minutes after which a REQUESTED operation counts as lost (lib/operations/payment-operations.ts). */
  INTELLECTMONEY_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(55_000).default(15_000),
  AUTH_SECRET: z.string().min(16, "must be at least 16 characters"),
  ENCRYPTION_KEY: base64Key,
  /** Comma-separated older keys, still accepted for decryption while `npm run keys:rotate` runs. */
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(base64Key)),
  /**
   * Signs payment links (lib/payment-links/link-keys.ts): 32 bytes, base64. Unset: a key derived from
   * ENCRYPTION_KEY (and, for links signed before a rotation of it, from ENCRYPTION_KEY_PREVIOUS).
   */
  PAYMENT_LINK_KEY: base64Key.optional().or(z.literal("").transform(() => undefined)),
  /** Comma-separated older PAYMENT_LINK_KEYs: links they signed still open until they expire. */
  PAYMENT_LINK_KEY_PREVIOUS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(base64Key)),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be smtp:// or smtps://").optional().or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().default("IntellectMoney для InSales <no-reply@localhost>"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Run pg-boss workers in this process (default on); an operator may dedicate instances to web only. */
  JOBS_WORKERS: z.enum(["on", "off"]).default("on"),
  /** Per-IP fixed-window limits of the public routes, per instance (lib/http/rate-limit.ts); 0 = off. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  RATE_LIMIT_RESULT: z.coerce.number().int().min(0).default(6000),
  RATE_LIMIT_CHECKOUT: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_LIFECYCLE: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_LOGIN: z.coerce.number().int().min(0).default(120),
  /** The order-card widget's data (one request per order card opened in the back office). */
  RATE_LIMIT_WIDGET: z.coerce.number().int().min(0).default(600),
  /** Install calls for insales_ids we have never seen, admitted per hour across all instances before they
   * are proven (lib/shops/install-candidates.ts); beyond it the call gets 429 (tried again later). */
  INSTALL_NEW_SHOPS_PER_HOUR: z.coerce.number().int().min(1).default(60),
});

export type Env = z.infer<typeof schema>;

let cached: Env | null = null;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment configuration:\n${lines.join("\n")}\nSee README.md «Configuration».`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests change process.env between cases; production never calls this. */
export function resetEnvCache(): void {
  cached = null;
}

// Start-up values, read without the contract above: facts about the process set by Node, Next or the shell
// rather than settings of the app, and what code needs that runs before (or without) a valid configuration —
// logging, the database tooling. Read here all the same, so that this file lists every variable the app reads.

/** pino's level (lib/log.ts), at import time: LOG_LEVEL as given (env() checks its value), silent under tests. */
export function logLevel(): string {
  return process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info");
}

/** Under `next dev` the page CSP admits the eval React's development build needs (proxy.ts). */
export function isDevelopment(): boolean {
  return process.env.NODE_ENV === "development";
}

/** DATABASE_URL when set, unchecked: schema diffs open any reachable database (lib/db-migrations.ts). */
export function databaseUrlIfSet(): string | undefined {
  return process.env.DATABASE_URL;
}

/** What the embedded PostgreSQL's programs inherit from this process: PATH and TZ, nothing else (lib/embedded-pg). */
export function systemPathAndZone(): { PATH: string; TZ?: string } {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}
