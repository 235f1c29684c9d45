// Starts every vendor stand-in for a test run or the local sandbox, wired to one app URL.
import { startInsalesStandIn, type InsalesStandIn } from "./insales-stand-in";

export type StandIns = {
  insales: InsalesStandIn;
  intellectmoneyUrl?: string;
  /** Environment the app needs to talk to the stand-ins (besides INSALES_SHOP_URL_TEMPLATE). */
  appEnv: Record<string, string>;
  close: () => Promise<void>;
};

export async function startStandIns(opts: { appUrl: string; appId: string; appSecret: string; insalesPort?: number }): Promise<StandIns> {
  const insales = await startInsalesStandIn({ appUrl: opts.appUrl, appId: opts.appId, appSecret: opts.appSecret, port: opts.insalesPort });
  return {
    insales,
    appEnv: {},
    close: async () => {
      await insales.close();
    },
  };
}
