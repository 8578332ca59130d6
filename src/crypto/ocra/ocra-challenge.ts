import { createHash, randomInt } from 'node:crypto';
import { HashAlgorithm } from '../hash-algorithm';
import { OcraInputError, validateQuestion } from './ocra';
import { OcraSuite } from './ocra-suite';

/** Reply message of an OCRA challenge (ocra.md §4). */
export const OCRA_CHALLENGE_MESSAGE = 'Please answer the challenge';

const DIGITS = '0123456789';
const HEX_DIGITS = '0123456789abcdef';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Longest caller-given `challenge` text. RFC 6287 questions hold at most 64 characters of any
 * format, and the text plus its random characters comes back as `original_challenge` and as a
 * QR code, so anything longer only buys the caller a bigger response for free (a 1 kB text and
 * 1 kB of random characters used to produce a 52 kB reply).
 */
export const MAX_CHALLENGE_TEXT = 64;

/** Largest `addrandomchallenge`: with MAX_CHALLENGE_TEXT it bounds the QR code's content. */
export const MAX_ADD_RANDOM_CHALLENGE = 64;

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `length` random characters from `[A-Za-z0-9]`. */
export function randomAlphanumeric(length: number): string {
  return randomString(ALPHANUMERIC, length);
}

/**
 * Random question of the suite's type and maximum length: QN decimal digits (leading zeros
 * allowed), QH lower-case hex digits (exactly n, also for odd n), QA `[A-Za-z0-9]`.
 */
export function generateQuestion(suite: OcraSuite): string {
  return randomQuestionChars(suite, suite.questionLength);
}

/**
 * Reads the `addrandomchallenge` request value: absent or empty means 0. privacyIDEA crashes on
 * anything `int()` rejects; here that is an `OcraInputError`.
 */
export function parseAddRandomChallenge(value: string | number | undefined | null): number {
  if (value === undefined || value === null || value === '') return 0;
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!/^\d+$/.test(text)) {
    throw new OcraInputError('addrandomchallenge must be a non-negative integer');
  }
  const count = Number(text);
  if (count > MAX_ADD_RANDOM_CHALLENGE) {
    throw new OcraInputError(`addrandomchallenge must not exceed ${MAX_ADD_RANDOM_CHALLENGE}`);
  }
  return count;
}

/**
 * Hash chosen by the `hashchallenge` request value: `sha256`/`sha512` (any case) select those,
 * any other non-empty value (or `true` / a number from a JSON body) selects SHA-1 as privacyIDEA
 * does for non-empty strings.
 */
export function hashChallengeAlgorithm(
  value: string | boolean | number | undefined | null,
): HashAlgorithm | undefined {
  if (value === undefined || value === null || value === false || value === '') return undefined;
  if (value === true) return 'sha1';
  const lower = String(value).toLowerCase();
  return lower === 'sha256' || lower === 'sha512' ? lower : 'sha1';
}

/** Lower-case hex digest of the UTF-8 text, or the text itself when no hash is selected. */
export function hashChallenge(
  text: string,
  hashchallenge: string | boolean | number | undefined | null,
): string {
  const hash = hashChallengeAlgorithm(hashchallenge);
  return hash ? createHash(hash).update(text, 'utf8').digest('hex') : text;
}

/** Refuses a caller-given challenge text longer than MAX_CHALLENGE_TEXT (`OcraInputError`). */
export function checkChallengeText(text: string): void {
  if (text.length > MAX_CHALLENGE_TEXT) {
    throw new OcraInputError(`challenge must not exceed ${MAX_CHALLENGE_TEXT} characters`);
  }
}

/** Request parameters of `/validate/check` and `/validate/triggerchallenge` for OCRA tokens. */
export interface OcraChallengeOptions {
  /** `challenge`: text to sign (e.g. DisplayTAN transaction data). */
  challenge?: string;
  /** `addrandomchallenge`: random `[A-Za-z0-9]` characters appended to `challenge`. */
  addRandomChallenge?: string | number;
  /** `hashchallenge`: replace the text by its hex digest (sha1 / sha256 / sha512). */
  hashChallenge?: string | boolean | number;
  /**
   * Server randomness appended to a caller-given text at least (unauthenticated callers): from
   * the suite's alphabet when the text is used as the question, alphanumeric before hashing.
   */
  minRandom?: number;
}

export interface OcraChallenge {
  /** The question to store and answer (`attributes.challenge`). */
  challenge: string;
  /**
   * Text after appending random characters and before hashing (`attributes.original_challenge`;
   * the caller renders it as `attributes.qrcode`). Only set when the request gave a challenge.
   */
  originalChallenge?: string;
}

/**
 * Builds the OCRA challenge for a request (ocra.md §4). Without a `challenge` the question is random
 * and the other options are ignored, as in privacyIDEA. The result is validated against the suite
 * (`OcraInputError` otherwise) because privacyIDEA stores challenges that can never be answered.
 */
export function createOcraChallenge(
  suite: OcraSuite,
  options: OcraChallengeOptions = {},
): OcraChallenge {
  if (!options.challenge) return { challenge: generateQuestion(suite) };
  checkChallengeText(options.challenge);
  const requested = parseAddRandomChallenge(options.addRandomChallenge);
  const forced = Math.max(0, (options.minRandom ?? 0) - requested);
  const hashed = hashChallengeAlgorithm(options.hashChallenge) !== undefined;
  // The question must stay answerable: without hashing, forced randomness uses the suite's alphabet.
  const forcedText = hashed ? randomAlphanumeric(forced) : randomQuestionChars(suite, forced);
  const original = options.challenge + randomAlphanumeric(requested) + forcedText;
  const challenge = hashChallenge(original, options.hashChallenge);
  validateQuestion(suite, challenge);
  return { challenge, originalChallenge: original };
}

function randomQuestionChars(suite: OcraSuite, length: number): string {
  const alphabet =
    suite.questionType === 'N' ? DIGITS : suite.questionType === 'H' ? HEX_DIGITS : ALPHANUMERIC;
  return randomString(alphabet, length);
}
