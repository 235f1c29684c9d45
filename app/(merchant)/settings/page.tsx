// «Настройки»: the settings form and the «Способ оплаты в InSales» section (docs/PRODUCT.md «The settings
// screen»). The layout has checked the session already; the shop is always the session's.
import { requireShopSession } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { manualSetupValues } from "@/lib/shops/manual-setup";
import { loadPaymentMethodView } from "@/lib/shops/payment-method-query";
import { resultUrl } from "@/lib/app-urls";
import { loadSettingsForm } from "@/lib/shops/settings-store";
import { GatewayConnectButton } from "./gateway-connect-button";
import { PaymentMethodSection } from "./payment-method-section";
import { SettingsForm } from "./settings-form";
import styles from "./settings.module.css";

export const metadata = { title: "Настройки — IntellectMoney для InSales" };

export default async function SettingsPage() {
  const session = await requireShopSession();
  const [form, gateway] = await Promise.all([
    loadSettingsForm(session.shopId, { userEmail: session.userEmail }),
    loadPaymentMethodView(session.shopId),
  ]);
  return (
    <main className={styles.page}>
      <h1>Настройки</h1>
      <SettingsForm initial={form} resultUrl={resultUrl(session.insalesId)} />
      <PaymentMethodSection
        gateway={gateway}
        legalForm={form.values.legalForm}
        manual={manualSetupValues(env().APP_URL, session.insalesId)}
        connectControl={<GatewayConnectButton status={{ state: gateway.state, lastError: gateway.lastError, hasGateway: gateway.gatewayId !== null }} />}
      />
    </main>
  );
}
