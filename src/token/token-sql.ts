import { Token } from './entities/token.entity';
import { TokenRecord } from '../token-types/token-record';

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

/** Token lookups of the hot path, by dialect. */
export function tokenQueries(dialect: SqlDialect) {
  return {
    bySerial: `${withInfo(dialect)} WHERE t.serial = ?`,
    byOwner: `${withInfo(dialect)} WHERE t.user_login = ? AND t.user_realm = ? ORDER BY t.id`,
  };
}

export const SQL = {
  /** Success with a counter step: applies only if count still holds the value read. */
  successWithCounter:
    'UPDATE token SET `count` = ?, failcount = 0, count_auth = count_auth + ?, ' +
    'count_auth_success = count_auth_success + ? WHERE id = ? AND locked = 0 AND `count` = ?',
  successWithoutCounter:
    'UPDATE token SET failcount = 0, count_auth = count_auth + ?, ' +
    'count_auth_success = count_auth_success + ? WHERE id = ? AND locked = 0',
  /** Fail counter capped at maxfail, in the same statement as count_auth. */
  failure:
    'UPDATE token SET failcount = CASE WHEN failcount < maxfail THEN failcount + ? ELSE failcount END, ' +
    'count_auth = count_auth + ? WHERE id = ? AND locked = 0',
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
