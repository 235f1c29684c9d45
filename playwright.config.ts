// End-to-end tests: the production build in Debian's Chromium (no browser downloads on these machines),
// against local stand-ins for InSales and IntellectMoney started by e2e/global-setup.ts.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: ".data/e2e/test-results",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
    locale: "ru-RU",
    trace: "off",
  },
  projects: [
    { name: "browser", testMatch: /.*\.spec\.ts$/, testIgnore: /audit\/.*/ },
    // Runs after every browser spec: reads the whole server log of this run.
    { name: "audit", testMatch: /audit\/.*\.spec\.ts$/, dependencies: ["browser"] },
  ],
});
