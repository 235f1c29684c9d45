import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = {
  title: "IntellectMoney для InSales",
  description: "Приём оплаты через IntellectMoney в магазинах на InSales",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request headers makes every page dynamic, so Next.js can put the per-request CSP nonce
  // (set by proxy.ts) on its inline scripts.
  await headers();
  return (
    <html lang="ru">
      <body>{children}</body>
    </html>
  );
}
