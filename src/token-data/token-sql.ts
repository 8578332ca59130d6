import { Token } from './entities/token.entity';
import { TokenRecord } from './token-record';

/**
 * Fixed SQL for the authentication hot path. The statements are constant strings with `?`
 * placeholders (valid on SQLite and MySQL; backticks quote identifiers on both), so each is
 * prepared once per connection and reused, and rows are mapped without the ORM's per-query
 * builder and hydration work.
 */
const TOKEN_COLUMNS =
  't.id, t.serial, t.tokentype, t.description, t.key_enc, t.otplen, t.`count`, t.count_window, ' +
  't.sync_window, t.maxfail, t.failcount, t.active, t.revoked, t.locked, t.rollout_state, ' +
  't.pin_hash, t.user_login, t.user_realm, t.count_auth, t.count_auth_success';

/** Tokeninfo as one JSON object per token: one row per token instead of one per info key. */
const INFO_AGGREGATE = {
  sqlite: 'json_group_object(i.`key`, i.`value`)',
  mysql: 'JSON_OBJECTAGG(i.`key`, i.`value`)',
};

export type SqlDialect = keyof typeof INFO_AGGREGATE;

function withInfo(dialect: SqlDialect): string {
  return (
    `SELECT ${TOKEN_COLUMNS}, (SELECT ${INFO_AGGREGATE[dialect]} FROM tokeninfo i ` +
    'WHERE i.token_id = t.id) AS info FROM token t'
  );
}

/**
 * Token lookups of the hot path, by dialect. `maxPerOwner` (a validated integer from the
 * configuration) is written into the text: SQLite runs `LIMIT ?` several times slower.
 */
export function tokenQueries(dialect: SqlDialect, maxPerOwner: number) {
  const limit = Math.max(1, Math.trunc(maxPerOwner));
  return {
    bySerial: `${withInfo(dialect)} WHERE t.serial = ?`,
    /** Bounded: one request never loads more than MAX_TOKENS_PER_USER tokens. */
    byOwner: `${withInfo(dialect)} WHERE t.user_login = ? AND t.user_realm = ? ORDER BY t.id LIMIT ${limit}`,
  };
}

/** What makes a token usable for authentication, checked inside every attempt write. */
const USABLE = 'active = 1 AND revoked = 0 AND locked = 0';

/**
 * count_auth_max / count_auth_success_max (tokeninfo, read with the token) as parameters of the
 * same statement, so concurrent requests cannot use a token more often than allowed. Each takes
 * the limit twice; 0 means no limit.
 */
const AUTH_LIMIT = '(? <= 0 OR count_auth < ?)';
const SUCCESS_LIMIT = '(? <= 0 OR count_auth_success < ?)';

export const SQL = {
  /**
   * Reserves one authentication attempt before any expensive verification: the fail counter
   * (and count_auth) go up only while the token is usable, below maxfail and below
   * count_auth_max, so whatever the concurrency at most maxfail attempts are ever evaluated
   * between resets. Reports the new fail counter. Parameters: auth, id, authMax, authMax.
   */
  reserveAttempt: {
    sqlite:
      'UPDATE token SET failcount = failcount + 1, count_auth = count_auth + ? ' +
      `WHERE id = ? AND failcount < maxfail AND ${USABLE} AND ${AUTH_LIMIT} RETURNING failcount`,
    mysql:
      'UPDATE token SET failcount = LAST_INSERT_ID(failcount + 1), count_auth = count_auth + ? ' +
      `WHERE id = ? AND failcount < maxfail AND ${USABLE} AND ${AUTH_LIMIT}`,
  },
  /**
   * Gives back a reservation that did not count, only while the fail counter still holds the
   * value the reservation reported: after a reset or a later attempt it stays counted (errs on
   * the safe side).
   */
  refundAttempt:
    'UPDATE token SET failcount = failcount - 1, ' +
    'count_auth = CASE WHEN count_auth >= ? THEN count_auth - ? ELSE 0 END ' +
    'WHERE id = ? AND failcount = ?',
  /** Success of a reserved attempt; with a counter step only if count still holds the value read. */
  successWithCounter:
    'UPDATE token SET `count` = ?, failcount = 0, count_auth_success = count_auth_success + ? ' +
    `WHERE id = ? AND ${USABLE} AND ${SUCCESS_LIMIT} AND \`count\` = ?`,
  successWithoutCounter:
    'UPDATE token SET failcount = 0, count_auth_success = count_auth_success + ? ' +
    `WHERE id = ? AND ${USABLE} AND ${SUCCESS_LIMIT}`,
  /**
   * Success of an attempt that needed no PIN hash and so was not reserved up front: the one
   * write is reservation and success at once (below maxfail and the use limits, usable, counter
   * unchanged).
   */
  successWithCounterUnreserved:
    'UPDATE token SET `count` = ?, failcount = 0, count_auth = count_auth + ?, ' +
    'count_auth_success = count_auth_success + ? ' +
    `WHERE id = ? AND failcount < maxfail AND ${USABLE} AND ${AUTH_LIMIT} AND ${SUCCESS_LIMIT} ` +
    'AND `count` = ?',
  successWithoutCounterUnreserved:
    'UPDATE token SET failcount = 0, count_auth = count_auth + ?, ' +
    'count_auth_success = count_auth_success + ? ' +
    `WHERE id = ? AND failcount < maxfail AND ${USABLE} AND ${AUTH_LIMIT} AND ${SUCCESS_LIMIT}`,
  /** Administrative counter step (resync): any token that is not locked. */
  resyncCounter:
    'UPDATE token SET `count` = ?, failcount = 0 WHERE id = ? AND locked = 0 AND `count` = ?',
  /** failcounter_clear_timeout: clears only the lockout this request saw (same time stamp). */
  clearExpiredLockout:
    'UPDATE token SET failcount = 0 WHERE id = ? AND failcount >= maxfail AND EXISTS ' +
    "(SELECT 1 FROM tokeninfo i WHERE i.token_id = ? AND i.`key` = 'failcounter_exceeded' " +
    'AND i.`value` = ?)',
  /** A lockout stamp, only if it is still the given one. */
  deleteLockoutStamp:
    "DELETE FROM tokeninfo WHERE token_id = ? AND `key` = 'failcounter_exceeded' AND `value` = ?",
} as const;

export interface TokenRow {
  id: number;
  serial: string;
  tokentype: string;
  description: string;
  key_enc: string | null;
  otplen: number;
  count: number;
  count_window: number;
  sync_window: number;
  maxfail: number;
  failcount: number;
  active: number | boolean;
  revoked: number | boolean;
  locked: number | boolean;
  rollout_state: string;
  pin_hash: string;
  user_login: string | null;
  user_realm: string | null;
  count_auth: number;
  count_auth_success: number;
  /** JSON text (SQLite, MariaDB), a parsed object (MySQL's JSON type) or null (no rows). */
  info: string | Record<string, string> | null;
}

export function toRecords(rows: TokenRow[]): TokenRecord[] {
  return rows.map((r) => new TokenRecord(toToken(r), infoMap(r.info)));
}

function infoMap(info: TokenRow['info']): Map<string, string> {
  const obj = typeof info === 'string' ? (JSON.parse(info) as Record<string, unknown>) : info;
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(obj ?? {})) map.set(k, String(v));
  return map;
}

function toToken(r: TokenRow): Token {
  const t = new Token();
  t.id = Number(r.id);
  t.serial = r.serial;
  t.tokentype = r.tokentype;
  t.description = r.description;
  t.keyEnc = r.key_enc;
  t.otplen = Number(r.otplen);
  t.count = Number(r.count);
  t.countWindow = Number(r.count_window);
  t.syncWindow = Number(r.sync_window);
  t.maxfail = Number(r.maxfail);
  t.failcount = Number(r.failcount);
  t.active = Boolean(Number(r.active));
  t.revoked = Boolean(Number(r.revoked));
  t.locked = Boolean(Number(r.locked));
  t.rolloutState = r.rollout_state;
  t.pinHash = r.pin_hash;
  t.userLogin = r.user_login;
  t.userRealm = r.user_realm;
  t.countAuth = Number(r.count_auth);
  t.countAuthSuccess = Number(r.count_auth_success);
  return t;
}
