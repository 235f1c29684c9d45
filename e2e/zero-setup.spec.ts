// Issue 8 acceptance 1: with no DATABASE_URL, the README's run command (`npm run sandbox`, after
// `npm install`) starts the app on an embedded PostgreSQL; «Войти» → settings → save works against it,
// and a second start finds the saved settings.
// The command runs with a minimal environment (no DATABASE_URL, no TEST_ADMIN_DATABASE_URL, no PG*
// variables), so it cannot reach the machine's PostgreSQL even though that one keeps running for the
// other tests; the console line «database: embedded PostgreSQL at …» proves which database served it.
// The data lives in a temporary folder (EMBEDDED_PG_DATA_DIR), never in a developer's .data/pg.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { freePort, ROOT } from "./support/app-server";

const DATA_DIR = ".data/e2e/zero-setup-pg";

/** What the sandbox prints for the newcomer, and nothing else, is what the tests use. */
type Printed = { appUrl: string; loginUrl: string; checkoutUrl: string; eshopId: string; secretKey: string };
type Sandbox = { child: ChildProcess; output: () => string; loginUrl: string; printed: () => Printed };
type SandboxPorts = { port: number; insalesPort: number };

const printedValue = (out: string, re: RegExp): string => {
  const m = re.exec(out);
  if (!m) throw new Error(`the sandbox did not print ${re}:\n${out}`);
  return m[1];
};

async function startSandbox(dataDir = DATA_DIR, ports?: SandboxPorts): Promise<Sandbox> {
  const { port, insalesPort } = ports ?? { port: await freePort(), insalesPort: await freePort() };
  const child = spawn("npm", ["run", "sandbox"], {
    cwd: ROOT,
    // A new process group: stopping it is like Ctrl+C in the terminal.
    detached: true,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      PORT: String(port),
      SANDBOX_INSALES_PORT: String(insalesPort),
      EMBEDDED_PG_DATA_DIR: dataDir,
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /«Войти» as the demo shop: (\S+)/.exec(out);
    if (m) {
      const printed = (): Printed => ({
        appUrl: printedValue(out, /^\s*app:\s+(\S+)/m),
        loginUrl: m[1],
        checkoutUrl: printedValue(out, /Demo checkout:\s+(\S+)/),
        eshopId: printedValue(out, /«Номер магазина» (\d+)/),
        secretKey: printedValue(out, /«Номер магазина» \d+, «Секретный ключ» (\S+)/),
      });
      return { child, output: () => out, loginUrl: m[1], printed };
    }
    if (child.exitCode !== null) throw new Error(`sandbox exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`sandbox did not start in 120 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopSandbox(s: Sandbox): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number | null>((resolve) => s.child.once("exit", (code) => resolve(code)));
  process.kill(-s.child.pid!, "SIGINT");
  return exited;
}

async function openSettings(page: Page, s: Sandbox) {
  await page.goto(s.loginUrl);
  await expect(page).toHaveURL(/\/settings$/);
}

test("no DATABASE_URL: the run command serves «Войти» → settings → save, and a second start keeps them", async ({ page }) => {
  test.setTimeout(240_000);
  rmSync(path.join(ROOT, DATA_DIR), { recursive: true, force: true });

  const first = await startSandbox();
  try {
    expect(first.output()).toContain(`database: embedded PostgreSQL at ${DATA_DIR}`);
    await openSettings(page, first);
    await page.getByLabel("Номер магазина", { exact: true }).fill("424242");
    await page.getByLabel("Секретный ключ", { exact: true }).fill("zero-setup-secret-key");
    await page.getByRole("button", { name: "Сохранить" }).click();
    await expect(page.getByText("Настройки сохранены")).toBeVisible();
    // Leave the app before stopping it: the form's router.refresh() may still be in flight, and when its
    // server goes away Next.js falls back to reloading the page, a navigation that would race the next goto.
    await page.goto("about:blank");
  } finally {
    await stopSandbox(first);
  }
  // Stopped cleanly: the embedded server went down with the app (no postmaster left behind).
  expect(existsSync(path.join(ROOT, DATA_DIR, "cluster", "postmaster.pid"))).toBe(false);
  expect(existsSync(path.join(ROOT, DATA_DIR, "owner.pid"))).toBe(false);

  const second = await startSandbox();
  try {
    expect(second.output()).toContain(`database: embedded PostgreSQL at ${DATA_DIR}`);
    await openSettings(page, second);
    await expect(page.getByLabel("Номер магазина", { exact: true })).toHaveValue("424242");
    await expect(page.getByText("Сохранён: ••••••-key")).toBeVisible();
  } finally {
    await stopSandbox(second);
  }
  rmSync(path.join(ROOT, DATA_DIR), { recursive: true, force: true });
});

// Issue 14 part 8: a newcomer runs `npm run sandbox`, clicks «Войти», types the demo IntellectMoney account
// the sandbox printed into «Настройки», and pays at the printed demo checkout on the IntellectMoney
// stand-in's page: the journal shows «Оплачен». Then Ctrl+C and `npm run sandbox` again (the same default
// ports, as a second run in the same terminal would have): the database kept the shop, its payment method
// and the first payment while both stand-ins started empty, and a second order is paid just the same.
test("a newcomer's sandbox payment, using only what the sandbox prints, ends «Оплачен» — on the first start and after a restart", async ({ page }) => {
  test.setTimeout(300_000);
  const dataDir = ".data/e2e/sandbox-payment-pg";
  rmSync(path.join(ROOT, dataDir), { recursive: true, force: true });
  const ports = { port: await freePort(), insalesPort: await freePort() };

  /** The buyer: the demo checkout → «Оплатить через IntellectMoney» → «Оплатить» → back at the shop. */
  async function payAtDemoCheckout(p: Printed) {
    await page.goto(p.checkoutUrl);
    await page.getByRole("button", { name: "Оплатить через IntellectMoney" }).click();
    await expect(page.getByRole("heading", { name: /Счёт №/ })).toBeVisible();
    await page.getByRole("button", { name: "Оплатить", exact: true }).click();
    await page.waitForURL(/\/orders\/[0-9a-f]+$/, { timeout: 20_000 });
    await expect(page.locator("#financial-status")).toHaveText("Оплачен");
  }

  /** The merchant: «Войти» → «Платежи»; every payment «Оплачен». */
  async function journalShowsPaid(p: Printed, count: number) {
    await page.goto(p.loginUrl);
    await expect(page).toHaveURL(/\/settings$/);
    await page.goto(`${p.appUrl}/payments`);
    const rows = page.getByTestId("payment-row");
    await expect(rows).toHaveCount(count);
    for (let i = 0; i < count; i++) await expect(rows.nth(i).getByTestId("status-badge")).toHaveText("Оплачен");
  }

  const first = await startSandbox(dataDir, ports);
  try {
    const p = first.printed();
    await page.goto(p.loginUrl);
    await expect(page).toHaveURL(/\/settings$/);
    await page.getByLabel("Номер магазина", { exact: true }).fill(p.eshopId);
    await page.getByLabel("Секретный ключ", { exact: true }).fill(p.secretKey);
    await page.getByRole("button", { name: "Сохранить" }).click();
    await expect(page.getByText("Настройки сохранены")).toBeVisible();
    // The first save connects the «Внешний способ оплаты» in the (stand-in) shop by itself.
    await expect(page.getByTestId("gateway-status").getByText("Подключён", { exact: true })).toBeVisible({ timeout: 30_000 });

    await payAtDemoCheckout(p);
    await journalShowsPaid(p, 1);
    await page.goto("about:blank");
    expect(first.output()).not.toContain("sandbox: note:");
  } finally {
    await stopSandbox(first);
  }

  const second = await startSandbox(dataDir, ports);
  try {
    const p = second.printed();
    await payAtDemoCheckout(p);
    await journalShowsPaid(p, 2);
    await page.goto("about:blank");
    expect(second.output()).not.toContain("sandbox: note:");
  } finally {
    await stopSandbox(second);
  }
  rmSync(path.join(ROOT, dataDir), { recursive: true, force: true });
});
