import { formatPiDate, parsePiDate } from '../common/dates';
import { ParameterError, PolicyError, TokenAdminError } from '../common/errors';
import type { Limits } from '../config/app-config';
import { parseHashAlgorithm } from '../crypto/hash-algorithm';
import { hasOuterWhitespace } from '../users/user-ref';

/**
 * Upper bounds of the OTP search windows: each unit is one HMAC per check (count_window,
 * timeWindow) or per resync (sync_window), so an unbounded window is unbounded work per request.
 */
export const WINDOW_CAPS = {
  /** HOTP look-ahead, in counter values. */
  countWindow: 1000,
  /** Resync search, in counter values (HOTP) or time steps either side (TOTP). */
  syncWindow: 10_000,
  /** TOTP tolerance either side, in seconds. */
  totpTimeWindow: 600,
} as const;

export const TOTP_TIME_STEPS: readonly number[] = [30, 60];
/** |timeShift| in seconds, as at init. */
export const MAX_TIME_SHIFT = 86_400;
/** The largest value of a signed 32-bit INT column (MySQL/MariaDB `INT`, privacyIDEA's too). */
export const INT32_MAX = 2_147_483_647;
/**
 * max_failcount: any INT, as privacyIDEA allows (scripts set values like 1000000). The fail
 * counter only goes up while below it (token-sql.ts), so it never passes the column's range.
 */
export const MAX_FAILCOUNT = INT32_MAX;
/** count_auth_max / count_auth_success_max: the counters they limit stop at them likewise. */
export const MAX_AUTH_COUNT = INT32_MAX;
/** A TEXT column holds 65,535 bytes on MySQL/MariaDB: the hard ceiling of a tokeninfo value. */
const TEXT_COLUMN_BYTES = 65_535;

/** `value` within 0..max (NaN and negatives count as 0). */
export function clamp(value: number, max: number): number {
  return value > 0 ? Math.min(value, max) : 0;
}

/** Parameters that widen the OTP search; only admins may set them. */
export const WINDOW_PARAMS = ['count_window', 'sync_window', 'timeWindow'] as const;

export type InfoLimits = Pick<
  Limits,
  'maxTokenInfoPerToken' | 'tokenInfoKeyMaxLength' | 'tokenInfoValueMaxLength'
>;

const CONTROL = /[\u0000-\u001f\u007f]/;

// Leading/trailing whitespace: MariaDB's PAD SPACE collations would match "x " with "x".
export { hasOuterWhitespace };

/** A tokeninfo key a caller may name: bounded, no control characters, no outer whitespace. */
export function checkInfoKey(key: string, limits: InfoLimits): void {
  if (key.length === 0 || CONTROL.test(key) || hasOuterWhitespace(key)) {
    throw new ParameterError('Invalid tokeninfo key');
  }
  if (key.length > limits.tokenInfoKeyMaxLength) {
    throw new ParameterError(
      `Invalid tokeninfo key: longer than ${limits.tokenInfoKeyMaxLength} characters`,
    );
  }
}

export function checkInfoValue(key: string, value: string, limits: InfoLimits): void {
  if (
    value.length > limits.tokenInfoValueMaxLength ||
    Buffer.byteLength(value, 'utf8') > TEXT_COLUMN_BYTES
  ) {
    throw new ParameterError(
      `Invalid tokeninfo value of ${key.slice(0, 64)}: longer than ${limits.tokenInfoValueMaxLength} characters`,
    );
  }
}

/** Refuses a write that would leave the token with more tokeninfo keys than the cap. */
export function checkInfoCount(
  existing: Iterable<string>,
  added: Iterable<string>,
  limits: InfoLimits,
): void {
  const keys = new Set(existing);
  for (const k of added) keys.add(k);
  if (keys.size > limits.maxTokenInfoPerToken) {
    throw new PolicyError(
      `A token may have at most ${limits.maxTokenInfoPerToken} tokeninfo entries.`,
    );
  }
}

function intIn(key: string, value: string, min: number, max: number): number {
  const t = value.trim();
  const n = /^-?\d{1,15}$/.test(t) ? Number(t) : NaN;
  if (!(n >= min && n <= max)) {
    throw new ParameterError(`Invalid ${key}: an integer from ${min} to ${max} is expected`);
  }
  return n;
}

/**
 * validity_period_start / _end in DATE_FORMAT; '' means "remove". Unparsable input is refused:
 * stored as is it would be ignored by the fitness check, i.e. valid forever.
 */
export function normalizeValidity(value: string, which: 'start' | 'end'): string {
  if (value.trim() === '') return '';
  const date = parsePiDate(value);
  if (!date) throw new TokenAdminError(`Could not parse validity period ${which} date!`);
  return formatPiDate(date);
}

/**
 * The value to store for a tokeninfo key the engine reads, whichever API path writes it
 * (/token/info, /token/set): dates parsed, numbers range-checked, windows capped. '' = delete.
 * Other keys are free text and come back unchanged.
 */
export function normalizeInfoValue(key: string, value: string): string {
  switch (key) {
    case 'validity_period_start':
      return normalizeValidity(value, 'start');
    case 'validity_period_end':
      return normalizeValidity(value, 'end');
    case 'count_auth_max':
    case 'count_auth_success_max':
      return String(intIn(key, value, 0, MAX_AUTH_COUNT));
    case 'timeWindow':
      return String(intIn(key, value, 0, WINDOW_CAPS.totpTimeWindow));
    case 'timeStep': {
      const step = intIn(key, value, 1, 3600);
      if (!TOTP_TIME_STEPS.includes(step))
        throw new ParameterError('Invalid timeStep: use 30 or 60');
      return String(step);
    }
    case 'timeShift':
      return String(intIn(key, value, -MAX_TIME_SHIFT, MAX_TIME_SHIFT));
    case 'hashlib': {
      const hash = parseHashAlgorithm(value);
      if (!hash) throw new ParameterError(`Invalid hashlib: ${value.slice(0, 20)}`);
      return hash;
    }
    default:
      return value;
  }
}
