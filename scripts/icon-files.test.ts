// The icon files committed in public/ are the ones scripts/render-icons.ts writes, in the sizes it promises
// (the App Center picture 250x100 included), and favicon.ico holds the small PNGs as they are.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FAVICON_SIZES, icoFromPngs, icoImages, pngSize, RENDERED } from "./icon-files";

const PUBLIC = path.resolve(import.meta.dirname, "..", "public");
const read = (file: string) => readFileSync(path.join(PUBLIC, file));

describe("icon files", () => {
  it.each(RENDERED)("public/$png is a $width x $height PNG", ({ png, width, height }) => {
    expect(pngSize(read(png))).toEqual({ width, height });
  });

  it("the App Center picture is 250x100, as InSales asks", () => {
    expect(RENDERED.filter((r) => r.svg === "app-center.svg").map((r) => [r.width / r.height, r.width])).toEqual([
      [2.5, 250],
      [2.5, 500],
    ]);
  });

  it("favicon.ico holds the 16, 32 and 48 px PNGs byte for byte", () => {
    const images = icoImages(read("favicon.ico"));
    expect(images.map((i) => i.size)).toEqual(FAVICON_SIZES);
    for (const { size, data } of images) expect(data.equals(read(`icon-${size}.png`))).toBe(true);
  });

  it("both SVG sources are our own drawing, with nothing fetched from elsewhere", () => {
    for (const file of ["icon.svg", "app-center.svg"]) {
      const svg = read(file).toString("utf8");
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      // No linked or embedded images (a copied logo would come as one) and no external references.
      expect(svg).not.toMatch(/<image|href=|url\(/);
    }
  });
});

describe("icoFromPngs / pngSize", () => {
  const png = (w: number, h: number) => {
    const b = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
    b.writeUInt32BE(13, 8);
    b.write("IHDR", 12, "latin1");
    b.writeUInt32BE(w, 16);
    b.writeUInt32BE(h, 20);
    return b;
  };

  it("reads a PNG's size and refuses what is not a PNG", () => {
    expect(pngSize(png(250, 100))).toEqual({ width: 250, height: 100 });
    expect(pngSize(Buffer.from("GIF89a not a png at all, no"))).toBeNull();
  });

  it("writes the ICO header and entries (256 as 0) and the images in order", () => {
    const a = png(16, 16);
    const b = png(256, 256);
    const ico = icoFromPngs([{ size: 16, png: a }, { size: 256, png: b }]);
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 2]);
    expect([ico.readUInt8(6), ico.readUInt8(22)]).toEqual([16, 0]);
    expect(ico.readUInt32LE(6 + 12)).toBe(6 + 32);
    expect(icoImages(ico)).toEqual([{ size: 16, data: a }, { size: 256, data: b }]);
  });
});
