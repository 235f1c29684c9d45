// The HTTP side both lifecycle calls share (docs/protocols/insales.md §1 Install, Uninstall): GET with the
// query, or POST with a form body tolerated as well; the per-IP limit, the bounded body, the parameters
// parsed, then the use case's answer. Machine caller: JSON answers, and one outer catch turns the unexpected
// into a logged 500.
import { readFormBody, type ParamsResult } from "@/lib/insales/lifecycle-params";
import { log } from "@/lib/log";
import { rateLimited } from "@/lib/http/rate-limit";

const BODY_STATUS: Record<string, number> = { body_too_large: 413, body_busy: 503 };

/** GET and POST of one lifecycle route: `parse` reads the query and the form body, `answer` runs the use case. */
export function lifecycleRoute<P>(name: "install" | "uninstall", parse: (query: URLSearchParams, body: URLSearchParams) => ParamsResult<P>, answer: (params: P, request: Request) => Promise<Response>) {
  async function handle(request: Request, withBody: boolean): Promise<Response> {
    try {
      const limited = rateLimited(request, "lifecycle", "json");
      if (limited) return limited;
      const query = new URL(request.url).searchParams;
      const body = withBody ? await readFormBody(request) : { ok: true as const, params: new URLSearchParams() };
      if (!body.ok) return Response.json({ error: body.reason }, { status: BODY_STATUS[body.reason] ?? 400 });
      const params = parse(query, body.params);
      if (!params.ok) return Response.json({ error: params.reason }, { status: 400 });
      return await answer(params.params, request);
    } catch (error) {
      log.error({ err: (error as Error).message }, `${name}: unexpected failure`);
      return Response.json({ error: "internal" }, { status: 500 });
    }
  }
  return { GET: (request: Request) => handle(request, false), POST: (request: Request) => handle(request, true) };
}
