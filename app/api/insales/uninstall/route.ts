// GET /api/insales/uninstall?shop&token&insales_id — InSales, when a merchant removes the app
// (docs/protocols/insales.md §1 Uninstall). POST with a form body is tolerated. Machine caller: JSON answers.
// A shop we do not know is answered 200 (already gone), so InSales completes the removal.
import { parseUninstallParams, readFormBody } from "@/lib/insales/lifecycle-params";
import { uninstallShop } from "@/lib/shops/uninstall-shop";
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";

export const dynamic = "force-dynamic";

const BODY_STATUS: Record<string, number> = { body_too_large: 413, body_busy: 503 };

const STATUS = { bad_token: 403 } as const;

async function handle(request: Request, withBody: boolean): Promise<Response> {
  try {
    const limited = rateLimited(request, "lifecycle", "json");
    if (limited) return limited;
    const query = new URL(request.url).searchParams;
    const body = withBody ? await readFormBody(request) : { ok: true as const, params: new URLSearchParams() };
    if (!body.ok) return Response.json({ error: body.reason }, { status: BODY_STATUS[body.reason] ?? 400 });
    const params = parseUninstallParams(query, body.params);
    if (!params.ok) return Response.json({ error: params.reason }, { status: 400 });
    const result = await uninstallShop(params.params);
    if (!result.ok) return Response.json({ error: result.reason }, { status: STATUS[result.reason] });
    return Response.json({ status: "ok" });
  } catch (error) {
    log.error({ err: (error as Error).message }, "uninstall: unexpected failure");
    return Response.json({ error: "internal" }, { status: 500 });
  }
}

export function GET(request: Request) {
  return handle(request, false);
}

export function POST(request: Request) {
  return handle(request, true);
}
