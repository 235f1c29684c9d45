// The icon files in public/ (rendered by scripts/render-icons.ts from public/icon.svg and
// public/app-center.svg), and the two small binary formats around them: a PNG's size, and the .ico
// container that holds PNGs.

/** The App Center asks for a 250x100 picture (insales/insales-docs-source, «InSales API/01 readme»,
 * «Создание приложения для AppStore»: «Картинку приложения, размером 250x100»); the 2x one stays sharp on
 * dense screens. The square icon's sizes are the usual ones for listings and browsers (the InSales docs name
 * no icon size): 512–64, 180 for Apple's home screen, 48–16 for the favicon. */
export const RENDERED = [
  ...[512, 256, 180, 128, 64, 48, 32, 16].map((size) => ({ svg: "icon.svg", png: `icon-${size}.png`, width: size, height: size })),
  { svg: "app-center.svg", png: "app-center-250x100.png", width: 250, height: 100 },
  { svg: "app-center.svg", png: "app-center-500x200.png", width: 500, height: 200 },
];

/** Inside public/favicon.ico: browsers ask for /favicon.ico on pages without an icon link (our buyer pages). */
export const FAVICON_SIZES = [16, 32, 48];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, or null when `png` is not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString("latin1", 12, 16) !== "IHDR") return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/**
 * An .ico holding PNG images (supported by every browser and by Windows since Vista): a 6-byte header, a
 * 16-byte entry per image (width and height 0 mean 256), then the PNGs as they are.
 */
export function icoFromPngs(images: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2); // no palette
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** The images of an .ico: size from its entry, bytes as stored (for checking what was written). */
export function icoImages(ico: Buffer): Array<{ size: number; data: Buffer }> {
  const count = ico.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const e = 6 + 16 * i;
    const size = ico.readUInt8(e) || 256;
    return { size, data: ico.subarray(ico.readUInt32LE(e + 12), ico.readUInt32LE(e + 12) + ico.readUInt32LE(e + 8)) };
  });
}
