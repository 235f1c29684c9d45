// Our own icon (issue 14 part 7): every page's head links it, and the files are served — favicon.ico too,
// which browsers ask for on pages without an icon link (the buyer's checkout and return pages).
import { expect, test } from "@playwright/test";
import { e2eEnv } from "./support/e2e-env";

test("the app's icon is linked from the page head and served, with favicon.ico and the App Center picture", async ({ page }) => {
  const { appUrl } = e2eEnv();
  await page.goto(`${appUrl}/`);
  const links = await page.locator("head link[rel='icon'], head link[rel='apple-touch-icon']").evaluateAll((ls) =>
    ls.map((l) => ({ rel: l.getAttribute("rel"), href: new URL((l as HTMLLinkElement).href).pathname, type: l.getAttribute("type") })),
  );
  expect(links).toEqual([
    { rel: "icon", href: "/icon.svg", type: "image/svg+xml" },
    { rel: "icon", href: "/icon-32.png", type: "image/png" },
    { rel: "apple-touch-icon", href: "/icon-180.png", type: "image/png" },
  ]);
  const expected: Record<string, RegExp> = {
    "/icon.svg": /^image\/svg\+xml/,
    "/icon-32.png": /^image\/png/,
    "/icon-180.png": /^image\/png/,
    "/favicon.ico": /^image\/(x-icon|vnd\.microsoft\.icon)/,
    "/app-center-250x100.png": /^image\/png/,
  };
  for (const [file, type] of Object.entries(expected)) {
    const r = await page.request.get(`${appUrl}${file}`);
    expect(r.status(), file).toBe(200);
    expect(r.headers()["content-type"], file).toMatch(type);
  }
});
