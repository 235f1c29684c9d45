// Rows read as jsonb by the hand-written hot-path statements (lib/checkout/checkout-store.ts,
// lib/results/result-store.ts, lib/notices/notice-store.ts), turned back into the Prisma model types. Those
// statements select jsonb, never `*`: with cached prepared statements (lib/db.ts) a `*` whose table gained a
// column fails with «cached plan must not change result type» until the pool reconnects.
import { Prisma } from "../generated/prisma/client";
import type { InsalesNotice, Payment, Shop, ShopGateway, ShopSettings } from "../generated/prisma/client";

export type Json = Record<string, unknown>;

/** to_jsonb renders timestamp(3) as «2026-11-28T05:51:34.123» (UTC, as Prisma stores it). */
function date(v: unknown): Date | null {
  return typeof v === "string" ? new Date(`${v}Z`) : null;
}

/** The payment row `t` as jsonb with the money columns as strings: a JSON number would go through a float. */
export function paymentJson(t: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(to_jsonb(${t}.*) || jsonb_build_object('amountKopecks', ${t}."amountKopecks"::text, 'paidKopecks', ${t}."paidKopecks"::text, 'refundedKopecks', ${t}."refundedKopecks"::text))`;
}

export function toPayment(j: Json): Payment {
  const big = (v: unknown) => BigInt(v as string);
  return {
    ...j,
    amountKopecks: big(j.amountKopecks),
    paidKopecks: big(j.paidKopecks),
    refundedKopecks: big(j.refundedKopecks),
    createdAt: date(j.createdAt)!,
    updatedAt: date(j.updatedAt)!,
  } as Payment;
}

export function toShop(s: Json): Shop {
  return { ...s, installedAt: date(s.installedAt)!, uninstalledAt: date(s.uninstalledAt), createdAt: date(s.createdAt)!, updatedAt: date(s.updatedAt)! } as Shop;
}

export function toSettings(st: Json | null): ShopSettings | null {
  return st ? ({ ...st, createdAt: date(st.createdAt)!, updatedAt: date(st.updatedAt)! } as ShopSettings) : null;
}

export function toGateway(g: Json | null): ShopGateway | null {
  return g ? ({ ...g, syncedAt: date(g.syncedAt), updatedAt: date(g.updatedAt)! } as ShopGateway) : null;
}

export function toNotice(n: Json): InsalesNotice {
  return { ...n, deliveredAt: date(n.deliveredAt), createdAt: date(n.createdAt)!, updatedAt: date(n.updatedAt)! } as InsalesNotice;
}
