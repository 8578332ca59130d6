import { createHash } from 'node:crypto';
import { base32Decode } from './base32';

export class OtpKeyError extends Error {}

const MAX_HEX_DIGITS = 512;

/** A key given as hex: non-empty, even length, hex digits only, at most 512 digits. */
export function parseHexKey(text: string): Buffer {
  if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) {
    throw new OtpKeyError('Invalid otpkey: not an even-length hex string');
  }
  if (text.length > MAX_HEX_DIGITS) {
    throw new OtpKeyError(`Invalid otpkey: longer than ${MAX_HEX_DIGITS} hex digits`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * base32check: base32 of (first 4 bytes of SHA-1(payload) || payload), as the privacyIDEA
 * Authenticator sends its 2-step client component.
 */
export function parseBase32Check(text: string): Buffer {
  const raw = base32Decode(text.toUpperCase());
  if (!raw) throw new OtpKeyError('Malformed base32check data: Invalid base32');
  if (raw.length < 4) throw new OtpKeyError('Malformed base32check data: Too short');
  const payload = raw.subarray(4);
  const checksum = createHash('sha1').update(payload).digest().subarray(0, 4);
  if (!checksum.equals(raw.subarray(0, 4))) {
    throw new OtpKeyError('Malformed base32check data: Incorrect checksum');
  }
  return payload;
}

/**
 * Why a key of `bytes` bytes may not be used, or undefined. RFC 4226 R6 asks for 16 bytes at
 * least; `minBytes` (MIN_OTPKEY_BYTES) may lower that for legacy hardware, but never to 0: an
 * empty HMAC key gives OTPs anyone can compute.
 */
export function otpKeyLengthProblem(bytes: number, minBytes: number): string | undefined {
  const min = Math.max(1, Math.ceil(minBytes) || 1);
  if (bytes >= min) return undefined;
  return `Invalid otpkey: ${bytes} bytes, at least ${min} required`;
}

/** The key itself, or `OtpKeyError` when it is shorter than `minBytes` (see otpKeyLengthProblem). */
export function requireOtpKeyLength(key: Buffer, minBytes: number): Buffer {
  const problem = otpKeyLengthProblem(key.length, minBytes);
  if (problem) throw new OtpKeyError(problem);
  return key;
}

export function decodeOtpKey(text: string, format: string | undefined): Buffer {
  const fmt = (format ?? 'hex').toLowerCase();
  if (fmt === 'hex') return parseHexKey(text);
  if (fmt === 'base32check') return parseBase32Check(text);
  throw new OtpKeyError(`Unknown OTP key format: '${format}'`);
}
