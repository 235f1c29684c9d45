// GET /api/health — for load balancers and monitoring: 200 when the database answers, 503 otherwise.
import { databaseAnswers } from "@/lib/db";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await databaseAnswers();
    return Response.json({ status: "ok", database: "up" });
  } catch (error) {
    log.warn({ err: (error as Error).message }, "health: database unreachable");
    return Response.json({ status: "error", database: "down" }, { status: 503 });
  }
}
