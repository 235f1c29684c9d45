// GET /api/insales/uninstall?shop&token&insales_id — InSales, when a merchant removes the app
// (docs/protocols/insales.md §1 Uninstall). POST with a form body is tolerated. Machine caller: JSON answers.
// A shop we do not know is answered 200 (already gone), so InSales completes the removal.
import { parseUninstallParams } from "@/lib/insales/lifecycle-params";
import { uninstallShop } from "@/lib/shops/uninstall-shop";
import { lifecycleRoute } from "../lifecycle-http";

export const dynamic = "force-dynamic";

const STATUS = { bad_token: 403 } as const;

const route = lifecycleRoute("uninstall", parseUninstallParams, async (params) => {
  const result = await uninstallShop(params);
  if (!result.ok) return Response.json({ error: result.reason }, { status: STATUS[result.reason] });
  return Response.json({ status: "ok" });
});

export const GET = route.GET;
export const POST = route.POST;
