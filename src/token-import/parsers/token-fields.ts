import { ImportedHashlib } from './imported-token';

/**
 * Thrown while reading one record; the parsers turn it into an entry of `ImportResult.errors`
 * and carry on with the next record.
 */
export class RecordError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RecordError';
  }
}

export const SERIAL_PATTERN = /^[0-9a-zA-Z\-_]+$/;
export const MAX_SERIAL_LENGTH = 40;
/** Bounds what an import can store; HMAC hashes longer keys anyway. */
export const MAX_KEY_BYTES = 256;
export const DEFAULT_OTPLEN = 6;
export const DEFAULT_TIME_STEP = 30;
export const MAX_TIME_STEP = 3600;
/**
 * Largest event counter an import may set. token.count is a signed 32-bit INT on MySQL/MariaDB;
 * this leaves room for the look-ahead window and later increments (as /token/set does).
 */
export const MAX_COUNTER = 2_000_000_000;
/** privacyIDEA's default for an OCRA token imported without a suite. */
export const DEFAULT_OCRA_SUITE = 'OCRA-1:HOTP-SHA1-8:QH40';

export function checkSerial(serial: string): string {
  if (serial === '') throw new RecordError('missing serial');
  if (serial.length > MAX_SERIAL_LENGTH || !SERIAL_PATTERN.test(serial)) {
    throw new RecordError(
      `invalid serial: only letters, digits, "-" and "_" are allowed (at most ${MAX_SERIAL_LENGTH} characters)`,
    );
  }
  return serial;
}

/** Validates a hex key and returns it lower-cased. */
export function normaliseHexKey(key: string): string {
  if (key === '') throw new RecordError('missing key');
  if (!/^[0-9a-fA-F]+$/.test(key)) throw new RecordError('key is not hexadecimal');
  if (key.length % 2 !== 0) throw new RecordError('key has an odd number of hex digits');
  if (key.length > MAX_KEY_BYTES * 2) {
    throw new RecordError(`key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return key.toLowerCase();
}

/** Hex encoding of binary key material, with the same limits as a hex key. */
export function keyBytesToHex(key: Buffer): string {
  if (key.length === 0) throw new RecordError('missing key');
  if (key.length > MAX_KEY_BYTES) {
    throw new RecordError(`key is longer than ${MAX_KEY_BYTES} bytes`);
  }
  return key.toString('hex');
}

/** privacyIDEA's CSV convention: the hash follows from the hex key length. */
export function hashlibFromKeyLength(hexKey: string): ImportedHashlib {
  switch (hexKey.length) {
    case 64:
      return 'sha256';
    case 128:
      return 'sha512';
    case 56:
      throw new RecordError('a 28-byte key implies sha224, which is not supported');
    case 96:
      throw new RecordError('a 48-byte key implies sha384, which is not supported');
    default:
      return 'sha1';
  }
}

/** Accepts "sha256", "SHA-256", "HMAC-SHA256", … */
export function parseHashName(value: string): ImportedHashlib {
  const name = value
    .trim()
    .toLowerCase()
    .replace(/^hmac[-_]?/, '')
    .replace(/[-_]/g, '');
  if (name === 'sha1' || name === 'sha256' || name === 'sha512') return name;
  if (name === 'sha224' || name === 'sha384') {
    throw new RecordError(`hash algorithm ${name} is not supported`);
  }
  throw new RecordError(`unknown hash algorithm "${value.trim()}"`);
}

export function parseOtpLen(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_OTPLEN;
  if (value !== '6' && value !== '8') {
    throw new RecordError(`otplen must be 6 or 8, got "${value.slice(0, 20)}"`);
  }
  return Number(value);
}

export function parseNonNegativeInteger(value: string, field: string): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new RecordError(`${field} must be a non-negative integer, got "${value.slice(0, 20)}"`);
  }
  return n;
}

/** An HOTP/OCRA event counter, range-checked here so that no record reaches the database. */
export function parseCounter(value: string, field: string): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= MAX_COUNTER)) {
    throw new RecordError(
      `${field} must be an integer from 0 to ${MAX_COUNTER}, got "${value.slice(0, 20)}"`,
    );
  }
  return n;
}

export function parseTimeStep(value: string): number {
  const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIME_STEP) {
    throw new RecordError(
      `timeStep must be an integer from 1 to ${MAX_TIME_STEP}, got "${value.slice(0, 20)}"`,
    );
  }
  return n;
}

export interface OcraSuiteInfo {
  hashlib: ImportedHashlib;
  /** Truncation digits of the suite, which is the OTP length. */
  otplen: number;
}

const OCRA_HASHES = new Map<string, ImportedHashlib>([
  ['SHA1', 'sha1'],
  ['SHA256', 'sha256'],
  ['SHA512', 'sha512'],
]);

// RFC 6287 DataInput: [C-]Q{A,N,H}nn[-P<hash>][-Snnn][-T<n><unit>]
const OCRA_DATA_INPUT =
  /^(?:C-)?Q[ANH](\d{2})(?:-P(?:SHA1|SHA256|SHA512))?(?:-S(064|128|256|512))?(?:-T(\d{1,2})([SMH]))?$/;

/** Validates an OCRA suite (RFC 6287 grammar, truncation 4..10) and returns hash and length. */
export function parseOcraSuite(suite: string): OcraSuiteInfo {
  const fail = (why: string): never => {
    throw new RecordError(`invalid OCRA suite "${suite}": ${why}`);
  };
  const parts = suite.toUpperCase().split(':');
  if (parts.length !== 3) fail('expected three ":"-separated parts');
  const [algorithm, cryptoFunction, dataInput] = parts;
  if (algorithm !== 'OCRA-1') fail('algorithm must be OCRA-1');
  const cf = cryptoFunction.split('-');
  if (cf.length !== 3 || cf[0] !== 'HOTP') fail('crypto function must be HOTP-<hash>-<digits>');
  const hashlib = OCRA_HASHES.get(cf[1]) ?? fail(`unsupported hash ${cf[1]}`);
  const otplen = /^\d{1,2}$/.test(cf[2]) ? Number(cf[2]) : NaN;
  if (!(otplen >= 4 && otplen <= 10)) fail('truncation must be 4 to 10 digits');
  const m = OCRA_DATA_INPUT.exec(dataInput) ?? fail('malformed data input');
  const questionLength = Number(m[1]);
  if (questionLength < 4 || questionLength > 64) fail('question length must be 04 to 64');
  if (m[3] !== undefined) {
    const value = Number(m[3]);
    const max = m[4] === 'H' ? 48 : 59;
    const min = m[4] === 'H' ? 0 : 1;
    if (value < min || value > max) fail('time step out of range');
  }
  return { hashlib, otplen };
}
