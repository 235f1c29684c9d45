// First-load JS per page of the last `next build`, gzip-compressed, from Next's own list of each route's
// first-load chunks (.next/diagnostics/route-bundle-stats.json). Target: /settings ≤ 150 kB gzip.
// Run: node --import tsx bench/first-load-js.ts
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(import.meta.dirname, "..");
const STATS = path.join(ROOT, ".next/diagnostics/route-bundle-stats.json");
const LIMIT_KB = 150;

type RouteStats = { route: string; firstLoadUncompressedJsBytes: number; firstLoadChunkPaths: string[] };

if (!existsSync(STATS)) {
  console.error(`${STATS} not found: run \`npm run build\` first`);
  process.exit(1);
}
const routes = JSON.parse(readFileSync(STATS, "utf8")) as RouteStats[];
const kb = (n: number) => (n / 1024).toFixed(1);
console.log("| page | first-load JS | gzip |\n|---|---:|---:|");
for (const r of routes) {
  const gzip = r.firstLoadChunkPaths.reduce((sum, p) => sum + gzipSync(readFileSync(path.join(ROOT, p))).length, 0);
  const flag = r.route === "/settings" ? (gzip / 1024 <= LIMIT_KB ? ` (≤ ${LIMIT_KB} kB: met)` : ` (> ${LIMIT_KB} kB: NOT met)`) : "";
  console.log(`| ${r.route} | ${kb(r.firstLoadUncompressedJsBytes)} kB | ${kb(gzip)} kB${flag} |`);
}
if (!routes.some((r) => r.route === "/settings")) console.log("\n/settings is not in this build (no page yet).");
