// One PrismaClient per process, on node-postgres through @prisma/adapter-pg (no native engine needed,
// docs/DATABASE.md «Prisma without engine downloads»).
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

const globalForDb = globalThis as unknown as { prisma?: PrismaClient; prismaUrl?: string };

export function db(): PrismaClient {
  const url = env().DATABASE_URL;
  if (!globalForDb.prisma || globalForDb.prismaUrl !== url) {
    globalForDb.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }, preparedStatements(url)) });
    globalForDb.prismaUrl = url;
  }
  return globalForDb.prisma;
}

/**
 * Named (cached) prepared statements: each connection parses a statement once and PostgreSQL may reuse
 * its plan, which halves the database CPU of the checkout's statements (docs/PERFORMANCE.md). The name
 * is a hash of the SQL, so one name never means two texts. Off with `?pgbouncer=true` in DATABASE_URL
 * (Prisma's convention): a PgBouncer in transaction mode before 1.21 cannot keep them.
 */
function preparedStatements(url: string): { statementNameGenerator?: (query: { sql: string }) => string } {
  if (new URL(url).searchParams.get("pgbouncer") === "true") return {};
  const names = new Map<string, string>();
  return {
    statementNameGenerator: ({ sql }) => {
      let name = names.get(sql);
      if (name === undefined) {
        name = `p_${createHash("sha1").update(sql).digest("base64url")}`;
        if (names.size > 5_000) names.clear(); // a memo, not a registry: pg keeps its own per connection
        names.set(sql, name);
      }
      return name;
    },
  };
}

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * One unit of work: `fn`'s statements (through the stores it hands `tx` to) commit together or not at all.
 * Use cases open transactions with this and never touch the client themselves (docs/ARCHITECTURE.md «Stores»).
 */
export function inTransaction<T>(fn: (tx: Tx) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T> {
  return db().$transaction(fn, options);
}

/** Whether the database answers (GET /api/health). */
export async function databaseAnswers(): Promise<void> {
  await db().$queryRaw`SELECT 1`;
}

export async function disconnectDb(): Promise<void> {
  await globalForDb.prisma?.$disconnect();
  globalForDb.prisma = undefined;
}
