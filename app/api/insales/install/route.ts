// GET /api/insales/install?shop&token&insales_id — InSales, when a merchant installs the app
// (docs/protocols/insales.md §1 Install). POST with a form body is tolerated. Machine caller: JSON answers.
// 200 means "stored, to be proven": the call itself changes no shop (lib/shops/install-shop.ts). 429 with
// Retry-After when too many unproven calls wait (InSales shows the merchant an error; a later try works);
// a 4xx like the per-IP limit's, since it is the callers' volume, not our failure.
import { parseInstallParams, readFormBody } from "@/lib/insales/lifecycle-params";
import { installShop } from "@/lib/shops/install-shop";
import { log } from "@/lib/log";
import { clientAddress, rateLimited } from "@/lib/http/rate-limit";

export const dynamic = "force-dynamic";

const BODY_STATUS: Record<string, number> = { body_too_large: 413, body_busy: 503 };

async function handle(request: Request, withBody: boolean): Promise<Response> {
  try {
    const limited = rateLimited(request, "lifecycle", "json");
    if (limited) return limited;
    const query = new URL(request.url).searchParams;
    const body = withBody ? await readFormBody(request) : { ok: true as const, params: new URLSearchParams() };
    if (!body.ok) return Response.json({ error: body.reason }, { status: BODY_STATUS[body.reason] ?? 400 });
    const params = parseInstallParams(query, body.params);
    if (!params.ok) return Response.json({ error: params.reason }, { status: 400 });
    const result = await installShop(params.params, { sourceAddress: clientAddress(request) });
    if (!result.ok) {
      return Response.json({ error: result.reason }, { status: 429, headers: { "Retry-After": String(result.retryAfterSeconds) } });
    }
    return Response.json({ status: "ok" });
  } catch (error) {
    log.error({ err: (error as Error).message }, "install: unexpected failure");
    return Response.json({ error: "internal" }, { status: 500 });
  }
}

export function GET(request: Request) {
  return handle(request, false);
}

export function POST(request: Request) {
  return handle(request, true);
}
