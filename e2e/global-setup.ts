// Playwright global setup: a fresh migrated database, the vendor stand-ins, and the production build of
// the app pointed at them. Specs get the addresses through process.env (see support/e2e-env.ts).
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { ADMIN_DATABASE_URL, databaseUrl, TEST_ENCRYPTION_KEY } from "../tests/support/test-env";
import { migrate } from "../tests/support/test-db";
import { freePort, ROOT, startApp } from "./support/app-server";
import { startStandIns } from "./stand-ins/start-stand-ins";

export default async function globalSetup() {
  const dbName = `im_e2e_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const dbUrl = databaseUrl(dbName);
  migrate(dbUrl);

  const appPort = Number(process.env.E2E_APP_PORT ?? (await freePort()));
  const appUrl = `http://127.0.0.1:${appPort}`;
  const appId = "intellectmoney_e2e";
  const appSecret = "e2e-app-secret";
  const standIns = await startStandIns({ appUrl, appId, appSecret });

  const logDir = path.join(ROOT, ".data", "e2e");
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, "app-server.log");
  rmSync(logFile, { force: true });
  const app = await startApp({
    port: appPort,
    logFile,
    env: {
      DATABASE_URL: dbUrl,
      APP_URL: appUrl,
      INSALES_APP_ID: appId,
      INSALES_APP_SECRET: appSecret,
      INSALES_SHOP_URL_TEMPLATE: standIns.insales.shopUrlTemplate,
      ...standIns.appEnv,
      AUTH_SECRET: "e2e-auth-secret-0123456789abcdef",
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      LOG_LEVEL: "info",
    },
  });

  Object.assign(process.env, {
    E2E_APP_URL: app.url,
    E2E_INSALES_URL: standIns.insales.url,
    E2E_INTELLECTMONEY_URL: standIns.intellectmoneyUrl ?? "",
    E2E_DATABASE_URL: dbUrl,
    E2E_APP_LOG: logFile,
  });

  return async () => {
    await app.stop();
    await standIns.close();
    const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.end();
  };
}
