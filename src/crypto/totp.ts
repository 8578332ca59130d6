import { HashAlgorithm } from './hash-algorithm';
import { hotp } from './hotp';

/** Time-step counter for a unix time (RFC 6238, T0 = 0). */
export function timeStepAt(unixSeconds: number, step: number): number {
  return Math.floor(unixSeconds / step);
}

/** TOTP value at a unix time (RFC 6238). */
export function totp(
  key: Buffer,
  unixSeconds: number,
  step: number,
  digits: number,
  hash: HashAlgorithm,
): string {
  return hotp(key, timeStepAt(unixSeconds, step), digits, hash);
}
