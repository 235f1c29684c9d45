// The result route's form reader (docs/protocols/intellectmoney.md §3 «Encoding»): bytes first, one charset
// for the whole body, windows-1251 read as windows-1251 — what `new URLSearchParams(utf8Text)` got wrong.
import { describe, expect, it } from "vitest";
import { declaredCharset, decodeUrlencodedForm, percentDecodeBytes, splitUrlencodedBytes } from "./urlencoded-form";
import { decodeWindows1251, encodeWindows1251 } from "./windows-1251";

const ascii = (s: string) => new TextEncoder().encode(s);
/** «Заказ №9999» in windows-1251, percent-encoded byte by byte (what a windows-1251 sender puts on the wire). */
const CP1251_ORDER = "%C7%E0%EA%E0%E7+%B99999";

describe("windows-1251", () => {
  it("round-trips every byte, and encodes the Cyrillic alphabet, № and ё", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeWindows1251(decodeWindows1251(all))).toEqual(all);
    expect([...encodeWindows1251("Заказ №ёЁ")!]).toEqual([0xc7, 0xe0, 0xea, 0xe0, 0xe7, 0x20, 0xb9, 0xb8, 0xa8]);
  });

  it("has no bytes for characters outside the code page", () => {
    expect(encodeWindows1251("✓")).toBeNull();
    expect(encodeWindows1251("😀")).toBeNull();
    expect(encodeWindows1251("ĳ")).toBeNull();
  });
});

describe("percent-decoding to bytes", () => {
  it("decodes %XX to the byte, + to a space, and leaves a broken escape as it is (WHATWG)", () => {
    expect([...percentDecodeBytes(ascii("a%20b+c%C7%e0"))]).toEqual([0x61, 0x20, 0x62, 0x20, 0x63, 0xc7, 0xe0]);
    expect(new TextDecoder().decode(percentDecodeBytes(ascii("100%")))).toBe("100%");
    expect(new TextDecoder().decode(percentDecodeBytes(ascii("%zz%4")))).toBe("%zz%4");
  });

  it("splits on & and the first =, skipping empty sequences", () => {
    const pairs = splitUrlencodedBytes(ascii("a=1&&b=x=y&c&=v"));
    expect(pairs.map(([n, v]) => [new TextDecoder().decode(n), new TextDecoder().decode(v)])).toEqual([
      ["a", "1"],
      ["b", "x=y"],
      ["c", ""],
      ["", "v"],
    ]);
  });
});

describe("the body's charset", () => {
  it("reads the charset parameter of a Content-Type", () => {
    expect(declaredCharset("application/x-www-form-urlencoded; charset=windows-1251")).toBe("windows-1251");
    expect(declaredCharset('application/x-www-form-urlencoded;CHARSET="UTF-8"')).toBe("utf-8");
    expect(declaredCharset("application/x-www-form-urlencoded")).toBeNull();
    expect(declaredCharset(null)).toBeNull();
  });

  it("reads a UTF-8 body as UTF-8 (no charset, or charset=utf-8)", () => {
    const body = ascii(`serviceName=${encodeURIComponent("Заказ №9999")}&a=1`);
    for (const type of ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8"]) {
      const decoded = decodeUrlencodedForm(body, type);
      expect(decoded).toMatchObject({ ok: true, charset: "utf-8" });
      expect(decoded.ok && decoded.form.get("serviceName")).toBe("Заказ №9999");
    }
  });

  it("reads windows-1251 bytes as windows-1251 without a charset (they are not valid UTF-8)", () => {
    const decoded = decodeUrlencodedForm(ascii(`serviceName=${CP1251_ORDER}&paymentStatus=5`), "application/x-www-form-urlencoded");
    expect(decoded).toMatchObject({ ok: true, charset: "windows-1251" });
    expect(decoded.ok && decoded.form.get("serviceName")).toBe("Заказ №9999");
    expect(decoded.ok && decoded.form.get("paymentStatus")).toBe("5");
    // What the route did before: every byte a U+FFFD, after which no hash can match.
    expect(new URLSearchParams(`serviceName=${CP1251_ORDER}`).get("serviceName")).toContain("\uFFFD");
  });

  it("follows a declared windows-1251 (and its aliases), even when the bytes happen to be valid UTF-8", () => {
    for (const label of ["windows-1251", "cp1251", "x-cp1251"]) {
      const decoded = decodeUrlencodedForm(ascii(`serviceName=${CP1251_ORDER}`), `application/x-www-form-urlencoded; charset=${label}`);
      expect(decoded.ok && decoded.form.get("serviceName"), label).toBe("Заказ №9999");
    }
    // «Р°» in windows-1251 is D0 B0, which is also UTF-8 for «а»: the declaration wins.
    const decoded = decodeUrlencodedForm(ascii("x=%D0%B0"), "application/x-www-form-urlencoded; charset=windows-1251");
    expect(decoded.ok && decoded.form.get("x")).toBe("Р°");
  });

  it("reads windows-1251 when UTF-8 is declared but the bytes are not UTF-8 (the hash still decides)", () => {
    const decoded = decodeUrlencodedForm(ascii(`serviceName=${CP1251_ORDER}`), "application/x-www-form-urlencoded; charset=utf-8");
    expect(decoded).toMatchObject({ ok: true, charset: "windows-1251" });
    expect(decoded.ok && decoded.form.get("serviceName")).toBe("Заказ №9999");
  });

  it("refuses a charset it does not read", () => {
    expect(decodeUrlencodedForm(ascii("a=1"), "application/x-www-form-urlencoded; charset=koi8-r")).toEqual({ ok: false, reason: "unsupported_charset", charset: "koi8-r" });
    expect(decodeUrlencodedForm(ascii("a=1"), "application/x-www-form-urlencoded; charset=no-such")).toMatchObject({ ok: false });
  });

  it("keeps duplicates and order, and raw (unescaped) windows-1251 bytes too", () => {
    const body = Uint8Array.from([...ascii("a=1&a=2&n="), 0xcd, 0xee, 0xec, 0xe5, 0xf0]);
    const decoded = decodeUrlencodedForm(body, null);
    expect(decoded.ok && decoded.form.getAll("a")).toEqual(["1", "2"]);
    expect(decoded.ok && decoded.form.get("n")).toBe("Номер");
  });
});
