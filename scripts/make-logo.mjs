#!/usr/bin/env node
// Draws the default service logo (a padlock on a shield, 128x128 RGBA) that GET /static/logo.png
// serves to the TiQR app. Run once; the output is committed as src/static/logo.png.
//
//   node scripts/make-logo.mjs [out.png]
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;
const SUB = 4; // SUB x SUB samples per pixel: anti-aliased edges without a drawing library

const W = 0.38; // shield half-width
const TOP = 0.07;
const SHOULDER = 0.45; // sides run straight down to here, then curve to the tip
const TIP = 0.95;
const CORNER = 0.08;

function inShield(u, v) {
  const dx = Math.abs(u - 0.5);
  if (v < TOP || v > TIP || dx > W) return false;
  if (v < TOP + CORNER && dx > W - CORNER) {
    return Math.hypot(dx - (W - CORNER), v - (TOP + CORNER)) <= CORNER;
  }
  if (v <= SHOULDER) return true;
  // cos() keeps the sides tangent at the shoulder and meets the tip at an angle.
  return dx <= W * Math.cos((((v - SHOULDER) / (TIP - SHOULDER)) * Math.PI) / 2);
}

function inRoundedRect(u, v, cx, top, bottom, hw, r) {
  const dx = Math.abs(u - cx);
  if (dx > hw || v < top || v > bottom) return false;
  const cy = v < top + r ? top + r : v > bottom - r ? bottom - r : v;
  return dx <= hw - r || Math.hypot(dx - (hw - r), v - cy) <= r;
}

function inLock(u, v) {
  const bodyTop = 0.45;
  if (inRoundedRect(u, v, 0.5, bodyTop, 0.76, 0.19, 0.035)) {
    const keyhole =
      Math.hypot(u - 0.5, v - 0.57) <= 0.04 ||
      (Math.abs(u - 0.5) <= 0.018 && v >= 0.57 && v <= 0.68);
    return !keyhole;
  }
  // Shackle: the upper half of a ring, with straight legs down into the body.
  const d = Math.hypot(u - 0.5, v - 0.33);
  if (v <= 0.33) return d <= 0.135 && d >= 0.08;
  const dx = Math.abs(u - 0.5);
  return v <= bodyTop && dx >= 0.08 && dx <= 0.135;
}

function shieldColour(u, v) {
  // Top-to-bottom blue gradient; the left half a shade lighter, as on a heraldic shield.
  const t = (v - TOP) / (TIP - TOP);
  const light = u < 0.5 ? 1.12 : 1;
  const mix = (a, b) => Math.min(255, (a + (b - a) * t) * light);
  return [mix(0x2f, 0x14), mix(0x81, 0x3f), mix(0xf7, 0x8c)];
}

const raw = Buffer.alloc(SIZE * (1 + SIZE * 4));
for (let y = 0; y < SIZE; y++) {
  const row = y * (1 + SIZE * 4);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    for (let sy = 0; sy < SUB; sy++) {
      for (let sx = 0; sx < SUB; sx++) {
        const u = (x + (sx + 0.5) / SUB) / SIZE;
        const v = (y + (sy + 0.5) / SUB) / SIZE;
        if (!inShield(u, v)) continue;
        const [cr, cg, cb] = inLock(u, v) ? [255, 255, 255] : shieldColour(u, v);
        r += cr;
        g += cg;
        b += cb;
        a += 1;
      }
    }
    const o = row + 1 + x * 4;
    if (a > 0) {
      raw[o] = Math.round(r / a);
      raw[o + 1] = Math.round(g / a);
      raw[o + 2] = Math.round(b / a);
    }
    raw[o + 3] = Math.round((a / (SUB * SUB)) * 255);
  }
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = process.argv[2] ?? 'src/static/logo.png';
writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
