// Server actions are public endpoints: anyone can call one, with any arguments React's reply encoding can
// carry (a string where a form was expected, an object, a Date, nothing at all; lib/http/action-reply.ts).
// Each action therefore parses its arguments with zod before touching them, and answers a call that does
// not fit with its own refusal value: a TypeError thrown from `formData.get` on a string would reach Next,
// which answers every thrown action with a 500 (issue 12 item 7).
import { z } from "zod";
import { log } from "../log";

/** The FormData a form action receives (React builds a real FormData from the posted fields). */
export const formDataArg = z.instanceof(FormData);

export type ActionArgs<T> = { ok: true; value: T } | { ok: false };

/** Parses one action's arguments; a misfit is logged (the shape only, never the values) and refused. */
export function parseActionArgs<S extends z.ZodType>(action: string, schema: S, args: unknown): ActionArgs<z.infer<S>> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.join("."), code: i.code }));
  log.warn({ action, issues }, "server action: arguments refused");
  return { ok: false };
}

export type FormFieldArg = { ok: true; value: string; form: FormData } | { ok: false; reason: "not_a_form" | "no_field" };

/**
 * A form action's one id field (a payment, a problem, a claim): the arguments must be a FormData
 * (parseActionArgs, logged when not) holding `field` as text.
 */
export function formField(action: string, args: unknown, field: string): FormFieldArg {
  const form = parseActionArgs(action, formDataArg, args);
  if (!form.ok) return { ok: false, reason: "not_a_form" };
  const value = form.value.get(field);
  return typeof value === "string" ? { ok: true, value, form: form.value } : { ok: false, reason: "no_field" };
}
