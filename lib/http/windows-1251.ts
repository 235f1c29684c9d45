// windows-1251, the single-byte Cyrillic code page IntellectMoney's notifications may arrive in
// (docs/protocols/intellectmoney.md §3 «Encoding»). Node decodes it (TextDecoder, WHATWG index: every one of
// the 256 bytes maps to a character, 0x98 to U+0098), but has no encoder: the table below is that decoder
// read backwards, so encode(decode(bytes)) gives the same bytes back for any input.

const DECODER = new TextDecoder("windows-1251");

/** UTF-16 code unit → byte, for every character windows-1251 has (all of them BMP, one unit each). */
const ENCODE = (() => {
  const table = new Map<number, number>();
  const all = DECODER.decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  for (let byte = 0; byte < 256; byte++) table.set(all.charCodeAt(byte), byte);
  return table;
})();

export function decodeWindows1251(bytes: Uint8Array): string {
  return DECODER.decode(bytes);
}

/** The windows-1251 bytes of `text`, or null when a character has none (e.g. «✓», an emoji). */
export function encodeWindows1251(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const byte = ENCODE.get(text.charCodeAt(i));
    if (byte === undefined) return null;
    out[i] = byte;
  }
  return out;
}
