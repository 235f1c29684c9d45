// Small helpers around PostgreSQL connection strings, shared by scripts/with-database.ts and the tests.
import pg from "pg";

/** `postgresql://host:port/db` — no user, password or query (a query may carry `password=`), for printing. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgresql://${u.hostname}:${u.port || "5432"}${u.pathname || "/"}`;
  } catch {
    return "(not a valid connection string)";
  }
}

/** The same server and credentials, another database (e.g. `postgres`, where tests create and drop theirs). */
export function withDatabaseName(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** True when `url` accepts a connection and answers a query within `timeoutMs`. */
export async function canConnect(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => {});
  let connected = false;
  try {
    await client.connect();
    connected = true;
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    // end() on a client whose connect() failed may never settle in node-postgres.
    if (connected) await client.end().catch(() => {});
  }
}
