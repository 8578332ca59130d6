import type { Token } from '../token-data/entities/token.entity';

/** Tokeninfo that is never listed: encrypted values and server key material. */
const HIDDEN_INFO = new Set(['private_key_server']);

/** A token as GET /token/ shows it (tokenclass.md §16); never any key, PIN or hash. */
export function serializeToken(t: Token) {
  const info: Record<string, string> = {};
  for (const i of t.info ?? []) {
    if (i.type === 'password' || HIDDEN_INFO.has(i.key)) continue;
    info[i.key] = i.value;
  }
  info.count_auth = String(t.countAuth);
  info.count_auth_success = String(t.countAuthSuccess);
  const realms = new Set((t.realms ?? []).map((r) => r.realm));
  if (t.userRealm) realms.add(t.userRealm);
  return {
    id: t.id,
    serial: t.serial,
    tokentype: t.tokentype,
    description: t.description,
    active: t.active,
    revoked: t.revoked,
    locked: t.locked,
    failcount: t.failcount,
    maxfail: t.maxfail,
    count: t.count,
    count_window: t.countWindow,
    sync_window: t.syncWindow,
    otplen: t.otplen,
    rollout_state: t.rolloutState,
    info,
    resolver: '',
    user_id: t.userLogin ?? '',
    username: t.userLogin ?? '',
    user_realm: t.userRealm ?? '',
    user_editable: false,
    realms: [...realms].sort(),
    tokengroup: [],
    container_serial: '',
  };
}
