// The app answers an install call at once but switches to its credentials only once the sync-account job
// has proven them against the shop's account (docs/protocols/insales.md §1 Install). Whatever drives the
// app like a merchant (the specs, the sandbox) waits for that before «Войти», as a merchant would wait a
// moment after «Установить».
import pg from "pg";
import { waitFor } from "../../tests/support/wait-for";

export async function waitForProvenInstall(databaseUrl: string, shop: { host: string; insalesId: string }, timeoutMs = 20_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await waitFor(
      `the install of ${shop.host} to be proven`,
      async () => {
        const r = await client.query(
          `SELECT 1 FROM "Shop" s WHERE s."insalesId" = $1 AND s.host = $2 AND s.status = 'ACTIVE'
             AND NOT EXISTS (SELECT 1 FROM "InstallCandidate" i WHERE i."insalesId" = $1 AND i.state = 'PENDING')`,
          [shop.insalesId, shop.host],
        );
        return r.rowCount === 1;
      },
      timeoutMs,
      200,
    );
  } finally {
    await client.end();
  }
}
