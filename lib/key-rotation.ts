// Re-encrypts every secret at rest with the current ENCRYPTION_KEY (`npm run keys:rotate`).
// Procedure: set the new key as ENCRYPTION_KEY and the old one in ENCRYPTION_KEY_PREVIOUS, restart the
// app (it reads both), run this command, then drop ENCRYPTION_KEY_PREVIOUS. Safe to run again; each row is
// updated only if its value is still the one that was read (concurrent writers win).
import { decryptSecret, encryptSecret, needsReencryption } from "./crypto";
import { db } from "./db";

/** `required`: a NOT NULL column (Prisma refuses `not: null` on those). */
type Column = { model: "shop" | "shopSettings" | "shopGateway" | "shopWidget" | "installCandidate"; key: "id" | "shopId"; field: string; required?: true };

const SEALED_COLUMNS: Column[] = [
  { model: "shop", key: "id", field: "apiPasswordEnc" },
  { model: "shopSettings", key: "shopId", field: "secretKeyEnc" },
  { model: "shopSettings", key: "shopId", field: "apiTokenEnc" },
  { model: "shopSettings", key: "shopId", field: "signSecretEnc" },
  { model: "shopSettings", key: "shopId", field: "walletSecretKeyEnc" },
  { model: "shopGateway", key: "shopId", field: "passwordEnc" },
  // The order-card widget's secret (lib/widget/): in force, and one being pushed.
  { model: "shopWidget", key: "shopId", field: "secretEnc" },
  { model: "shopWidget", key: "shopId", field: "pendingSecretEnc" },
  // Unproven install calls live a day at most, but one may still be waiting for its proof at rotation.
  { model: "installCandidate", key: "id", field: "apiPasswordEnc", required: true },
];

export async function rotateSecrets(): Promise<{ checked: number; reencrypted: number }> {
  let checked = 0;
  let reencrypted = 0;
  for (const col of SEALED_COLUMNS) {
    // Prisma's model delegates share this shape; the cast keeps the table above declarative.
    const delegate = (db() as unknown as Record<string, { findMany: (a: unknown) => Promise<Record<string, string>[]>; updateMany: (a: unknown) => Promise<{ count: number }> }>)[col.model];
    const rows = await delegate.findMany({ where: col.required ? {} : { [col.field]: { not: null } }, select: { [col.key]: true, [col.field]: true } });
    for (const row of rows) {
      checked += 1;
      const sealed = row[col.field];
      if (!needsReencryption(sealed)) continue;
      const fresh = encryptSecret(decryptSecret(sealed));
      const r = await delegate.updateMany({ where: { [col.key]: row[col.key], [col.field]: sealed }, data: { [col.field]: fresh } });
      reencrypted += r.count;
    }
  }
  return { checked, reencrypted };
}
