// Renders the app's own icon (public/icon.svg) and its InSales App Center picture (public/app-center.svg)
// into the PNG sizes that are committed next to them, and public/favicon.ico:
//   node --import tsx scripts/render-icons.ts
// Run it after changing either SVG, and commit the results. The SVGs are drawn by the Chromium the e2e suite
// already uses (Playwright, a devDependency; CHROMIUM_PATH as in playwright.config.ts), so there is no
// image tool to install and no second drawing of the icon to keep in step. The picture's text is set in
// Liberation Sans (Arial's metrics), which Debian's Chromium has.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { FAVICON_SIZES, icoFromPngs, RENDERED } from "./icon-files";

const PUBLIC = path.resolve(import.meta.dirname, "..", "public");

async function render(page: Page, svgFile: string, width: number, height: number): Promise<Buffer> {
  const svg = readFileSync(path.join(PUBLIC, svgFile)).toString("base64");
  await page.setViewportSize({ width, height });
  await page.setContent(`<!doctype html><body style="margin:0"><img src="data:image/svg+xml;base64,${svg}" width="${width}" height="${height}" style="display:block"></body>`);
  await page.locator("img").evaluate((img: HTMLImageElement) => img.decode());
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width, height } });
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const pngs = new Map<string, Buffer>();
  for (const r of RENDERED) {
    const png = await render(page, r.svg, r.width, r.height);
    pngs.set(r.png, png);
    writeFileSync(path.join(PUBLIC, r.png), png);
    console.log(`public/${r.png} (${r.width}x${r.height}, ${png.length} bytes)`);
  }
  const ico = icoFromPngs(FAVICON_SIZES.map((size) => ({ size, png: pngs.get(`icon-${size}.png`)! })));
  writeFileSync(path.join(PUBLIC, "favicon.ico"), ico);
  console.log(`public/favicon.ico (${FAVICON_SIZES.join(", ")} px, ${ico.length} bytes)`);
} finally {
  await browser.close();
}
