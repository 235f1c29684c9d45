// React's own server-side decoder of server action arguments, the one Next runs
// (next/dist/compiled/react-server-dom-turbopack, node build), for lib/http/server-action-gate.test.ts.
// It only loads under Node's "react-server" condition, which a vitest worker does not have, so the test
// runs this file in a child process: `node --conditions=react-server tests/support/react-reply-decoder.cjs`.
// Input on stdin, one JSON object per line: { text } or { contentType, base64 }. Output, one line each:
// { ok: true, isArray, length } or { ok: false, error }.
"use strict";
const path = require("node:path");
const readline = require("node:readline");
const { Readable } = require("node:stream");
const { pipeline } = require("node:stream/promises");

const root = path.resolve(__dirname, "../..");
const react = require(path.join(root, "node_modules/next/dist/compiled/react-server-dom-turbopack/cjs/react-server-dom-turbopack-server.node.production.js"));
const busboy = require(path.join(root, "node_modules/next/dist/compiled/busboy"));

const LIMIT = Number(process.env.ACTION_BODY_LIMIT ?? 65536);

/** As next/dist/server/app-render/action-handler.js decodes a fetch action's body (node runtime). */
async function decode(input) {
  const temporaryReferences = react.createTemporaryReferenceSet();
  if (input.text !== undefined) return react.decodeReply(input.text, {}, { temporaryReferences });
  const parser = busboy({ defParamCharset: "utf8", headers: { "content-type": input.contentType }, limits: { fieldSize: LIMIT } });
  // Next awaits both: the body piped into busboy (which React destroys when a field makes it throw) and the
  // decoded arguments.
  const [, args] = await Promise.all([pipeline(Readable.from([Buffer.from(input.base64, "base64")]), parser), react.decodeReplyFromBusboy(parser, {}, { temporaryReferences })]);
  return args;
}

const lines = readline.createInterface({ input: process.stdin });
const queue = [];
let busy = false;
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length > 0) {
    const input = JSON.parse(queue.shift());
    let out;
    try {
      const value = await Promise.race([
        decode(input),
        new Promise((_, reject) => setTimeout(() => reject(new Error("decoder hung")), 2000)),
      ]);
      out = { ok: true, isArray: Array.isArray(value), length: Array.isArray(value) ? value.length : -1 };
    } catch (error) {
      out = { ok: false, error: String(error && error.message ? error.message : error).slice(0, 200) };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  busy = false;
}
lines.on("line", (line) => {
  queue.push(line);
  void drain();
});
