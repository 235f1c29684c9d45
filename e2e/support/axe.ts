// Accessibility check of part of a page with axe-core (WCAG 2 A and AA rules, contrast included).
// axe-core comes with eslint-plugin-jsx-a11y (a dependency of eslint-config-next); its source is evaluated
// through the DevTools protocol, which the pages' CSP does not apply to.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "@playwright/test";

const require = createRequire(import.meta.url);
let source: string | null = null;

export type AxeViolation = { id: string; help: string; targets: string[] };

/** The violations inside the elements matching `selector` (empty = clean). */
export async function axeViolations(page: Page, selector: string): Promise<AxeViolation[]> {
  source ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  return page.evaluate(async (include) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run({ include: [[include]] }, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  }, selector);
}
