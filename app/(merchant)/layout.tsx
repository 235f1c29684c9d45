// Every merchant screen checks the session once here (docs/ARCHITECTURE.md «The folder map»); server actions
// still re-check it on every call. The header names the shop the session is bound to.
// Merchant screens link with plain <a>, not next/link: every screen is rendered on the server per request
// anyway, so client-side navigation saves nothing, while next/link adds 3.3 kB gzip to every page's
// first-load JS and a client component per journal row to render (docs/PERFORMANCE.md).
import type { ReactNode } from "react";
import { Badge } from "@/components/badge";
import { SignOutButton } from "@/components/sign-out-button";
import { requireShopSession } from "@/lib/auth/session";
import { isTestModeOn } from "@/lib/shops/settings-store";
import styles from "./merchant.module.css";

export default async function MerchantLayout({ children }: { children: ReactNode }) {
  const session = await requireShopSession();
  const testMode = await isTestModeOn(session.shopId);
  return (
    <>
      <header className={styles.header}>
        <div className={styles.headerInner}>
          <div className={styles.brand}>
            <span className={styles.appName}>IntellectMoney для InSales</span>
            <span className={styles.shop} data-testid="shop-host">
              {session.host}
            </span>
          </div>
          {testMode ? (
            <Badge tone="warn" title="Счета выставляются в тестовой валюте TST, деньги не списываются">
              Тестовый режим
            </Badge>
          ) : null}
          <nav className={styles.nav} aria-label="Разделы приложения">
            <a href="/settings">Настройки</a>
            <a href="/payments">Платежи</a>
            <a href="/mails">Письма</a>
          </nav>
          <div className={styles.user}>
            {session.userName ? <span>{session.userName}</span> : null}
            <SignOutButton className={styles.signOut} />
          </div>
        </div>
      </header>
      {children}
    </>
  );
}
