import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "IntellectMoney для InSales",
  description: "Приём оплаты через IntellectMoney в магазинах на InSales",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="ru">
      <body>{children}</body>
    </html>
  );
}
