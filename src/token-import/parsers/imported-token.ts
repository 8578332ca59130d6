/** Token types the import parsers produce. */
export type ImportedTokenType = 'hotp' | 'totp' | 'ocra' | 'tiqr';

/** Hash functions supported for imported keys (sha224/sha384 are refused). */
export type ImportedHashlib = 'sha1' | 'sha256' | 'sha512';

/** One token read from an import file, ready to be persisted by the caller. */
export interface ImportedToken {
  serial: string;
  type: ImportedTokenType;
  /** Lower-case hex. */
  otpkey: string;
  otplen?: number;
  counter?: number;
  timeStep?: number;
  hashlib?: ImportedHashlib;
  ocrasuite?: string;
  description?: string;
  user?: string;
  realm?: string;
  pin?: string;
}

/** A record that could not be imported; the rest of the file is still returned. */
export interface ImportRecordError {
  /** 1-based line number (CSV) or 1-based KeyPackage index (PSKC). */
  record: number;
  serial?: string;
  reason: string;
}

export interface ImportResult {
  tokens: ImportedToken[];
  errors: ImportRecordError[];
}

/** The file as a whole is unusable (not XML, wrong root, missing or wrong key, hostile DTD, …). */
export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

/**
 * Remembers which record of the file a token came from, without making it part of the token's
 * data (non-enumerable), so that later checks can name the record too.
 */
export function tagRecord(token: ImportedToken, record: number): ImportedToken {
  Object.defineProperty(token, 'record', { value: record, enumerable: false });
  return token;
}

export function recordOf(token: ImportedToken): number {
  return (token as ImportedToken & { record?: number }).record ?? 0;
}
