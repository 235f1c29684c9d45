// Counts SQL round trips made by this process (tests only): wraps pg.Client#query, which Prisma's
// adapter-pg and pg-boss both go through. node-postgres sends one query per round trip (no pipelining),
// so the number of calls is the number of round trips, BEGIN and COMMIT included.
import pg from "pg";

type Recorder = { sql: string[] };

let active: Recorder | null = null;
let patched = false;

function patch(): void {
  if (patched) return;
  patched = true;
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    if (active) {
      const first = args[0] as string | { text?: string } | undefined;
      active.sql.push(typeof first === "string" ? first : (first?.text ?? "?"));
    }
    return original.apply(this, args);
  };
}

/** Runs `fn` and returns its result with every SQL statement sent meanwhile (in order). */
export async function recordRoundTrips<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  patch();
  const recorder: Recorder = { sql: [] };
  active = recorder;
  try {
    const result = await fn();
    return { result, sql: recorder.sql };
  } finally {
    active = null;
  }
}
