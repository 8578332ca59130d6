import { createHmac, KeyObject, timingSafeEqual } from 'node:crypto';
import { HashAlgorithm } from './hash-algorithm';

/** RFC 4226 §5.3 dynamic truncation of an HMAC result into `digits` decimal digits. */
export function dynamicTruncate(hmac: Buffer, digits: number): string {
  const bin = truncatedValue(hmac);
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

const DECIMAL = /^[0-9]+$/;
const TWO_TO_32 = 2 ** 32;

/** One scratch message for findHotpCounter: update() copies it before the next is written. */
const COUNTER_MESSAGE = Buffer.alloc(8);

/**
 * Searches `otp` among counters [start, start + count) and returns the first matching counter
 * or -1. The OTP is compared as a number (one integer comparison per candidate, constant time):
 * a string of `digits` decimal digits equals a candidate's zero-padded value exactly when the
 * numbers are equal; anything else matches no candidate, but every HMAC is still computed.
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
  const wanted = DECIMAL.test(otp) ? Number(otp) : -1;
  const modulus = 10 ** digits;
  for (let c = Math.max(0, start); c < start + count; c++) {
    if (Number.isSafeInteger(c)) {
      COUNTER_MESSAGE.writeUInt32BE(Math.floor(c / TWO_TO_32), 0);
      COUNTER_MESSAGE.writeUInt32BE(c >>> 0, 4);
    } else {
      counterBytes(c).copy(COUNTER_MESSAGE); // throws as counterBytes does
    }
    const mac = createHmac(hash, key).update(COUNTER_MESSAGE).digest();
    if (truncatedValue(mac) % modulus === wanted) return c;
  }
  return -1;
}

/** RFC 4226 §5.3 dynamic truncation before the decimal reduction (a 31-bit integer). */
function truncatedValue(hmac: Buffer): number {
  const offset = hmac[hmac.length - 1] & 0x0f;
  return (
    ((hmac[offset] & 0x7f) << 24) |
    (hmac[offset + 1] << 16) |
    (hmac[offset + 2] << 8) |
    hmac[offset + 3]
  );
}
