import { createHash, createHmac } from 'node:crypto';
import { HASH_SIZE, HashAlgorithm } from '../hash-algorithm';
import { counterBytes, dynamicTruncate, otpEquals } from '../hotp';
import { OcraQuestionType, OcraSuite } from './ocra-suite';

/** Thrown when the values fed into an OCRA computation do not fit the suite. */
export class OcraInputError extends Error {
  override readonly name = 'OcraInputError';
}

export interface OcraInput {
  question: string;
  /** Required by `C` suites; 0 is a valid counter. */
  counter?: number;
  /** Required by `P` suites unless `pinHash` is given. */
  pin?: string;
  /** Hex digest of the PIN, used instead of hashing `pin`. */
  pinHash?: string;
  /** Session information as hex, required by `S` suites. */
  session?: string;
  /** Time-step counter (`timeStepCounter`), required by `T` suites. */
  timestamp?: number;
  /**
   * Decode the question as hex whatever the suite's question type: what TiQR apps with protocol
   * version ≥ 2 do (tiqr.md §5). Never set for plain RFC 6287 computations.
   */
  questionAsHex?: boolean;
}

export interface OcraWindow {
  /** Counters tried from `input.counter` on, end exclusive as for HOTP (default 10). */
  counter?: number;
  /** Time steps tried on each side of the expected one (default 1, ocra.md §4). */
  time?: number;
  /** Unix seconds used for `T` suites when `input.timestamp` is absent (default: now). */
  now?: number;
}

export interface OcraVerifyResult {
  ok: boolean;
  /** Matching counter (`C` suites). */
  counter?: number;
  /** Matching time-step counter (`T` suites), for the caller's replay check. */
  timestamp?: number;
}

const QUESTION_BLOCK = 128;
const MIN_QUESTION_LENGTH = 4;
const DEFAULT_COUNTER_WINDOW = 10;
const DEFAULT_TIME_WINDOW = 1;

const QUESTION_CHARSETS: Record<OcraQuestionType, { pattern: RegExp; description: string }> = {
  N: { pattern: /^[0-9]*$/, description: 'numeric question (QN) must contain decimal digits only' },
  H: { pattern: /^[0-9a-fA-F]*$/, description: 'hex question (QH) must contain hex digits only' },
  // ASCII only, so that the length limit counts bytes of the 128-byte block and characters alike.
  A: {
    pattern: /^[\x20-\x7e]*$/,
    description: 'alphanumeric question (QA) must contain printable ASCII characters only',
  },
};

/**
 * Throws `OcraInputError` unless `question` is a single challenge the suite allows: its type's
 * characters and 4 up to the suite's length. Use it for challenges that are issued or received.
 */
export function validateQuestion(suite: OcraSuite, question: string): void {
  checkQuestionText(suite.questionType, question);
  if (question.length > suite.questionLength) {
    throw new OcraInputError(
      `question is too long: ${question.length} characters, ${suite.suite} allows ${suite.questionLength}`,
    );
  }
}

function checkQuestionText(type: OcraQuestionType, question: string): void {
  if (typeof question !== 'string') throw new OcraInputError('question must be a string');
  const charset = QUESTION_CHARSETS[type];
  if (!charset.pattern.test(question)) throw new OcraInputError(charset.description);
  if (question.length < MIN_QUESTION_LENGTH) {
    throw new OcraInputError(
      `question is too short: ${question.length} characters, at least ${MIN_QUESTION_LENGTH} required`,
    );
  }
}

/** Time-step counter (`T` value) for a Unix time in seconds. */
export function timeStepCounter(suite: OcraSuite, unixSeconds: number): number {
  if (suite.timeStep === undefined) {
    throw new OcraInputError(`${suite.suite} has no timestamp (T) field`);
  }
  if (suite.timeStep === 0) throw new OcraInputError('a time step of 0 has no step counter');
  if (!Number.isFinite(unixSeconds) || unixSeconds < 0) {
    throw new OcraInputError('time must be a non-negative number of seconds');
  }
  return Math.floor(unixSeconds / suite.timeStep);
}

/** RFC 6287 DataInput: suite bytes, 0x00, then C, Q, P, S and T as the suite requires. */
export function ocraDataInput(suite: OcraSuite, input: OcraInput): Buffer {
  const parts: Buffer[] = [Buffer.from(suite.suite, 'latin1'), Buffer.alloc(1)];
  if (suite.counter) parts.push(counterBytes(requireCounter(input.counter, 'counter (C)', suite)));
  parts.push(questionBlock(suite, input));
  if (suite.pinHash !== undefined) parts.push(pinBlock(suite, suite.pinHash, input));
  if (suite.sessionLength !== undefined) {
    parts.push(sessionBlock(suite, suite.sessionLength, input.session));
  }
  if (suite.timeStep !== undefined) {
    parts.push(counterBytes(requireCounter(input.timestamp, 'timestamp (T)', suite)));
  }
  return Buffer.concat(parts);
}

/**
 * OCRA response for one set of inputs. Inputs the suite does not use are ignored, so callers can
 * pass whatever they hold.
 */
export function computeOcra(suite: OcraSuite, key: Buffer, input: OcraInput): string {
  const mac = createHmac(suite.hash, key).update(ocraDataInput(suite, input)).digest();
  return dynamicTruncate(mac, suite.digits);
}

/**
 * Checks `response` (constant-time per candidate). `C` suites search forward from
 * `input.counter`; `T` suites search ± `window.time` steps around `input.timestamp` (or the current
 * step), nearest step first so that clock drift resolves to the most likely step.
 */
export function verifyOcra(
  suite: OcraSuite,
  key: Buffer,
  response: string,
  input: OcraInput,
  window: OcraWindow = {},
): OcraVerifyResult {
  // Computing inputs first keeps input errors independent of what the client sent.
  const counters = suite.counter
    ? forwardRange(
        requireCounter(input.counter, 'counter (C)', suite),
        windowSize(window.counter, DEFAULT_COUNTER_WINDOW, 'counter'),
      )
    : [undefined];
  const timestamps =
    suite.timeStep !== undefined
      ? nearestFirst(
          input.timestamp !== undefined
            ? requireCounter(input.timestamp, 'timestamp (T)', suite)
            : timeStepCounter(suite, window.now ?? Date.now() / 1000),
          windowSize(window.time, DEFAULT_TIME_WINDOW, 'time'),
        )
      : [undefined];
  if (typeof response !== 'string' || response.length !== suite.digits) return { ok: false };

  for (const counter of counters) {
    for (const timestamp of timestamps) {
      const expected = computeOcra(suite, key, { ...input, counter, timestamp });
      if (otpEquals(expected, response)) {
        const result: OcraVerifyResult = { ok: true };
        if (counter !== undefined) result.counter = counter;
        if (timestamp !== undefined) result.timestamp = timestamp;
        return result;
      }
    }
  }
  return { ok: false };
}

function requireCounter(value: number | undefined, name: string, suite: OcraSuite): number {
  if (value === undefined || value === null) {
    throw new OcraInputError(`${suite.suite} requires a ${name}`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OcraInputError(`${name} must be a non-negative integer`);
  }
  return value;
}

function windowSize(value: number | undefined, fallback: number, name: string): number {
  const size = value ?? fallback;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new OcraInputError(`${name} window must be a non-negative integer`);
  }
  return size;
}

function forwardRange(start: number, count: number): number[] {
  const out: number[] = [];
  for (let c = start; c < start + count && c <= Number.MAX_SAFE_INTEGER; c++) out.push(c);
  return out;
}

function nearestFirst(center: number, steps: number): number[] {
  const out = [center];
  for (let d = 1; d <= steps; d++) {
    if (center - d >= 0) out.push(center - d);
    if (center + d <= Number.MAX_SAFE_INTEGER) out.push(center + d);
  }
  return out;
}

function questionBlock(suite: OcraSuite, input: OcraInput): Buffer {
  const type = input.questionAsHex ? 'H' : suite.questionType;
  // Mutual challenge-response (RFC 6287 §7.3) concatenates two challenges of up to the suite's
  // length each, so only the 128-byte block bounds the question of a computation.
  checkQuestionText(type, input.question);
  let bytes: Buffer;
  if (type === 'A') {
    bytes = Buffer.from(input.question, 'latin1');
  } else {
    // RFC reference code: QN becomes the hex digits of its value, then both QN and QH are
    // right-padded with '0' nibbles, so an odd digit count gains a trailing 0 nibble.
    const hex = type === 'N' ? BigInt(input.question).toString(16) : input.question;
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `${hex}0`, 'hex');
  }
  if (bytes.length > QUESTION_BLOCK) {
    throw new OcraInputError(`question does not fit into ${QUESTION_BLOCK} bytes`);
  }
  const block = Buffer.alloc(QUESTION_BLOCK);
  bytes.copy(block);
  return block;
}

function pinBlock(suite: OcraSuite, hash: HashAlgorithm, input: OcraInput): Buffer {
  if (input.pinHash !== undefined && input.pin !== undefined) {
    throw new OcraInputError('give either a PIN or a PIN hash, not both');
  }
  if (input.pinHash !== undefined) {
    const size = HASH_SIZE[hash];
    if (!/^[0-9a-fA-F]*$/.test(input.pinHash) || input.pinHash.length !== size * 2) {
      throw new OcraInputError(`PIN hash must be ${size * 2} hex digits (${hash})`);
    }
    return Buffer.from(input.pinHash, 'hex');
  }
  // Only an absent PIN is missing: an empty PIN is a value the user may really have.
  if (input.pin === undefined) throw new OcraInputError(`${suite.suite} requires a PIN (P)`);
  return createHash(hash).update(input.pin, 'utf8').digest();
}

function sessionBlock(suite: OcraSuite, length: number, session: string | undefined): Buffer {
  if (session === undefined || session === '') {
    throw new OcraInputError(`${suite.suite} requires session information (S)`);
  }
  if (!/^[0-9a-fA-F]+$/.test(session)) {
    throw new OcraInputError('session information must be hex');
  }
  // The RFC reference code left-pads with '0' but has no defined result for longer input;
  // cutting it would silently sign something other than what the caller passed.
  if (session.length > length * 2) {
    throw new OcraInputError(
      `session information is longer than ${length} bytes (${length * 2} hex digits)`,
    );
  }
  return Buffer.from(session.padStart(length * 2, '0'), 'hex');
}
