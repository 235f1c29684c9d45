import type { Metadata } from "next";
import { headers } from "next/headers";
import "./globals.css";

export const metadata: Metadata = {
  title: "IntellectMoney для InSales",
  description: "Приём оплаты через IntellectMoney в магазинах на InSales",
  // Our own icon (public/icon.svg; the PNGs and favicon.ico are rendered from it by scripts/render-icons.ts).
  icons: {
    icon: [
      { url: "/icon.svg", type: "image/svg+xml" },
      { url: "/icon-32.png", sizes: "32x32", type: "image/png" },
    ],
    apple: [{ url: "/icon-180.png", sizes: "180x180", type: "image/png" }],
  },
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
