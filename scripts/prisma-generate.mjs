// Runs `prisma generate` on machines that cannot download Prisma's engines: generation does not use the
// schema engine, it only checks that one exists, so any executable satisfies it
// (docs/DATABASE.md «Prisma without engine downloads»). Runs on `npm install` (postinstall).
import { spawnSync } from "node:child_process";

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
const r = spawnSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
