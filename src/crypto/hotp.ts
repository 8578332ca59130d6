import { createHmac, KeyObject, timingSafeEqual } from 'node:crypto';
import { HashAlgorithm } from './hash-algorithm';

/** RFC 4226 §5.3 dynamic truncation of an HMAC result into `digits` decimal digits. */
export function dynamicTruncate(hmac: Buffer, digits: number): string {
  const offset = hmac[hmac.length - 1] & 0x0f;
  const bin =
    ((hmac[offset] & 0x7f) << 24) |
    (hmac[offset + 1] << 16) |
    (hmac[offset + 2] << 8) |
    hmac[offset + 3];
  // 10^10 exceeds 2^31, so compute the modulus in floating point (exact below 2^53).
  return (bin % 10 ** digits).toString().padStart(digits, '0');
}

export function counterBytes(counter: number): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(counter));
  return buf;
}

/** HOTP value for one counter (RFC 4226). */
/** An HMAC key: raw bytes, or a KeyObject imported once and reused. */
export type OtpKey = Buffer | KeyObject;

export function hotp(key: OtpKey, counter: number, digits: number, hash: HashAlgorithm): string {
  const mac = createHmac(hash, key).update(counterBytes(counter)).digest();
  return dynamicTruncate(mac, digits);
}

/** Constant-time comparison of two OTP strings (length leaks, content does not). */
export function otpEquals(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Searches `otp` among counters [start, start + count) and returns the first matching counter
 * or -1. Every candidate is compared in constant time.
 */
export function findHotpCounter(
  key: OtpKey,
  otp: string,
  start: number,
  count: number,
  digits: number,
  hash: HashAlgorithm,
): number {
  if (otp.length !== digits) return -1;
  for (let c = Math.max(0, start); c < start + count; c++) {
    if (otpEquals(hotp(key, c, digits, hash), otp)) return c;
  }
  return -1;
}
