// Starts every vendor stand-in for a test run or the local sandbox, wired to one app URL.
import { startInsalesStandIn, type InsalesStandIn } from "./insales-stand-in";
import { installPaymentsApi, type PaymentsApi } from "./insales-payments-api";
import { installExternalPayments } from "./insales-external-payments";
import { installWidgets } from "./insales-widgets";
import { startIntellectMoneyStandIn, type IntellectMoneyStandIn } from "./intellectmoney-stand-in";
import { extraCaCertsWithStandIn } from "./tls";

export type StandIns = {
  insales: InsalesStandIn;
  /** The InSales stand-in's payment parts (gateways, orders), driven in process. */
  insalesPayments: PaymentsApi;
  intellectmoneyUrl?: string;
  intellectmoney: IntellectMoneyStandIn;
  /** Environment the app needs to talk to the stand-ins (besides INSALES_SHOP_URL_TEMPLATE). */
  appEnv: Record<string, string>;
  close: () => Promise<void>;
};

export async function startStandIns(opts: { appUrl: string; appId: string; appSecret: string; insalesPort?: number; intellectmoneyPort?: number }): Promise<StandIns> {
  const insales = await startInsalesStandIn({ appUrl: opts.appUrl, appId: opts.appId, appSecret: opts.appSecret, port: opts.insalesPort });
  const insalesPayments = installPaymentsApi(insales);
  installExternalPayments(insales);
  installWidgets(insales);
  const intellectmoney = await startIntellectMoneyStandIn({ port: opts.intellectmoneyPort });
  return {
    insales,
    insalesPayments,
    intellectmoney,
    intellectmoneyUrl: intellectmoney.url,
    appEnv: {
      INTELLECTMONEY_MERCHANT_URL: intellectmoney.merchantUrl,
      INTELLECTMONEY_API_URL: `${intellectmoney.url}/api`,
      // The InSales stand-in's https side (e2e/stand-ins/tls.ts): read by Node when the app process starts.
      NODE_EXTRA_CA_CERTS: extraCaCertsWithStandIn(process.env.NODE_EXTRA_CA_CERTS),
    },
    close: async () => {
      await insales.close();
      await intellectmoney.close();
    },
  };
}
