/**
 * Draws the app icon: a white lightning bolt on a rounded blue square, anti-aliased by 4x4
 * supersampling. Writes resources/icon.png (512x512 RGBA, Linux and the window) and
 * resources/icon.ico (256 PNG + 48/32/16 bitmaps, Windows and NSIS): electron-builder would
 * otherwise download a converter to derive the .ico.
 *   node resources/make-icon.mjs [outDir]     (default: resources/)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SS = 4;
const BG = [11, 92, 173];
const RADIUS = 96;
const MARGIN = 16;
// Bolt outline in a 512 grid, clockwise.
const BOLT = [
  [300, 56], [140, 292], [236, 292], [196, 456], [372, 200], [272, 200], [324, 56],
];

function insidePolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// Coordinates are in the 512 grid; smaller icons are sampled from it.
function insideRoundedSquare(x, y) {
  const lo = MARGIN + RADIUS;
  const hi = 512 - MARGIN - RADIUS;
  if (x < MARGIN || y < MARGIN || x > 512 - MARGIN || y > 512 - MARGIN) return false;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2;
}

/** RGBA pixels, top row first. */
function render(size) {
  const px = Buffer.alloc(size * size * 4);
  const scale = 512 / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let bg = 0;
      let bolt = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const gx = (x + (sx + 0.5) / SS) * scale;
          const gy = (y + (sy + 0.5) / SS) * scale;
          if (insideRoundedSquare(gx, gy)) {
            bg++;
            if (insidePolygon(gx, gy, BOLT)) bolt++;
          }
        }
      }
      const w = bg ? bolt / bg : 0;
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(BG[c] * (1 - w) + 255 * w);
      px[o + 3] = Math.round((bg / (SS * SS)) * 255);
    }
  }
  return px;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
function png(size) {
  const px = render(size);
  const rows = [];
  for (let y = 0; y < size; y++) rows.push(Buffer.from([0]), px.subarray(y * size * 4, (y + 1) * size * 4)); // filter 0 per row
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Classic 32-bit icon bitmap (BGRA rows bottom-up, then an all-zero AND mask), for old Windows shells. */
function dib(size) {
  const px = render(size);
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // XOR image + AND mask
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  const xor = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const s = (y * size + x) * 4;
      const d = ((size - 1 - y) * size + x) * 4;
      xor[d] = px[s + 2];
      xor[d + 1] = px[s + 1];
      xor[d + 2] = px[s];
      xor[d + 3] = px[s + 3];
    }
  }
  const and = Buffer.alloc(Math.ceil(size / 32) * 4 * size);
  return Buffer.concat([header, xor, and]);
}

function ico(images) {
  const head = Buffer.alloc(6 + images.length * 16);
  head.writeUInt16LE(1, 2); // type: icon
  head.writeUInt16LE(images.length, 4);
  let offset = head.length;
  images.forEach(({ size, data }, i) => {
    const e = 6 + i * 16;
    head[e] = size >= 256 ? 0 : size; // 0 means 256
    head[e + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, e + 4); // planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...images.map((i) => i.data)]);
}

const outDir = process.argv[2] ?? fileURLToPath(new URL('.', import.meta.url));
const icon = png(512);
writeFileSync(join(outDir, 'icon.png'), icon);
const icoFile = ico([{ size: 256, data: png(256) }, ...[48, 32, 16].map((size) => ({ size, data: dib(size) }))]);
writeFileSync(join(outDir, 'icon.ico'), icoFile);
console.log(`${join(outDir, 'icon.png')}: 512x512, ${icon.length} bytes; icon.ico: 256/48/32/16, ${icoFile.length} bytes`);
