// Install (spec/insales-protocol.md §1 Install): upsert the shop by insales_id, derive its API password
// MD5(token + INSALES_APP_SECRET) and keep only that, encrypted. Reinstall — with or without an uninstall
// before it — brings a new token: always overwrite. Nothing here calls InSales: the API stays locked for
// this shop until we have answered 200, so account sync and payment-method setup run later as jobs.
import { Prisma } from "../generated/prisma/client";
import { db } from "../db";
import { env } from "../env";
import { encryptSecret, md5Hex } from "../crypto";
import { log } from "../log";
import type { InstallParams } from "../insales/lifecycle-params";
import { enqueueAccountSync } from "./sync-account-job";

export type InstallResult = { ok: true; shopId: string; reinstall: boolean };

/** The per-shop API password (§1 Install; vector in spec/test-vectors.md). */
export function appApiPassword(token: string, appSecret: string): string {
  return md5Hex(token + appSecret);
}

export async function installShop(params: InstallParams): Promise<InstallResult> {
  const apiPasswordEnc = encryptSecret(appApiPassword(params.token, env().INSALES_APP_SECRET));
  const run = () =>
    db().$transaction(async (tx) => {
      const before = await tx.shop.findUnique({ where: { insalesId: params.insalesId }, select: { host: true, status: true } });
      const now = new Date();
      const shop = await tx.shop.upsert({
        where: { insalesId: params.insalesId },
        create: { insalesId: params.insalesId, host: params.shop, apiPasswordEnc, status: "ACTIVE", installedAt: now },
        update: { host: params.shop, apiPasswordEnc, status: "ACTIVE", installedAt: now, uninstalledAt: null },
        select: { id: true },
      });
      await tx.shopSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id }, update: {}, select: { shopId: true } });
      // Account sync runs as a job after our 200 unlocks the API; committed with the shop row.
      await enqueueAccountSync(shop.id, { tx });
      return { shopId: shop.id, before };
    });

  let outcome: Awaited<ReturnType<typeof run>>;
  try {
    outcome = await run();
  } catch (error) {
    // Two installs of a new shop at once: one insert loses the unique race; the second try updates.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    outcome = await run();
  }
  const { shopId, before } = outcome;
  if (before && before.host !== params.shop) {
    log.warn({ shopId, insalesId: params.insalesId, oldHost: before.host, host: params.shop }, "install: shop host changed");
  }
  log.info({ shopId, insalesId: params.insalesId, host: params.shop, reinstall: Boolean(before), previousStatus: before?.status }, "install: shop installed");
  return { ok: true, shopId, reinstall: Boolean(before) };
}
