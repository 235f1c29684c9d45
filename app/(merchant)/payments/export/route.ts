// «Скачать CSV»: the journal with the list's filters, streamed (lib/journal/journal-csv.ts). The session
// decides the shop; nothing in the URL can name another one.
import { getShopSession } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { csvFileName, exportPaymentsCsv } from "@/lib/journal/journal-csv";
import { parseJournalFilters } from "@/lib/journal/journal-filters";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const session = await getShopSession();
    if (!session) return Response.redirect(`${env().APP_URL}/login-required`, 303);
    const { filters } = parseJournalFilters(new URL(request.url).searchParams);
    log.info({ shopId: session.shopId, filters }, "journal: csv export");
    return new Response(exportPaymentsCsv(session.shopId, filters), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csvFileName()}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    log.error({ err: error }, "journal: csv export failed");
    return new Response("Не удалось выгрузить платежи. Попробуйте ещё раз.", { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}
