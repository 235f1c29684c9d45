// The «Письма» page's data: one shop's letters, newest first, a page at a time. Buyers' addresses are
// masked (the merchant needs to recognise a letter, not to harvest addresses from our app).
import { db } from "../db";
import type { MailState } from "../generated/prisma/enums";
import { mailKind } from "./kinds";

export const MAILS_PER_PAGE = 50;


export type MailListItem = {
  id: string;
  createdAt: Date;
  kind: number;
  to: string;
  subject: string;
  text: string;
  state: MailState;
  lastError: string | null;
  attempts: number;
  sentAt: Date | null;
};

export type MailList = { items: MailListItem[]; page: number; pages: number; total: number };

/** "buyer@example.com" → "b***r@example.com"; short local parts keep only their first character. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return "***";
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const masked = local.length <= 2 ? `${local[0]}***` : `${local[0]}***${local[local.length - 1]}`;
  return `${masked}@${domain}`;
}

/** `page` as it came from the URL: anything but a positive integer is page 1. */
export function parsePage(raw: string | string[] | undefined): number {
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && /^\d{1,6}$/.test(value) && Number(value) > 0 ? Number(value) : 1;
}

export async function listShopMails(shopId: string, page: number): Promise<MailList> {
  const total = await db().mail.count({ where: { shopId } });
  const pages = Math.max(1, Math.ceil(total / MAILS_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const rows = await db().mail.findMany({
    where: { shopId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: (current - 1) * MAILS_PER_PAGE,
    take: MAILS_PER_PAGE,
    select: { id: true, createdAt: true, kind: true, to: true, subject: true, text: true, state: true, lastError: true, attempts: true, sentAt: true },
  });
  return {
    items: rows.map((m) => ({ ...m, to: mailKind(m.kind)?.recipient === "shop" ? m.to : maskEmail(m.to) })),
    page: current,
    pages,
    total,
  };
}
