import { HashAlgorithm } from '../hash-algorithm';

/** Thrown by `OcraSuite.parse`; the message is a short reason without the "Invalid OCRA suite" prefix. */
export class OcraSuiteError extends Error {
  override readonly name = 'OcraSuiteError';
}

export type OcraQuestionType = 'A' | 'N' | 'H';

const HASHES: Readonly<Record<string, HashAlgorithm>> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

const SESSION_LENGTHS: readonly number[] = [64, 128, 256, 512];

// RFC 6287 §6.3: seconds and minutes 1-59, hours 0-48; value is the step in seconds per unit.
const TIME_UNITS: Readonly<Record<string, { seconds: number; min: number; max: number }>> = {
  S: { seconds: 1, min: 1, max: 59 },
  M: { seconds: 60, min: 1, max: 59 },
  H: { seconds: 3600, min: 0, max: 48 },
};

// Position of each optional DataInput field; the RFC fixes the order P, S, T.
const FIELD_ORDER: Readonly<Record<string, number>> = { P: 1, S: 2, T: 3 };

interface OcraSuiteFields {
  suite: string;
  hash: HashAlgorithm;
  digits: number;
  counter: boolean;
  questionType: OcraQuestionType;
  questionLength: number;
  pinHash?: HashAlgorithm;
  sessionLength?: number;
  timeStep?: number;
}

/** A validated RFC 6287 OCRA suite (`OCRA-1:HOTP-<hash>-<digits>:<DataInput>`). */
export class OcraSuite {
  /** The suite exactly as given; its bytes start the DataInput, so the case matters there. */
  readonly suite: string;
  readonly hash: HashAlgorithm;
  /** Response length (truncation), 4..10. */
  readonly digits: number;
  /** DataInput contains the 8-byte counter `C`. */
  readonly counter: boolean;
  readonly questionType: OcraQuestionType;
  /** Maximum question length (04..64). */
  readonly questionLength: number;
  /** Hash of the PIN (`P` field). */
  readonly pinHash?: HashAlgorithm;
  /** Session information length in bytes (`S` field). */
  readonly sessionLength?: number;
  /** Time step in seconds (`T` field); 0 only for the RFC's degenerate `T0H`. */
  readonly timeStep?: number;

  private constructor(fields: OcraSuiteFields) {
    this.suite = fields.suite;
    this.hash = fields.hash;
    this.digits = fields.digits;
    this.counter = fields.counter;
    this.questionType = fields.questionType;
    this.questionLength = fields.questionLength;
    this.pinHash = fields.pinHash;
    this.sessionLength = fields.sessionLength;
    this.timeStep = fields.timeStep;
    Object.freeze(this);
  }

  /** Parses the full RFC 6287 grammar (case-insensitive); throws `OcraSuiteError`. */
  static parse(suite: string): OcraSuite {
    if (typeof suite !== 'string' || suite.length === 0) throw new OcraSuiteError('empty suite');
    // Non-ASCII letters could upper-case into ASCII ('ſ' → 'S') and change the DataInput bytes.
    if (!/^[\x21-\x7e]+$/.test(suite)) {
      throw new OcraSuiteError('suite must be printable ASCII without spaces');
    }
    const parts = suite.toUpperCase().split(':');
    if (parts.length !== 3) {
      throw new OcraSuiteError(`expected 3 ':'-separated parts, got ${parts.length}`);
    }
    const [algorithm, cryptoFunction, dataInput] = parts;
    if (algorithm !== 'OCRA-1') throw new OcraSuiteError(`unsupported algorithm '${algorithm}'`);
    const { hash, digits } = parseCryptoFunction(cryptoFunction);
    return new OcraSuite({ suite, hash, digits, ...parseDataInput(dataInput) });
  }

  toString(): string {
    return this.suite;
  }
}

function parseCryptoFunction(value: string): { hash: HashAlgorithm; digits: number } {
  const fields = value.split('-');
  if (fields.length !== 3 || fields[0] !== 'HOTP') {
    throw new OcraSuiteError(`invalid crypto function '${value}', expected HOTP-<hash>-<digits>`);
  }
  const hash = HASHES[fields[1]];
  if (hash === undefined) throw new OcraSuiteError(`unknown hash function '${fields[1]}'`);
  const truncation = fields[2];
  // Truncation 0 means "whole HMAC" in the RFC; privacyIDEA computes "0" for it, so nobody uses it.
  if (truncation === '0') throw new OcraSuiteError('truncation 0 is not supported');
  if (!/^(?:[4-9]|10)$/.test(truncation)) {
    throw new OcraSuiteError(`invalid truncation '${truncation}', expected 4-10`);
  }
  return { hash, digits: Number(truncation) };
}

type DataInputFields = Pick<
  OcraSuiteFields,
  'counter' | 'questionType' | 'questionLength' | 'pinHash' | 'sessionLength' | 'timeStep'
>;

function parseDataInput(value: string): DataInputFields {
  const fields = value.split('-');
  if (fields.some((f) => f.length === 0)) throw new OcraSuiteError('empty data input field');
  let i = 0;
  const counter = fields[0] === 'C';
  if (counter) i++;
  const question = fields[i++];
  if (question === undefined) throw new OcraSuiteError('missing question (Q) field');
  const result: DataInputFields = { counter, ...parseQuestion(question) };

  let lastPosition = 0;
  for (const field of fields.slice(i)) {
    const kind = field[0];
    const position = FIELD_ORDER[kind];
    if (position === undefined) {
      throw new OcraSuiteError(
        kind === 'C' || kind === 'Q'
          ? `misplaced or repeated data input field '${field}'`
          : `unknown data input field '${field}'`,
      );
    }
    if (position <= lastPosition) {
      throw new OcraSuiteError(`data input field '${field}' is out of order or repeated`);
    }
    lastPosition = position;
    if (kind === 'P') result.pinHash = parsePin(field);
    else if (kind === 'S') result.sessionLength = parseSession(field);
    else result.timeStep = parseTimestamp(field);
  }
  return result;
}

function parseQuestion(field: string): Pick<OcraSuiteFields, 'questionType' | 'questionLength'> {
  if (field[0] !== 'Q') throw new OcraSuiteError(`expected question field Q…, got '${field}'`);
  const type = field[1];
  if (type !== 'A' && type !== 'N' && type !== 'H') {
    throw new OcraSuiteError(`unknown question type '${field.slice(0, 2)}'`);
  }
  const length = field.slice(2);
  if (!/^\d{2}$/.test(length)) {
    throw new OcraSuiteError(`invalid question length '${length}', expected 2 digits`);
  }
  const n = Number(length);
  if (n < 4 || n > 64) throw new OcraSuiteError(`question length ${length} is outside 04-64`);
  return { questionType: type, questionLength: n };
}

function parsePin(field: string): HashAlgorithm {
  const hash = HASHES[field.slice(1)];
  if (hash === undefined) throw new OcraSuiteError(`unknown PIN hash function '${field.slice(1)}'`);
  return hash;
}

function parseSession(field: string): number {
  const length = field.slice(1);
  if (!/^\d{3}$/.test(length) || !SESSION_LENGTHS.includes(Number(length))) {
    throw new OcraSuiteError(`invalid session length '${length}', expected 064, 128, 256 or 512`);
  }
  return Number(length);
}

function parseTimestamp(field: string): number {
  const match = /^T(\d{1,2})([A-Z])$/.exec(field);
  const unit = match ? TIME_UNITS[match[2]] : undefined;
  if (!match) throw new OcraSuiteError(`invalid timestamp field '${field}'`);
  if (!unit) throw new OcraSuiteError(`unknown time step unit '${match[2]}', expected S, M or H`);
  const value = Number(match[1]);
  if (value < unit.min || value > unit.max) {
    throw new OcraSuiteError(
      `time step ${match[1]}${match[2]} is outside ${unit.min}-${unit.max}${match[2]}`,
    );
  }
  return value * unit.seconds;
}
