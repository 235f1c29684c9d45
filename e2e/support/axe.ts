// Accessibility check of a whole page with axe-core through its Playwright integration
// (@axe-core/playwright): the WCAG 2.0 and 2.1 A/AA rules, colour contrast included, over the entire page
// and its frames. No rule is disabled and no element excluded: a page either passes all of them or the
// spec fails with the list of what to fix. axe is injected through Playwright's own evaluation channel,
// which the pages' CSP does not apply to.
import { AxeBuilder } from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] as const;

export type AxeViolation = { id: string; impact: string | null; help: string; targets: string[]; summary: string[] };

/** Every WCAG 2 A/AA violation on the page as it is now (empty = clean). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const results = await new AxeBuilder({ page }).withTags([...WCAG_TAGS]).analyze();
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    summary: v.nodes.map((n) => n.failureSummary ?? ""),
  }));
}

/** Fails with the violations themselves (rule, where, why), so the report says what to fix. */
export async function expectAxeClean(page: Page, what: string): Promise<void> {
  expect(await axeViolations(page), `axe (WCAG 2 A/AA) on ${what}: ${page.url()}`).toEqual([]);
}
