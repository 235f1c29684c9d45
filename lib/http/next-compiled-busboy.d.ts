// Types for the multipart parser Next itself uses to read server action bodies (the vendored busboy 1.x
// under next/dist/compiled). lib/http/server-action-gate.ts parses with the very same parser, so it
// cannot disagree with Next about what a body contains; if Next stops shipping it, the build fails here.
declare module "next/dist/compiled/busboy" {
  import type { Readable, Writable } from "node:stream";

  type Info = { nameTruncated: boolean; valueTruncated: boolean; encoding: string; mimeType: string };
  type FileInfo = { filename: string; encoding: string; mimeType: string };

  interface Busboy extends Writable {
    on(event: "field", listener: (name: string, value: string, info: Info) => void): this;
    on(event: "file", listener: (name: string, stream: Readable, info: FileInfo) => void): this;
    on(event: "error", listener: (error: unknown) => void): this;
    on(event: "close", listener: () => void): this;
  }

  function busboy(config: {
    headers: Record<string, string>;
    defParamCharset?: string;
    limits?: { fieldSize?: number };
  }): Busboy;

  export default busboy;
}
