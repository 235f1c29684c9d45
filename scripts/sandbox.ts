// `npm run sandbox`: the whole thing on one machine, for trying it out. Builds the app if needed, starts
// the InSales and IntellectMoney stand-ins (the latter knowing the demo IntellectMoney account,
// scripts/sandbox-demo.ts), starts the production server pointed at them, installs a demo shop, waits until
// the app has proven that install, brings the stand-ins in line with what the database kept from an
// earlier run (scripts/sandbox-restore.ts), and prints the «Войти» link, the demo checkout and the demo
// account to type into «Настройки». Needs DATABASE_URL (scripts/with-database.ts provides an embedded
// PostgreSQL when it is unset). Ctrl+C stops everything.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { freePort, ROOT, startApp } from "../e2e/support/app-server";
import { startStandIns } from "../e2e/stand-ins/start-stand-ins";
import { waitForProvenInstall } from "../e2e/support/proven-install";
import { decryptSecret } from "../lib/crypto";
import { DEMO_INTELLECTMONEY, DEMO_SHOP, describeDemoAccount, registerDemoAccount } from "./sandbox-demo";
import { restoreStandIns } from "./sandbox-restore";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("sandbox: DATABASE_URL is not set (run it through `npm run sandbox`, which provides one)");
  process.exit(1);
}

if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
  console.log("sandbox: building the app (first run only)…");
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const port = Number(process.env.PORT ?? 3000) || (await freePort());
const appUrl = `http://127.0.0.1:${port}`;
const appId = "intellectmoney_sandbox";
const appSecret = "sandbox-app-secret";
// The InSales stand-in keeps its port across runs (7001): the payment method stored in the database holds
// InSales's notice URLs on it (scripts/sandbox-restore.ts).
const standIns = await startStandIns({ appUrl, appId, appSecret, insalesPort: Number(process.env.SANDBOX_INSALES_PORT ?? 7001) });
registerDemoAccount(standIns.intellectmoney);
const appEnv: Record<string, string> = {
  DATABASE_URL: databaseUrl,
  APP_URL: appUrl,
  INSALES_APP_ID: appId,
  INSALES_APP_SECRET: appSecret,
  INSALES_SHOP_URL_TEMPLATE: standIns.insales.shopUrlTemplate,
  ...standIns.appEnv,
  AUTH_SECRET: "sandbox-auth-secret-not-for-production",
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};
const app = await startApp({ port, logFile: path.join(ROOT, ".data", "sandbox", "app-server.log"), env: appEnv });

const demo = DEMO_SHOP;
const installed = await standIns.insales.install(demo);
if (installed.status !== 200) console.error(`sandbox: demo install answered ${installed.status}: ${installed.body}`);
// The app takes the install on only once its job has proven it against the stand-in (a second or two).
await waitForProvenInstall(databaseUrl, demo).catch((error: Error) => console.error(`sandbox: ${error.message}`));

// This process reads the stored «Пароль» with the app's own code, so it takes the app's configuration.
Object.assign(process.env, appEnv);
const restored = await restoreStandIns({
  databaseUrl,
  shop: demo,
  appUrl,
  insales: standIns.insales,
  insalesPayments: standIns.insalesPayments,
  intellectmoney: standIns.intellectmoney,
  decrypt: decryptSecret,
  knownEshopId: DEMO_INTELLECTMONEY.eshopId,
}).catch((error: Error) => {
  console.error(`sandbox: could not read the earlier run's state from the database: ${error.message}`);
  return null;
});
if (restored?.gatewayId) console.log(`sandbox: the demo shop's payment method ${restored.gatewayId} is back in the InSales stand-in`);
for (const note of restored?.notes ?? []) console.log(`sandbox: note: ${note}`);

const loginUrl = `${app.url}/api/insales/login?shop=${demo.host}&insales_id=${demo.insalesId}&user_id=1`;
console.log(`
IntellectMoney для InSales — sandbox
  app:                      ${app.url}   (log: .data/sandbox/app-server.log)
  InSales stand-in:         ${standIns.insales.url}
  IntellectMoney stand-in:  ${standIns.intellectmoneyUrl ?? "(not available)"}
  «Войти» as the demo shop: ${loginUrl}
  Demo checkout:            ${standIns.insales.shopBase(demo.host)}/checkout
${describeDemoAccount()}
Press Ctrl+C to stop.
`);

async function shutdown() {
  await app.stop();
  await standIns.close();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
