// Per-file database for integration tests: sets DATABASE_URL to a fresh clone before the file's tests
// and drops it afterwards. Call at the top level of a test file.
import { afterAll, beforeAll } from "vitest";
import { disconnectDb } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import { cloneTestDatabase } from "./test-db";
import { TEST_ENV } from "./test-env";

export function useTestDatabase(extraEnv: Record<string, string> = {}) {
  let drop: (() => Promise<void>) | null = null;
  const handle = { url: "" };
  beforeAll(async () => {
    const clone = await cloneTestDatabase();
    drop = clone.drop;
    handle.url = clone.url;
    Object.assign(process.env, TEST_ENV, extraEnv, { DATABASE_URL: clone.url });
    resetEnvCache();
  });
  afterAll(async () => {
    await disconnectDb();
    await drop?.();
  });
  return handle;
}
