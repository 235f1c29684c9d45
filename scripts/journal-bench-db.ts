// The database of the journal benchmark (scripts/seed-journal.ts, scripts/bench-journal.ts): its own,
// so seeding 10 000 payments never touches a development or test database.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../lib/generated/prisma/client";
import { migrate } from "../tests/support/test-db";

export const BENCH_INSALES_ID = "journal-bench";
export const BENCH_OTHER_INSALES_ID = "journal-bench-other";
export const PAYMENTS = 10_000;

export async function benchDatabase({ createIfMissing }: { createIfMissing: boolean }) {
  const url = process.env.JOURNAL_BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/im_journal_bench";
  if (createIfMissing) {
    const target = new URL(url);
    const name = decodeURIComponent(target.pathname.slice(1));
    const adminUrl = new URL(url);
    adminUrl.pathname = "/postgres";
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    await admin.end();
    migrate(url); // applies pending migrations only
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 4 }) });
  return { prisma, url };
}
