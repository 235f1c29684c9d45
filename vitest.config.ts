import path from "node:path";
import { defineConfig } from "vitest/config";
import { extraCaCertsWithStandIn } from "./e2e/stand-ins/tls";

// The InSales stand-in's https side (e2e/stand-ins/tls.ts): the test workers, forked after this runs, trust
// its self-signed certificate. Node reads the variable at process start; lib/env.ts never sees it.
process.env.NODE_EXTRA_CA_CERTS = extraCaCertsWithStandIn(process.env.NODE_EXTRA_CA_CERTS);

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**"],
    globalSetup: ["tests/support/vitest-global-setup.ts"],
    env: { NODE_ENV: "test" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    execArgv: ["--experimental-wasm-modules", "--no-warnings"],
  },
});
