// One-round-trip fingerprint of the whole database for the reliability tests: the row count of every
// table (public schema and pg-boss's job table), a checksum of the rows that hold money and tenancy, and
// the audit rows (timeline events, problems, letters) counted by their type, so a test can tell "nothing
// changed" from "only a refusal was recorded".
import { createHash } from "node:crypto";
import { db } from "@/lib/db";

/** Rows that must never change because of a refused request. */
const CHECKSUMMED = ["Shop", "ShopSettings", "ShopGateway", "Payment", "InsalesNotice", "LoginNonce", "PaymentOperation"];

/**
 * Counters a refused request is meant to move: the per-shop budget of the checkout's API fallback
 * (lib/checkout/checkout-api-budget.ts) counts refused checkouts too — that is its purpose.
 */
const BOOKKEEPING = ["ShopCallBudget"];

/** Audit rows a refusal is allowed (and meant) to add, by the column that names what they are. */
const AUDIT: Record<string, string> = { PaymentEvent: "type", Problem: "kind", Mail: "kind" };

let sql: string | null = null;

async function buildQuery(): Promise<string> {
  const tables = await db().$queryRaw<Array<{ t: string }>>`
    SELECT table_name AS t FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`;
  const parts = tables.filter(({ t }) => !BOOKKEEPING.includes(t)).map(({ t }) => `'count:${t}', (SELECT count(*) FROM "${t}")`);
  parts.push(`'count:pgboss.job', (SELECT count(*) FROM pgboss.job WHERE name NOT LIKE '__pgboss%' AND name NOT LIKE 'sweep-%')`);
  for (const t of CHECKSUMMED.filter((c) => tables.some((x) => x.t === c))) {
    parts.push(`'sum:${t}', (SELECT coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') FROM "${t}" r)`);
  }
  for (const [t, col] of Object.entries(AUDIT)) {
    parts.push(`'audit:${t}', (SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb) FROM (SELECT "${col}"::text AS k, count(*) AS n FROM "${t}" GROUP BY 1) g)`);
  }
  return `SELECT jsonb_build_object(${parts.join(", ")}) AS s`;
}

export type DbState = Record<string, unknown>;

export async function dbState(): Promise<DbState> {
  sql ??= await buildQuery();
  const rows = await db().$queryRawUnsafe<Array<{ s: DbState }>>(sql);
  return rows[0].s;
}

export function resetDbStateQuery(): void {
  sql = null;
}

/** A short digest, for printing. */
export function digest(state: DbState): string {
  return createHash("sha256").update(JSON.stringify(state)).digest("hex").slice(0, 12);
}

/**
 * Differences between two states, ignoring audit rows of the allowed kinds (and the counts of their
 * tables); an empty list means nothing but allowed audit rows changed.
 */
export function unexpectedChanges(before: DbState, after: DbState, allowedAudit: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const table = key.slice(key.indexOf(":") + 1);
    if (key.startsWith("count:") && table in AUDIT) continue;
    if (key.startsWith("audit:")) {
      const b = (before[key] ?? {}) as Record<string, number>;
      const a = (after[key] ?? {}) as Record<string, number>;
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if ((a[k] ?? 0) !== (b[k] ?? 0) && !allowedAudit.has(`${table}:${k}`)) out.push(`${table} ${k}: ${b[k] ?? 0} → ${a[k] ?? 0}`);
        if ((a[k] ?? 0) < (b[k] ?? 0)) out.push(`${table} ${k} shrank`);
      }
      continue;
    }
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out.push(`${key}: ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`);
  }
  return out;
}
