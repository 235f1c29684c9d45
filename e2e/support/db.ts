// Direct database access for specs that arrange state the UI cannot (another shop's payments, a
// problem to resolve) or check what the UI must not show. The database is the one global setup made.
import pg from "pg";
import { e2eEnv } from "./e2e-env";

export async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: e2eEnv().databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Our id of an installed shop, by its InSales id. */
export async function shopId(c: pg.Client, insalesId: string): Promise<string> {
  const r = await c.query<{ id: string }>(`SELECT id FROM "Shop" WHERE "insalesId" = $1`, [insalesId]);
  if (!r.rows[0]) throw new Error(`shop ${insalesId} not installed`);
  return r.rows[0].id;
}
