// The one bounded body reader (issue 12 item 5): bytes back, the cap checked against the declared length
// before reading and against the count while reading, the rest never pulled, and a shared budget for many
// large bodies read at once.
import { describe, expect, it } from "vitest";
import { bodyBudgetInUse, BUSY_BUDGET_BYTES, FREE_BYTES_PER_BODY, readBody, withBody } from "./read-body";

const KiB = 1024;

/** A body generated chunk by chunk as it is pulled, counting what was pulled and whether it was cancelled. */
function generated(opts: { chunk: number; total: number; stallAfter?: number }) {
  const stats = { pulled: 0, cancelled: false };
  let release: () => void = () => {};
  const stalled = new Promise<void>((r) => (release = r));
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (opts.stallAfter !== undefined && stats.pulled >= opts.stallAfter) await stalled;
      if (stats.pulled >= opts.total) return controller.close();
      const n = Math.min(opts.chunk, opts.total - stats.pulled);
      stats.pulled += n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats, release };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://app.test.local/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

describe("readBody", () => {
  it("hands back the bytes as sent, whatever their encoding", async () => {
    const cp1251 = Uint8Array.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, 0x3d, 0x00, 0xff]); // «Привет=», NUL, 0xFF
    const r = await readBody(post(Buffer.from(cp1251)), 64);
    expect(r.ok && [...r.bytes]).toEqual([...cp1251]);
  });

  it("reads no body and an empty one as zero bytes", async () => {
    expect(await readBody(new Request("http://app.test.local/x"), 10)).toEqual({ ok: true, bytes: new Uint8Array(0) });
    expect(await readBody(post(""), 10)).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });

  it("accepts a body of exactly the cap and refuses one byte more", async () => {
    expect((await readBody(post("a".repeat(100)), 100)).ok).toBe(true);
    expect(await readBody(post("a".repeat(101)), 100)).toEqual({ ok: false, reason: "too_large" });
  });

  it("refuses a declared Content-Length over the cap without pulling a byte", async () => {
    const body = generated({ chunk: 16 * KiB, total: 10 * 1024 * KiB });
    const r = await readBody(post(body.stream, { "content-length": String(10 * 1024 * KiB) }), 64 * KiB);
    expect(r).toEqual({ ok: false, reason: "too_large" });
    expect(body.stats.pulled).toBeLessThanOrEqual(16 * KiB); // at most what the stream queued on its own
    expect(body.stats.cancelled).toBe(true);
  });

  it("stops a chunked body at the cap: the rest is never pulled, the stream is cancelled", async () => {
    const body = generated({ chunk: 16 * KiB, total: 400 * 1024 * KiB });
    const r = await readBody(post(body.stream), 64 * KiB);
    expect(r).toEqual({ ok: false, reason: "too_large" });
    expect(body.stats.pulled).toBeLessThanOrEqual(64 * KiB + 2 * 16 * KiB);
    expect(body.stats.cancelled).toBe(true);
  });

  it("reports a body that breaks mid-way as unreadable", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("client went away"));
      },
    });
    expect(await readBody(post(stream), 1024)).toEqual({ ok: false, reason: "unreadable" });
  });

  it("refuses a body someone already read", async () => {
    const req = post("abc");
    await req.text();
    expect(await readBody(req, 1024)).toEqual({ ok: false, reason: "unreadable" });
  });
});

describe("the shared budget for large bodies", () => {
  it("lets small bodies through however many are read at once", async () => {
    const bodies = Array.from({ length: 200 }, () => generated({ chunk: 16 * KiB, total: FREE_BYTES_PER_BODY, stallAfter: FREE_BYTES_PER_BODY - 16 * KiB }));
    const reads = bodies.map((b) => readBody(post(b.stream), 4 * 1024 * KiB));
    await new Promise((r) => setTimeout(r, 20));
    bodies.forEach((b) => b.release());
    const results = await Promise.all(reads);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(bodyBudgetInUse()).toBe(0);
  });

  it("answers busy once large bodies being read hold the whole budget, and frees it when they are done", async () => {
    const size = 4 * 1024 * KiB;
    const fit = Math.floor(BUSY_BUDGET_BYTES / (size - FREE_BYTES_PER_BODY));
    // Slow clients: each sends all but its last 16 KiB, then stalls.
    const bodies = Array.from({ length: fit + 5 }, () => generated({ chunk: 16 * KiB, total: size, stallAfter: size - 16 * KiB }));
    const reads = bodies.map((b) => readBody(post(b.stream), size));
    const settled: Array<Awaited<(typeof reads)[number]>> = [];
    reads.forEach((r) => void r.then((v) => settled.push(v)));
    while (settled.length < 5) await new Promise((r) => setTimeout(r, 5));
    expect(settled.every((r) => !r.ok && r.reason === "busy")).toBe(true);
    expect(bodyBudgetInUse()).toBeLessThanOrEqual(BUSY_BUDGET_BYTES);
    bodies.forEach((b) => b.release());
    const results = await Promise.all(reads);
    expect(results.filter((r) => r.ok)).toHaveLength(fit);
    expect(bodyBudgetInUse()).toBe(0);
    // With the budget free again, a large body is read.
    expect((await readBody(post("a".repeat(size)), size)).ok).toBe(true);
  });

  it("withBody keeps a large body's share while the route works on it, and gives it back even when the work fails", async () => {
    const size = 1024 * KiB;
    const seen: number[] = [];
    await withBody(post("a".repeat(size)), size, async (body) => {
      expect(body.ok).toBe(true);
      seen.push(bodyBudgetInUse());
    });
    expect(seen).toEqual([size - FREE_BYTES_PER_BODY]);
    expect(bodyBudgetInUse()).toBe(0);
    await expect(withBody(post("a".repeat(size)), size, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(bodyBudgetInUse()).toBe(0);
    // A small body costs nothing.
    await withBody(post("a".repeat(FREE_BYTES_PER_BODY)), size, async () => void seen.push(bodyBudgetInUse()));
    expect(seen.at(-1)).toBe(0);
  });
});
