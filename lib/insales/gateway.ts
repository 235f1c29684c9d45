// The shop's «Внешний способ оплаты» through the InSales REST API (docs/protocols/insales.md §2
// «Its settings»): list delivery variants, create or update the PaymentGateway::External linked to all
// of them. Plain API calls returning values; the use case (lib/shops/connect-gateway.ts) decides.
import { z } from "zod";
import { insalesApi, type InsalesApiShop } from "./api-client";

/** What we set on the payment method (§2 [decision]: shop_id = insales_id, our own random password). */
export type GatewayInput = { url: string; shopId: string; password: string; deliveryVariantIds: number[] };

/** The 201/200 answer, reduced to what we store (§2: use these URLs instead of building them by hand). */
export type RemoteGateway = { id: string; successUrl: string | null; failUrl: string | null; serverUrl: string | null };

export type GatewayApiFailure =
  | { ok: false; reason: "unauthorized" | "forbidden" | "unavailable" | "bad_answer" }
  | { ok: false; reason: "invalid"; messages: string[] }
  | { ok: false; reason: "not_found" };

const idSchema = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const urlOrNull = z.string().nullish().transform((v) => v || null);

const gatewayAnswer = z.object({
  id: idSchema,
  success_url: urlOrNull,
  fail_url: urlOrNull,
  server_url: urlOrNull,
});

const deliveryVariantsAnswer = z.array(z.object({ id: idSchema }).loose());

export const GATEWAY_TITLE = "IntellectMoney";
export const GATEWAY_TYPE = "PaymentGateway::External";

function body(input: GatewayInput, creating: boolean) {
  return {
    payment_gateway: {
      ...(creating ? { type: GATEWAY_TYPE } : {}),
      title: GATEWAY_TITLE,
      url: input.url,
      shop_id: input.shopId,
      password: input.password,
      // The order as signed `order_json` in every checkout (docs/protocols/insales.md §2): its currency and
      // lines come with the checkout itself, so the checkout needs no API read for the invoice's currency
      // (lib/checkout/checkout-currency.ts) nor for the 54-ФЗ receipt.
      send_order: true,
      // A method is offered only for the delivery variants linked to it (§2).
      payment_delivery_variants_attributes: input.deliveryVariantIds.map((id) => ({ delivery_variant_id: id })),
    },
  };
}

type Answer = Awaited<ReturnType<typeof insalesApi>>;

/** 429/503 are already waited out by the client (Retry-After); what is left is "try later". */
function failure(answer: Exclude<Answer, { ok: true }>): GatewayApiFailure {
  switch (answer.reason) {
    case "unauthorized":
    case "forbidden":
    case "not_found":
      return { ok: false, reason: answer.reason };
    case "invalid":
      return { ok: false, reason: "invalid", messages: (answer.errors ?? []).slice(0, 10).map((m) => m.slice(0, 300)) };
    default:
      return { ok: false, reason: "unavailable" };
  }
}

export async function listDeliveryVariantIds(shop: InsalesApiShop): Promise<{ ok: true; ids: number[] } | GatewayApiFailure> {
  const answer = await insalesApi(shop, "GET", "/admin/delivery_variants.json");
  if (!answer.ok) return failure(answer);
  const parsed = deliveryVariantsAnswer.safeParse(answer.json);
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, ids: parsed.data.map((d) => Number(d.id)) };
}

export async function createGateway(shop: InsalesApiShop, input: GatewayInput): Promise<{ ok: true; gateway: RemoteGateway } | GatewayApiFailure> {
  const answer = await insalesApi(shop, "POST", "/admin/payment_gateways.json", body(input, true));
  if (!answer.ok) return failure(answer);
  return toGateway(answer.json);
}

const existingGateway = z
  .object({
    id: idSchema,
    type: z.string().nullish(),
    url: z.string().nullish(),
    payment_delivery_variants: z.array(z.object({ delivery_variant_id: idSchema }).loose()).nullish(),
  })
  .loose();

/** A gateway as it is in the shop now: which delivery variants it is already linked to. */
export type ExistingGateway = { id: string; type: string | null; url: string | null; deliveryVariantIds: number[] };

function toExisting(g: z.infer<typeof existingGateway>): ExistingGateway {
  return {
    id: g.id,
    type: g.type ?? null,
    url: g.url ?? null,
    deliveryVariantIds: (g.payment_delivery_variants ?? []).map((l) => Number(l.delivery_variant_id)),
  };
}

/** GET one; `not_found` when the merchant deleted the method in the back office (then we create anew). */
export async function getGateway(shop: InsalesApiShop, gatewayId: string): Promise<{ ok: true; gateway: ExistingGateway } | GatewayApiFailure> {
  const answer = await insalesApi(shop, "GET", `/admin/payment_gateways/${encodeURIComponent(gatewayId)}.json`);
  if (!answer.ok) return failure(answer);
  const parsed = existingGateway.safeParse(answer.json);
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, gateway: toExisting(parsed.data) };
}

export async function listGateways(shop: InsalesApiShop): Promise<{ ok: true; gateways: ExistingGateway[] } | GatewayApiFailure> {
  const answer = await insalesApi(shop, "GET", "/admin/payment_gateways.json");
  if (!answer.ok) return failure(answer);
  const parsed = z.array(existingGateway).safeParse(answer.json);
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, gateways: parsed.data.map(toExisting) };
}

/** PUT. Nested attributes without an id create new links, so pass only the variants not linked yet. */
export async function updateGateway(shop: InsalesApiShop, gatewayId: string, input: GatewayInput): Promise<{ ok: true; gateway: RemoteGateway } | GatewayApiFailure> {
  const answer = await insalesApi(shop, "PUT", `/admin/payment_gateways/${encodeURIComponent(gatewayId)}.json`, body(input, false));
  if (!answer.ok) return failure(answer);
  return toGateway(answer.json);
}

function toGateway(json: unknown): { ok: true; gateway: RemoteGateway } | GatewayApiFailure {
  const parsed = gatewayAnswer.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  const g = parsed.data;
  return { ok: true, gateway: { id: g.id, successUrl: g.success_url, failUrl: g.fail_url, serverUrl: g.server_url } };
}
