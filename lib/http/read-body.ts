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
// checkout needs, come out of BUSY_BUDGET_BYTES while they are being read. When it is spent the read
// stops with `busy` and the route answers 503: 16 bodies of 4 MiB being read at once fit, a few hundred
// would otherwise take the process past its heap cap.

export type ReadBodyResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  /** Declared or sent larger than the cap; the rest of the body was not read. */
  | { ok: false; reason: "too_large" }
  /** Too many large bodies are being read at once: try again shortly (503). */
  | { ok: false; reason: "busy" }
  /** The client aborted or the stream broke mid-way. */
  | { ok: false; reason: "unreadable" };

export const FREE_BYTES_PER_BODY = 64 * 1024;
export const BUSY_BUDGET_BYTES = 64 * 1024 * 1024;

/** Bytes beyond the free part of every body being read right now. */
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

/**
 * Reads at most `maxBytes` of the body. A declared Content-Length above the cap is refused before a
 * single byte is read; a chunked body is refused as soon as the count passes the cap.
 */
export async function readBody(request: Request, maxBytes: number): Promise<ReadBodyResult> {
  const stream = request.body;
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) {
    if (stream) await stop(stream);
    return { ok: false, reason: "too_large" };
  }
  if (!stream) return { ok: true, bytes: new Uint8Array(0) };
  if (stream.locked || request.bodyUsed) return { ok: false, reason: "unreadable" };

  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let charged = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await stop(stream, reader);
        return { ok: false, reason: "too_large" };
      }
      const charge = Math.max(0, size - FREE_BYTES_PER_BODY) - charged;
      if (charge > 0) {
        if (budgetInUse + charge > BUSY_BUDGET_BYTES) {
          await stop(stream, reader);
          return { ok: false, reason: "busy" };
        }
        budgetInUse += charge;
        charged += charge;
      }
      chunks.push(value);
    }
    // Charged until the copy below is made: for a moment the body is here twice.
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return { ok: true, bytes };
  } catch {
    await stop(stream, reader);
    return { ok: false, reason: "unreadable" };
  } finally {
    budgetInUse -= charged;
  }
}
