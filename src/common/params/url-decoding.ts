/** Value of each byte as a hex digit, -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

const PERCENT = 0x25;
const PLUS = 0x2b;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;

/**
 * Decodes `src[start, end)` into `out` from offset 0 and returns the text. One pass, byte-wise:
 * the work is linear in the input whatever it holds. Decoded bytes never outnumber input bytes,
 * so `out` needs only the input's length. Like privacyIDEA (Werkzeug/urllib) it never throws:
 * an invalid `%` sequence stays literal and invalid UTF-8 becomes U+FFFD.
 */
function decodeRange(
  src: Uint8Array,
  start: number,
  end: number,
  out: Buffer,
  plusAsSpace: boolean,
): string {
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = src[i];
    if (b === PERCENT && i + 2 < end) {
      const hi = HEX[src[i + 1]];
      const lo = HEX[src[i + 2]];
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b === PLUS && plusAsSpace ? 0x20 : b;
  }
  return out.toString('utf8', 0, n);
}

/**
 * Percent-decoding that never throws, as privacyIDEA (Werkzeug/urllib) decodes: an invalid
 * `%` sequence stays literal and invalid UTF-8 becomes U+FFFD. `plusAsSpace` for form and
 * query values.
 */
export function lenientPercentDecode(text: string, plusAsSpace = false): string {
  if (!text.includes('%') && !(plusAsSpace && text.includes('+'))) return text;
  const src = Buffer.from(text, 'utf8');
  return decodeRange(src, 0, src.length, Buffer.allocUnsafe(src.length), plusAsSpace);
}

/**
 * Parses `a=1&b=2` (form body as bytes, or a query string) in one pass; the first occurrence of
 * a key wins (Flask semantics). The result has no prototype, and keys that name prototype
 * machinery (`__proto__`, `constructor`, `prototype`) are dropped.
 */
export function parseUrlEncoded(
  raw: string | Uint8Array,
  into: Record<string, unknown> = Object.create(null) as Record<string, unknown>,
): Record<string, unknown> {
  if (raw.length === 0) return into;
  const src = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  // One scratch buffer for every field: each is turned into a string before the next is decoded.
  const out = Buffer.allocUnsafe(src.length);
  let partStart = 0;
  let eq = -1;
  for (let i = 0; i <= src.length; i++) {
    const b = i < src.length ? src[i] : AMPERSAND;
    if (b === EQUALS && eq < 0) {
      eq = i;
    } else if (b === AMPERSAND) {
      if (i > partStart) {
        const keyEnd = eq < 0 ? i : eq;
        const key = decodeRange(src, partStart, keyEnd, out, true);
        if (isSafeKey(key) && !Object.hasOwn(into, key)) {
          into[key] = eq < 0 ? '' : decodeRange(src, eq + 1, i, out, true);
        }
      }
      partStart = i + 1;
      eq = -1;
    }
  }
  return into;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Parameter names that could reach prototype machinery never count as parameters. */
export function isSafeKey(key: string): boolean {
  return !UNSAFE_KEYS.has(key);
}
