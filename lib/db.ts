// One PrismaClient per process, on node-postgres through @prisma/adapter-pg (no native engine needed,
// ../shared/guide/prisma-offline.md §2).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

const globalForDb = globalThis as unknown as { prisma?: PrismaClient; prismaUrl?: string };

export function db(): PrismaClient {
  const url = env().DATABASE_URL;
  if (!globalForDb.prisma || globalForDb.prismaUrl !== url) {
    globalForDb.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
    globalForDb.prismaUrl = url;
  }
  return globalForDb.prisma;
}

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export async function disconnectDb(): Promise<void> {
  await globalForDb.prisma?.$disconnect();
  globalForDb.prisma = undefined;
}
