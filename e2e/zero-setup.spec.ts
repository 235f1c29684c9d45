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

type Sandbox = { child: ChildProcess; output: () => string; loginUrl: string };

async function startSandbox(): Promise<Sandbox> {
  const [port, insalesPort] = [await freePort(), await freePort()];
  const child = spawn("npm", ["run", "sandbox"], {
    cwd: ROOT,
    // A new process group: stopping it is like Ctrl+C in the terminal.
    detached: true,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/root",
      PORT: String(port),
      SANDBOX_INSALES_PORT: String(insalesPort),
      EMBEDDED_PG_DATA_DIR: DATA_DIR,
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
    if (m) return { child, output: () => out, loginUrl: m[1] };
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
