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

const WITH_INFO = `SELECT ${TOKEN_COLUMNS}, i.\`key\` AS info_key, i.\`value\` AS info_value
  FROM token t LEFT JOIN tokeninfo i ON i.token_id = t.id`;

export const SQL = {
  bySerial: `${WITH_INFO} WHERE t.serial = ?`,
  byOwner: `${WITH_INFO} WHERE t.user_login = ? AND t.user_realm = ? ORDER BY t.id`,
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
  info_key: string | null;
  info_value: string | null;
}

/** Groups joined token + tokeninfo rows (ordered by token) into records. */
export function toRecords(rows: TokenRow[]): TokenRecord[] {
  const out: TokenRecord[] = [];
  let current: TokenRecord | undefined;
  for (const r of rows) {
    if (!current || current.id !== Number(r.id)) {
      current = new TokenRecord(toToken(r), new Map());
      out.push(current);
    }
    if (r.info_key !== null) current.info.set(r.info_key, r.info_value ?? '');
  }
  return out;
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
