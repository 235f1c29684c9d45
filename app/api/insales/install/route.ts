// GET /api/insales/install?shop&token&insales_id — InSales, when a merchant installs the app
// (docs/protocols/insales.md §1 Install). POST with a form body is tolerated. Machine caller: JSON answers.
// 200 means "stored, to be proven": the call itself changes no shop (lib/shops/install-shop.ts). 429 with
// Retry-After when too many unproven calls wait (InSales shows the merchant an error; a later try works);
// a 4xx like the per-IP limit's, since it is the callers' volume, not our failure.
import { parseInstallParams } from "@/lib/insales/lifecycle-params";
import { installShop } from "@/lib/shops/install-shop";
import { clientAddress } from "@/lib/http/rate-limit";
import { lifecycleRoute } from "../lifecycle-http";

export const dynamic = "force-dynamic";

const route = lifecycleRoute("install", parseInstallParams, async (params, request) => {
  const result = await installShop(params, { sourceAddress: clientAddress(request) });
  if (!result.ok) {
    return Response.json({ error: result.reason }, { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } });
  }
  return Response.json({ status: "ok" });
});

export const GET = route.GET;
export const POST = route.POST;
