import { ParameterError, UserError } from '../common/errors';

/** A user as this service knows one: a login and a realm; the SSO gateway owns the user store. */
export interface UserRef {
  login: string;
  realm: string;
}

export interface UserPolicy {
  defaultRealm: string;
  /** Realms a `login@realm` suffix may name. */
  realms: string[];
  splitAtSign: boolean;
}

const REALM = /^[A-Za-z0-9_.-]{1,256}$/;
const CONTROL = /[\u0000-\u001f]/;
/** One Unicode White_Space character (JS trim() would also strip U+FEFF, which is not one). */
const SPACE = /^\p{White_Space}$/u;

/** Whitespace at either end; looks at the two end characters only (hot path). */
export function hasOuterWhitespace(text: string): boolean {
  return text.length > 0 && (SPACE.test(text[0]) || SPACE.test(text[text.length - 1]));
}

export function isValidRealm(realm: string): boolean {
  return REALM.test(realm);
}

/** The realms this service knows: REALMS and DEFAULT_REALM (config.users). */
export function isKnownRealm(realm: string, policy: UserPolicy): boolean {
  return realm === policy.defaultRealm || policy.realms.includes(realm);
}

/**
 * A realm a management parameter names (`realm`, `tokenrealm`, `realms`, `tokenrealms`): refused
 * with a 400 naming the parameter unless valid and known (privacyIDEA knows only defined realms).
 * Returns it lower-cased.
 */
export function knownRealm(realm: string, policy: UserPolicy, param: string): string {
  const r = realm.toLowerCase();
  if (!isValidRealm(r)) throw new ParameterError(`Invalid parameter ${param}: invalid realm`);
  if (!isKnownRealm(r, policy)) {
    const known = [...new Set([policy.defaultRealm, ...policy.realms])];
    const list = known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
    throw new ParameterError(
      `Invalid parameter ${param}: unknown realm '${r.slice(0, 64)}' (known: ${list}; see REALMS)`,
    );
  }
  return r;
}

/**
 * Outer whitespace is refused: MariaDB's PAD SPACE collations compare "rose " equal to "rose",
 * so such a login would address rose's tokens.
 */
export function isValidLogin(login: string): boolean {
  return (
    login.length > 0 && login.length <= 256 && !CONTROL.test(login) && !hasOuterWhitespace(login)
  );
}

/**
 * Resolves `user` (+ `realm`) as privacyIDEA does: an explicit realm wins; else `login@realm`
 * splits at the last '@' when the suffix is a known realm; else `realm\login`; else the default
 * realm. Invalid input throws `onInvalid` (UserError on /validate, ParameterError on management).
 */
export function resolveUser(
  user: string,
  realm: string | undefined,
  policy: UserPolicy,
  kind: 'validate' | 'manage' = 'manage',
): UserRef {
  let login = user;
  let realmName = realm;
  if (realmName === undefined) {
    const at = user.lastIndexOf('@');
    const suffix = at > 0 ? user.slice(at + 1).toLowerCase() : undefined;
    if (policy.splitAtSign && suffix !== undefined && policy.realms.includes(suffix)) {
      login = user.slice(0, at);
      realmName = suffix;
    } else if (at < 0 && user.includes('\\')) {
      const bs = user.indexOf('\\');
      realmName = user.slice(0, bs);
      login = user.slice(bs + 1);
    }
  }
  realmName = (realmName ?? policy.defaultRealm).toLowerCase();
  if (!isValidLogin(login) || !isValidRealm(realmName)) {
    if (kind === 'validate') throw new UserError();
    throw new ParameterError('Invalid user or realm');
  }
  return { login, realm: realmName };
}
