// Test support for the result / notice / buyer-return integration tests: the InSales stand-in (payments
// API + external payment endpoints) on 127.0.0.1:0, the IntellectMoney stand-in delivering its
// notifications straight to our route handler, and payments made through the real checkout and the
// stand-in's invoice form.
import { afterAll, beforeAll } from "vitest";
import { POST as resultRoute } from "../../app/api/intellectmoney/result/route";
import { installExternalPayments, type ExternalPayments } from "../../e2e/stand-ins/insales-external-payments";
import { IntellectMoneyStandIn, type ImInvoice } from "../../e2e/stand-ins/intellectmoney-stand-in";
import type { StandInOrder } from "../../e2e/stand-ins/insales-stand-in";
import type { CheckoutInput } from "../../e2e/stand-ins/insales-payments-api";
import type { HoldMode } from "../../lib/generated/prisma/enums";
import { db } from "../../lib/db";
import { resetEnvCache } from "../../lib/env";
import { stopBoss } from "../../lib/jobs/queue";
import type { Payment } from "../../lib/generated/prisma/client";
import { addInstalledShop, configureOrganization, configureWallet, connectGatewayDirectly, startTestStandIn, type TestShop, type TestStandIn } from "./checkout-test-support";
import { startCheckout } from "../../lib/checkout/checkout";

export type ResultWorld = { insales: TestStandIn; ext: ExternalPayments; im: IntellectMoneyStandIn; close: () => Promise<void> };

/**
 * The world of a test file: started before its tests (after useTestDatabase's own beforeAll), and after
 * them pg-boss stopped, then the stand-ins closed. Its fields are there from the first test on.
 */
export function useResultWorld(): ResultWorld {
  const world = {} as ResultWorld;
  beforeAll(async () => {
    Object.assign(world, await startResultWorld());
  });
  afterAll(async () => {
    await stopBoss();
    await world.close();
  });
  return world;
}

/** For a file whose set-up needs more than the world (see useResultWorld for the usual case). */
export async function startResultWorld(): Promise<ResultWorld> {
  const insales = await startTestStandIn();
  const ext = installExternalPayments(insales.insales);
  const im = await new IntellectMoneyStandIn({ deliver: (request) => resultRoute(request) }).start();
  // Invoices and the Merchant API (§4) both go to the IntellectMoney stand-in.
  process.env.INTELLECTMONEY_MERCHANT_URL = im.merchantUrl;
  process.env.INTELLECTMONEY_API_URL = `${im.url}/api`;
  resetEnvCache();
  return {
    insales,
    ext,
    im,
    close: async () => {
      await im.close();
      await insales.close();
    },
  };
}

let eshopCounter = 20_000;

export type Paid = { shop: TestShop; payment: Payment; invoice: ImInvoice; order: StandInOrder; eshopId: string; secretKey: string };

export type NewPaymentOptions = {
  wallet?: boolean;
  /** A wallet form's «Секретный ключ», known to the app and to the stand-in (else wallet results are claims). */
  walletSecretKey?: string;
  testMode?: boolean;
  markPaidOnHold?: boolean;
  amount?: string;
  /** Reuse a shop (its settings and gateway as they are). */
  shop?: TestShop & { eshopId: string; secretKey: string };
  holdMode?: HoldMode;
  /** More of what InSales sends (an existing order, its currency, a conversion, order_json). */
  checkout?: CheckoutInput;
};

/**
 * A shop (organization by default) with a connected gateway, a checkout through startCheckout, and the
 * invoice form posted to the IntellectMoney stand-in, which creates the invoice and notifies status 3.
 */
export async function newPayment(world: ResultWorld, o: NewPaymentOptions = {}): Promise<Paid> {
  let shop: TestShop;
  let eshopId: string;
  let secretKey: string;
  if (o.shop) {
    ({ eshopId, secretKey } = o.shop);
    shop = o.shop;
  } else {
    shop = await addInstalledShop(world.insales.insales);
    eshopId = String((eshopCounter += 1));
    secretKey = `key-${eshopId}`;
    if (o.wallet) {
      // A form id of its own, so the stand-in's key for it (if any) belongs to this shop only.
      const formId = String(eshopCounter);
      await configureWallet(shop.id, { formId, secretKey: o.walletSecretKey });
      if (o.walletSecretKey) world.im.registerWalletForm(formId, o.walletSecretKey);
    }
    else await configureOrganization(shop.id, { eshopId, secretKey, testMode: o.testMode ?? false, holdMode: o.holdMode });
    if (o.markPaidOnHold) await db().shopSettings.update({ where: { shopId: shop.id }, data: { markPaidOnHold: true } });
    await connectGatewayDirectly(shop);
    world.im.registerShop(eshopId, secretKey);
  }
  const signed = world.insales.api.signedCheckout(shop.host, { amount: o.amount, ...o.checkout });
  const checkout = await startCheckout({ form: new URLSearchParams(signed.fields), shopHint: null });
  if (!checkout.ok) throw new Error(`checkout refused: ${checkout.reason}`);
  const answer = await fetch(checkout.action, { method: "POST", body: new URLSearchParams(checkout.fields), redirect: "manual" });
  if (answer.status !== 303) throw new Error(`IntellectMoney stand-in refused the invoice: ${answer.status} ${await answer.text()}`);
  const payment = await db().payment.findUniqueOrThrow({ where: { id: checkout.paymentId } });
  const invoice = world.im.findInvoice(payment.imOrderId);
  if (!invoice) throw new Error("no invoice at the stand-in");
  return { shop, payment, invoice, order: signed.order, eshopId, secretKey };
}

export async function paymentRow(id: string): Promise<Payment> {
  return db().payment.findUniqueOrThrow({ where: { id } });
}

export async function eventsOf(paymentId: string) {
  return db().paymentEvent.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
}

export async function noticeJobs(noticeId: string): Promise<number> {
  const rows = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'notify-insales' AND singleton_key = ${noticeId}`;
  return Number(rows[0].n);
}

/** A raw result notification POSTed to our route, as IntellectMoney would. */
export function resultRequest(shopParam: string | null, fields: Record<string, string>): Request {
  const url = shopParam === null ? "https://app.test.local/api/intellectmoney/result" : `https://app.test.local/api/intellectmoney/result?shop=${encodeURIComponent(shopParam)}`;
  return new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
}
