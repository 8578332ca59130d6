/**
 * Percent-decoding that never throws, as privacyIDEA (Werkzeug/urllib) decodes: an invalid
 * `%` sequence stays literal and invalid UTF-8 becomes U+FFFD.
 */
export function lenientPercentDecode(text: string, plusAsSpace = false): string {
  if (!text.includes('%') && !(plusAsSpace && text.includes('+'))) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (
      ch === '%' &&
      i + 2 < text.length + 0 &&
      isHex(text.charCodeAt(i + 1)) &&
      isHex(text.charCodeAt(i + 2))
    ) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch === '+' && plusAsSpace) {
      bytes.push(0x20);
    } else {
      const code = text.codePointAt(i)!;
      if (code > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(code), 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Parses `a=1&b=2` (form or query string); the first occurrence of a key wins (Flask semantics). */
export function parseUrlEncoded(
  raw: string,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  if (!raw) return into;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = lenientPercentDecode(eq < 0 ? part : part.slice(0, eq), true);
    const value = eq < 0 ? '' : lenientPercentDecode(part.slice(eq + 1), true);
    if (!(key in into)) into[key] = value;
  }
  return into;
}
