// The statements of the «Войти» round trip (login.ts): the shop it starts for, its single-use nonce, and
// the shop the merchant's session is opened for.
import { db } from "../db";

export function findShopForLogin(insalesId: string) {
  return db().shop.findUnique({ where: { insalesId }, select: { id: true, host: true, status: true } });
}

/** A new round trip's nonce, valid until `expiresAt`; dead nonces older than an hour go at the same time. */
export async function createLoginNonce(n: { id: string; nonce: string; shopId: string; expiresAt: Date; returnTo?: string | null }): Promise<void> {
  await db().loginNonce.create({ data: n });
  // Housekeeping: login URLs can be opened by anyone, so do not let dead nonces pile up.
  await db().loginNonce.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - 3600_000) } } });
}

/**
 * Uses the nonce of cookie value `id`: one UPDATE decides, so of two concurrent returns with the same
 * cookie only one gets the row back. Columns are timestamp without time zone holding UTC (Prisma's
 * convention), hence AT TIME ZONE. Null when it is unknown, used or expired.
 */
export async function spendLoginNonce(id: string): Promise<{ nonce: string; shopId: string; returnTo: string | null } | null> {
  const rows = await db().$queryRaw<Array<{ nonce: string; shopId: string; returnTo: string | null }>>`
    UPDATE "LoginNonce" SET "usedAt" = (now() AT TIME ZONE 'UTC')
    WHERE "id" = ${id} AND "usedAt" IS NULL AND "expiresAt" > (now() AT TIME ZONE 'UTC')
    RETURNING "nonce", "shopId"::text AS "shopId", "returnTo"`;
  return rows[0] ?? null;
}

/** Why a nonce could not be used: unknown (null), or when it was used (null usedAt: it expired). */
export function loginNonceUse(id: string): Promise<{ usedAt: Date | null } | null> {
  return db().loginNonce.findUnique({ where: { id }, select: { usedAt: true } });
}

/** The shop a session is opened for, with what the session's claims carry. */
export function findShopForSession(shopId: string) {
  return db().shop.findUnique({ where: { id: shopId }, select: { id: true, insalesId: true, host: true, status: true, apiPasswordEnc: true, sessionGeneration: true } });
}
