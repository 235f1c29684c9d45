// The one way a route reads a request body: streamed, counting bytes, and refused at the route's cap
// without buffering the rest. A 400 MB chunked POST read whole (`request.arrayBuffer()`, `formData()`,
// `text()`) before any size check took the server to 1.26 GB, and a 160 MB one killed it at its 256 MB
// heap (issue 12 item 5); nothing in a route may read a body any other way.
//
// It hands back bytes, not text: each route decides how to decode (the result route will have to accept
// windows-1251, the checkout refuses anything but UTF-8).
//
// A cap bounds one body; many at once are bounded by a budget shared by the whole process. The first
// FREE_BYTES_PER_BODY of every body are free (every notification, lifecycle call and server action fits,
// and a normal checkout too), so nobody can starve them; the bytes beyond that, which only a very large
// checkout needs, come out of BUSY_BUDGET_BYTES while they are read (readBody) or, with withBody, until
// the route is done with them. When it is spent the read stops with `busy` and the route answers 503:
// four 4 MiB checkouts (or 250 of 128 KiB) at once fit; a few dozen slow 4 MiB ones would otherwise take
// the process past its heap cap (each costs some 12 MB of heap while it is parsed).

export type ReadBodyResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  /** Declared or sent larger than the cap; the rest of the body was not read. */
  | { ok: false; reason: "too_large" }
  /** Too many large bodies are being read or worked on at once: try again shortly (503). */
  | { ok: false; reason: "busy" }
  /** The client aborted or the stream broke mid-way. */
  | { ok: false; reason: "unreadable" };

export const FREE_BYTES_PER_BODY = 64 * 1024;
export const BUSY_BUDGET_BYTES = 16 * 1024 * 1024;

/** Bytes beyond the free part of every body being read (or, with withBody, worked on) right now. */
let budgetInUse = 0;

/** For tests: what the bodies being read hold of the shared budget right now. */
export function bodyBudgetInUse(): number {
  return budgetInUse;
}

/** The declared Content-Length, or null when absent or not a plain decimal (Node refuses such requests
 * itself; a Request built in a test may still carry one). */
function declaredLength(request: Request): number | null {
  const raw = request.headers.get("content-length");
  if (raw === null || !/^\d{1,16}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/** Stops reading: the client may keep sending, but nothing more of it is buffered. */
async function stop(stream: ReadableStream<Uint8Array>, reader?: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    await (reader ? reader.cancel() : stream.cancel());
  } catch {
    /* already errored or closed: nothing left to stop */
  }
}

type Held = { result: ReadBodyResult; release: () => void };

/**
 * Reads at most `maxBytes` of the body. A declared Content-Length above the cap is refused before a
 * single byte is read; a chunked body is refused as soon as the count passes the cap.
 */
export async function readBody(request: Request, maxBytes: number): Promise<ReadBodyResult> {
  const held = await read(request, maxBytes);
  held.release();
  return held.result;
}

/**
 * readBody for a route whose bodies can be large and whose work on them takes a while (the checkout):
 * the body keeps its share of the shared budget until `work` is done with it, so the budget bounds the
 * bodies being worked on, not only those being read.
 */
export async function withBody<T>(request: Request, maxBytes: number, work: (body: ReadBodyResult) => Promise<T>): Promise<T> {
  const held = await read(request, maxBytes);
  try {
    return await work(held.result);
  } finally {
    held.release();
  }
}

async function read(request: Request, maxBytes: number): Promise<Held> {
  const nothingHeld = (result: ReadBodyResult): Held => ({ result, release: () => {} });
  const stream = request.body;
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) {
    if (stream) await stop(stream);
    return nothingHeld({ ok: false, reason: "too_large" });
  }
  if (!stream) return nothingHeld({ ok: true, bytes: new Uint8Array(0) });
  if (stream.locked || request.bodyUsed) return nothingHeld({ ok: false, reason: "unreadable" });

  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let charged = 0;
  // Given back before anything is awaited: a read that stops must not hold the budget while it cancels.
  const giveBack = () => {
    budgetInUse -= charged;
    charged = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        giveBack();
        await stop(stream, reader);
        return nothingHeld({ ok: false, reason: "too_large" });
      }
      const charge = Math.max(0, size - FREE_BYTES_PER_BODY) - charged;
      if (charge > 0) {
        if (budgetInUse + charge > BUSY_BUDGET_BYTES) {
          giveBack();
          await stop(stream, reader);
          return nothingHeld({ ok: false, reason: "busy" });
        }
        budgetInUse += charge;
        charged += charge;
      }
      chunks.push(value);
    }
  } catch {
    giveBack();
    await stop(stream, reader);
    return nothingHeld({ ok: false, reason: "unreadable" });
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { result: { ok: true, bytes }, release: giveBack };
}
