// The shop's application widgets through the InSales REST API (docs/protocols/insales.md §3 «Application
// widgets»): list, read, create, update, delete. The vendor page documents the XML forms
// (`/admin/application_widgets.xml`, root `application-widget`, fields `id`, `created_at`, `code`, `height`);
// we use the JSON forms with the root key `application_widget`, as for every other resource (§1 «API calls»;
// the official gem declares the resource as a plain ActiveResource model, `ApplicationWidget < Base`). The
// vendor's update answers «200 OK» with no body: an empty answer counts as success. Plain API calls
// returning values; the use case (lib/widget/sync-widget.ts) decides.
import { z } from "zod";
import { insalesApi, type InsalesApiOptions, type InsalesApiResult, type InsalesApiShop } from "./api-client";

export type RemoteWidget = { id: string; code: string };

export type WidgetApiFailure =
  | { ok: false; reason: "unauthorized" | "forbidden" | "not_found" | "unavailable" | "bad_answer" }
  | { ok: false; reason: "invalid"; messages: string[] };

const idSchema = z.union([z.number().int(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const widgetSchema = z.object({ id: idSchema, code: z.string().nullish().transform((v) => v ?? "") }).loose();

function failure(answer: Extract<InsalesApiResult, { ok: false }>): WidgetApiFailure {
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

/** InSales may wrap a single object in its root key, as its API bodies are; accept both. */
function unwrap(json: unknown): unknown {
  if (json && typeof json === "object" && !Array.isArray(json) && "application_widget" in json) return (json as { application_widget: unknown }).application_widget;
  return json;
}

function body(code: string, height: number) {
  return { application_widget: { code, height } };
}

export async function listWidgets(shop: InsalesApiShop): Promise<{ ok: true; widgets: RemoteWidget[] } | WidgetApiFailure> {
  const answer = await insalesApi(shop, "GET", "/admin/application_widgets.json");
  if (!answer.ok) return failure(answer);
  const parsed = z.array(z.unknown().transform(unwrap).pipe(widgetSchema)).safeParse(answer.json);
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, widgets: parsed.data.map((w) => ({ id: w.id, code: w.code })) };
}

export async function getWidget(shop: InsalesApiShop, id: string): Promise<{ ok: true; widget: RemoteWidget } | WidgetApiFailure> {
  const answer = await insalesApi(shop, "GET", `/admin/application_widgets/${encodeURIComponent(id)}.json`);
  if (!answer.ok) return failure(answer);
  const parsed = widgetSchema.safeParse(unwrap(answer.json));
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, widget: { id: parsed.data.id, code: parsed.data.code } };
}

export async function createWidget(shop: InsalesApiShop, code: string, height: number): Promise<{ ok: true; id: string } | WidgetApiFailure> {
  const answer = await insalesApi(shop, "POST", "/admin/application_widgets.json", body(code, height));
  if (!answer.ok) return failure(answer);
  const parsed = widgetSchema.safeParse(unwrap(answer.json));
  if (!parsed.success) return { ok: false, reason: "bad_answer" };
  return { ok: true, id: parsed.data.id };
}

export async function updateWidget(shop: InsalesApiShop, id: string, code: string, height: number): Promise<{ ok: true } | WidgetApiFailure> {
  const answer = await insalesApi(shop, "PUT", `/admin/application_widgets/${encodeURIComponent(id)}.json`, body(code, height));
  return answer.ok ? { ok: true } : failure(answer);
}

export async function deleteWidget(shop: InsalesApiShop, id: string, options?: InsalesApiOptions): Promise<{ ok: true } | WidgetApiFailure> {
  const answer = await insalesApi(shop, "DELETE", `/admin/application_widgets/${encodeURIComponent(id)}.json`, undefined, options);
  if (!answer.ok && answer.reason !== "not_found") return failure(answer);
  return { ok: true };
}
