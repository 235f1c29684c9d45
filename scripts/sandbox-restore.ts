// A restarted sandbox: the database (embedded PostgreSQL in .data/pg, or DATABASE_URL) keeps the shop, its
// «Внешний способ оплаты» and its payments, while the stand-ins start with empty memory. Without this the
// demo checkout of a second `npm run sandbox` answered «Оплата недоступна» (the InSales stand-in no longer
// knew the payment method), and once that was fixed by hand «Оплата не выполнена»: its order and
// transaction ids started again and met the stored payments (the app takes a repeated transaction_id for
// the same payment, `reason: conflict`). The database is the one truth, so the stand-ins are brought in line
// with it here, after the demo shop's install: the payment method as InSales keeps it (same id and «Пароль»)
// and every id counter above the highest one stored.
import pg from "pg";
import type { IdsInUse, PaymentsApi } from "../e2e/stand-ins/insales-payments-api";
import type { InsalesStandIn } from "../e2e/stand-ins/insales-stand-in";
import type { IntellectMoneyStandIn } from "../e2e/stand-ins/intellectmoney-stand-in";

export type RestoreInput = {
  databaseUrl: string;
  shop: { host: string; insalesId: string };
  /** The app's APP_URL now: the payment method's «URL внешнего сервиса» is APP_URL/payment.php. */
  appUrl: string;
  insales: InsalesStandIn;
  insalesPayments: PaymentsApi;
  intellectmoney: IntellectMoneyStandIn;
  /** Opens the stored «Пароль» (lib/crypto.ts decryptSecret under the app's ENCRYPTION_KEY). */
  decrypt: (sealed: string) => string;
  /** The eshopId the IntellectMoney stand-in knows (scripts/sandbox-demo.ts). */
  knownEshopId: string;
};

export type RestoreResult = {
  /** The payment method put back into the InSales stand-in, if the shop had one. */
  gatewayId: number | null;
  /** The highest ids found; the stand-ins hand out only larger ones from now on. */
  idsInUse: IdsInUse & { imPaymentId?: number };
  /** What the newcomer should know (printed by the sandbox). */
  notes: string[];
};

const DIGITS = "'^[0-9]{1,15}$'";
const maxNumeric = (column: string) => `max(CASE WHEN "${column}" ~ ${DIGITS} THEN "${column}"::bigint END)::text`;

type ShopRow = { gatewayId: string | null; passwordEnc: string | null; serverUrl: string | null; legalForm: string | null; eshopId: string | null };
type IdsRow = { transaction_id: string | null; order_id: string | null; order_number: string | null; im_payment_id: string | null };

const toNumber = (v: string | null): number | undefined => (v === null ? undefined : Number(v));

export async function restoreStandIns(input: RestoreInput): Promise<RestoreResult> {
  const client = new pg.Client({ connectionString: input.databaseUrl });
  await client.connect();
  let shop: ShopRow | undefined;
  let ids: IdsRow;
  try {
    shop = (
      await client.query<ShopRow>(
        `SELECT g."gatewayId", g."passwordEnc", g."serverUrl", st."legalForm"::text AS "legalForm", st."eshopId"
           FROM "Shop" s LEFT JOIN "ShopGateway" g ON g."shopId" = s.id LEFT JOIN "ShopSettings" st ON st."shopId" = s.id
          WHERE s."insalesId" = $1`,
        [input.shop.insalesId],
      )
    ).rows[0];
    // Every shop's payments: the stand-ins' counters are shared by all the shops they serve.
    ids = (
      await client.query<IdsRow>(
        `SELECT ${maxNumeric("transactionId")} AS transaction_id, ${maxNumeric("insalesOrderId")} AS order_id,
                ${maxNumeric("orderNumber")} AS order_number, ${maxNumeric("imPaymentId")} AS im_payment_id
           FROM "Payment"`,
      )
    ).rows[0];
  } finally {
    await client.end();
  }

  const notes: string[] = [];
  const idsInUse: RestoreResult["idsInUse"] = {
    transactionId: toNumber(ids.transaction_id),
    orderId: toNumber(ids.order_id),
    orderNumber: toNumber(ids.order_number),
    imPaymentId: toNumber(ids.im_payment_id),
  };

  let gatewayId: number | null = null;
  if (shop?.gatewayId && /^\d+$/.test(shop.gatewayId) && shop.passwordEnc) {
    let password: string | null = null;
    try {
      password = input.decrypt(shop.passwordEnc);
    } catch (error) {
      notes.push(`the stored payment method cannot be read (${(error as Error).message}): press «Обновить способ оплаты» in «Настройки»`);
    }
    if (password !== null) {
      gatewayId = Number(shop.gatewayId);
      input.insalesPayments.restoreGateway(input.shop.host, { id: gatewayId, url: `${input.appUrl}/payment.php`, shopId: input.shop.insalesId, password });
      idsInUse.gatewayId = gatewayId;
      // InSales gave the app its notice URLs on this stand-in's base: another SANDBOX_INSALES_PORT than last
      // time leaves them pointing nowhere until the method is updated (the update's answer carries the new ones).
      if (shop.serverUrl && new URL(shop.serverUrl).origin !== new URL(input.insales.url).origin) {
        notes.push(
          `the payment method's notice URL points at ${new URL(shop.serverUrl).origin}, not at this InSales stand-in: ` +
            "press «Обновить способ оплаты» in «Настройки» (or start with the same SANDBOX_INSALES_PORT as before)",
        );
      }
    }
  }
  if (shop?.legalForm === "ORGANIZATION" && shop.eshopId && shop.eshopId !== input.knownEshopId) {
    notes.push(
      `«Настройки» hold «Номер магазина» ${shop.eshopId}, which the IntellectMoney stand-in does not know ` +
        `(it answers «Магазин ${shop.eshopId} не найден»): enter the demo account below`,
    );
  }

  input.insalesPayments.continueAfter(idsInUse);
  if (idsInUse.imPaymentId !== undefined) input.intellectmoney.continuePaymentIdsAfter(idsInUse.imPaymentId);
  return { gatewayId, idsInUse, notes };
}
