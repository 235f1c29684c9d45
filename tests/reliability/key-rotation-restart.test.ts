// Key rotation on the running app (README «Key rotation», lib/key-rotation.ts): restart with the new
// ENCRYPTION_KEY and the old one in ENCRYPTION_KEY_PREVIOUS → `npm run keys:rotate` → restart with the new
// key only → a checkout still verifies (the gateway password and the IntellectMoney key are decrypted for
// it) and a result notification still verifies (the key signs its hash). Production build, one instance.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "@/e2e/support/app-server";
import { decryptSecret } from "@/lib/crypto";
import { resetEnvCache } from "@/lib/env";
import { cloneTestDatabase } from "@/tests/support/test-db";
import { TEST_ENCRYPTION_KEY, TEST_ENV } from "@/tests/support/test-env";
import { checkout, readyShop, requireProductionBuild, sql, startCluster, type Cluster, type ShopRef } from "./support/app-cluster";

const OLD = TEST_ENCRYPTION_KEY;
const NEW = Buffer.alloc(32, 42).toString("base64");

let cluster: Cluster;
let drop: () => Promise<void>;
let shop: ShopRef;

beforeAll(async () => {
  requireProductionBuild();
  const db = await cloneTestDatabase();
  drop = db.drop;
  cluster = await startCluster({ databaseUrl: db.url, instances: 1, logDir: path.join(ROOT, ".data", "reliability", "key-rotation"), maxAttempts: 3 });
  shop = await readyShop(cluster, 900); // secrets sealed with OLD, as a long-running deployment has them
}, 120_000);

afterAll(async () => {
  await cluster?.close();
  await drop?.();
});

async function restartWith(keys: { ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS: string }) {
  await cluster.stop("A");
  Object.assign(cluster.instances[0].env, keys);
  await cluster.restart("A");
}

async function sealedValues(): Promise<string[]> {
  const rows = await sql<{ v: string }>(cluster.databaseUrl, `
    SELECT "apiPasswordEnc" v FROM "Shop" WHERE "apiPasswordEnc" IS NOT NULL
    UNION ALL SELECT "secretKeyEnc" FROM "ShopSettings" WHERE "secretKeyEnc" IS NOT NULL
    UNION ALL SELECT "passwordEnc" FROM "ShopGateway" WHERE "passwordEnc" IS NOT NULL`);
  return rows.map((r) => r.v);
}

function canOpenAllWith(key: string, values: string[]): boolean {
  Object.assign(process.env, TEST_ENV, { DATABASE_URL: cluster.databaseUrl, ENCRYPTION_KEY: key, ENCRYPTION_KEY_PREVIOUS: "" });
  resetEnvCache();
  try {
    values.forEach((v) => decryptSecret(v));
    return true;
  } catch {
    return false;
  }
}

describe("key rotation on the running app", () => {
  it("new key + previous → rotate → new key only: checkouts and notifications still verify", async () => {
    const app = () => `http://127.0.0.1:${cluster.instances[0].port}`;
    const first = await checkout(cluster, shop, app(), "101.00");
    expect((await cluster.im.notify(first.imPaymentId, "5")).body).toBe("OK");

    await restartWith({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: OLD });
    const during = await checkout(cluster, shop, app(), "102.00");
    expect((await cluster.im.notify(during.imPaymentId, "5")).body).toBe("OK");

    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/keys-rotate.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...cluster.instances[0].env, NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(out).toMatch(/re-encrypted [1-9]\d*/);
    const values = await sealedValues();
    expect(values.length).toBeGreaterThanOrEqual(3);
    expect(canOpenAllWith(NEW, values)).toBe(true);
    expect(canOpenAllWith(OLD, values)).toBe(false); // nothing is left under the old key

    await restartWith({ ENCRYPTION_KEY: NEW, ENCRYPTION_KEY_PREVIOUS: "" });
    const after = await checkout(cluster, shop, app(), "103.00");
    expect((await cluster.im.notify(after.imPaymentId, "5")).body).toBe("OK");
    const [{ n }] = await sql<{ n: number }>(cluster.databaseUrl, `SELECT count(*)::int n FROM "Payment" WHERE status = 'PAID'`);
    expect(n).toBe(3);
  }, 180_000);
});
