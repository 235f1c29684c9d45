// The order-card widget in the bench (docs/PERFORMANCE.md «The order-card widget»): it loads on every order card
// the merchant opens in the InSales back office, so it must stay light. Measured against the running app:
// - bytes: the code InSales holds (lib/widget/widget-code.ts) and the data the app answers for one order
//   (GET /api/widget/order, a held payment with its events and hold time), UTF-8, and both gzip-compressed;
//   the target is code + data under 30 kB uncompressed;
// - time to first paint, in Debian's Chromium (the e2e browser): a page that embeds the widget the way the
//   InSales stand-in does (an iframe on another origin than the app, `window.order_info` set) — first
//   contentful paint of the frame, and when the payment's summary is painted (the JSONP answer rendered);
//   median of BENCH_WIDGET_LOADS loads [10], each in a fresh page.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { encryptSecret } from "../lib/crypto";
import { WIDGET_CALLBACK, WIDGET_HEIGHT, widgetCode } from "../lib/widget/widget-code";
import { orderReadSignature } from "../lib/widget/widget-signature";
import type { BenchShop } from "./seed";

/** A fixed widget secret for the bench's journal shop (64 hex). */
export const BENCH_WIDGET_SECRET = "b".repeat(64);
/** An order of the journal shop with a held payment (bench/seed.ts seedJournal: g = 4 is HELD). */
export const BENCH_WIDGET_ORDER = "5000004";
export const WIDGET_BYTES_LIMIT = 30 * 1024;

export async function seedWidget(client: pg.Client, shop: BenchShop): Promise<void> {
  await client.query(
    `INSERT INTO "ShopWidget" ("shopId", "state", "widgetId", "secretEnc", "codeVersion", "syncedAt", "updatedAt")
     VALUES ($1::uuid, 'INSTALLED', '7001', $2, 1, now(), now())`,
    [shop.id, encryptSecret(BENCH_WIDGET_SECRET)],
  );
}

/** The data route's path for the bench order (what the widget's script asks for). */
export function widgetDataPath(shop: BenchShop, orderId = BENCH_WIDGET_ORDER): string {
  const sig = orderReadSignature(BENCH_WIDGET_SECRET, shop.insalesId, orderId);
  return `/api/widget/order?shop=${shop.insalesId}&order=${orderId}&sig=${sig}&callback=${WIDGET_CALLBACK}`;
}

export type WidgetFigures = {
  codeBytes: number;
  dataBytes: number;
  gzipBytes: number;
  loads: number;
  /** Medians, ms from navigation start of the frame. */
  firstContentfulPaintMs: number;
  summaryPaintedMs: number;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};

/** A stand-in for the back office's widget iframe: the widget's code as its document, `order_info` first. */
async function frameServer(code: string, orderId: string): Promise<{ url: string; server: Server }> {
  const html = `<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Виджет</title><script>window.order_info = {"id": ${Number(orderId)}};</script></head><body>\n${code}\n</body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

export async function measureWidget(appUrl: string, shop: BenchShop, loads = Number(process.env.BENCH_WIDGET_LOADS ?? 10)): Promise<WidgetFigures> {
  const code = widgetCode({ appUrl, insalesId: shop.insalesId, secret: BENCH_WIDGET_SECRET });
  const answer = await fetch(`${appUrl}${widgetDataPath(shop)}`);
  const data = await answer.text();
  if (answer.status !== 200 || !data.startsWith(`${WIDGET_CALLBACK}(`)) throw new Error(`widget data: HTTP ${answer.status}: ${data.slice(0, 200)}`);

  const frame = await frameServer(code, BENCH_WIDGET_ORDER);
  // Imported here: the rest of the bench does not need a browser.
  const { chromium } = await import("@playwright/test");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  const fcp: number[] = [];
  const painted: number[] = [];
  try {
    for (let i = 0; i < loads; i++) {
      const page = await browser.newPage({ viewport: { width: 800, height: WIDGET_HEIGHT } });
      await page.goto(frame.url);
      const at = await page.waitForFunction(() => (document.querySelector("#im-widget [data-testid='im-status']") ? performance.now() : 0), undefined, { timeout: 15_000, polling: "raf" });
      painted.push(Number(await at.jsonValue()));
      fcp.push(await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN));
      await page.close();
    }
  } finally {
    await browser.close();
    frame.server.close();
  }
  return {
    codeBytes: Buffer.byteLength(code, "utf8"),
    dataBytes: Buffer.byteLength(data, "utf8"),
    gzipBytes: gzipSync(code).length + gzipSync(data).length,
    loads,
    firstContentfulPaintMs: median(fcp),
    summaryPaintedMs: median(painted),
  };
}

export function widgetReport(f: WidgetFigures): string {
  const kb = (n: number) => (n / 1024).toFixed(1);
  return [
    "| widget | code | data (one held payment) | code + data | gzip | first contentful paint (median) | summary painted (median) |",
    "|---|---:|---:|---:|---:|---:|---:|",
    `| order card | ${kb(f.codeBytes)} kB | ${kb(f.dataBytes)} kB | ${kb(f.codeBytes + f.dataBytes)} kB | ${kb(f.gzipBytes)} kB | ${f.firstContentfulPaintMs.toFixed(0)} ms | ${f.summaryPaintedMs.toFixed(0)} ms (${f.loads} loads) |`,
  ].join("\n");
}
