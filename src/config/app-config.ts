import { isAbsolute, join, resolve } from 'node:path';
import { OcraSuite, OcraSuiteError } from '../crypto/ocra/ocra-suite';
import { MAX_FAILCOUNT } from '../token-data/token-limits';

/**
 * All settings come from the environment (spec README "Service-specific conventions"); names and
 * defaults follow privacyIDEA's configuration keys so operators can port a configuration.
 */
export interface AppConfig {
  port: number;
  host: string;
  logLevel: string;
  dataDir: string;
  trustProxy: boolean;
  publicBaseUrl?: string;
  versions: { version: string; versionnumber: string };
  db: DbConfig;
  secrets: {
    encryptionKey?: string;
    encryptionKeyFile?: string;
  };
  auth: {
    jwtSecret?: string;
    jwtSecretFile?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** AUTH_JWT_ALLOW_ANY_AUDIENCE: explicit opt-out of the audience check with a JWKS. */
    allowAnyAudience: boolean;
    /** AUTH_JWT_MAX_AGE: seconds since `iat` a JWT is accepted for (0 = only `exp` counts). */
    maxAgeSeconds: number;
  };
  pinHash: { memoryCost: number; timeCost: number; parallelism: number };
  /** Caps on work and data an (unauthenticated) request can cause; README "Security model". */
  limits: Limits;
  users: { defaultRealm: string; realms: string[]; splitAtSign: boolean };
  tokens: TokenDefaults;
  challenges: {
    validityTime: number;
    validityByType: Record<string, number>;
    responseTypes: string[];
    cleanupIntervalSeconds: number;
    /** Open (unanswered, unexpired) challenges one token may have; more are refused. */
    maxOpenPerToken: number;
    /** Seconds an out-of-band answer keeps its challenge readable for the finalizing call. */
    finalizeGrace: number;
  };
  tiqr: TiqrConfig;
  push: PushConfig;
  /** DEMO_PAGE: serve the demo relying-party page at /demo (default on with the embedded SQLite). */
  demoPage: boolean;
}

export type PushPresenceOptions = 'ALPHABETIC' | 'NUMERIC' | 'CUSTOM';

/** Push settings (push.md §1); unset URLs are derived per request like TiQR's. */
export interface PushConfig {
  /** `poll only`, or the name of the Firebase configuration (credentials below). */
  firebaseConfiguration: string;
  firebase?: { serviceAccount: string; projectId?: string };
  registrationUrl?: string;
  /** Minutes the app has for enrollment stage 2 (enforced). */
  ttl: number;
  sslVerify: '0' | '1';
  textOnMobile: string;
  titleOnMobile: string;
  challengeText: string;
  allowPolling: 'allow' | 'deny' | 'token';
  /** Seconds a PIN-only /validate/check waits for the answer; 0 = off. */
  wait: number;
  requirePresence: boolean;
  presenceOptions: PushPresenceOptions;
  presenceCustomOptions: string[];
  presenceNumOptions: number;
  usePiaScheme: boolean;
  forceAppPin: boolean;
  /** Seconds an answered challenge stays readable for the finalizing call. */
  finalizeGrace: number;
  /** RSA size of the server key pair made at enrollment stage 2 (privacyIDEA: 4096). */
  serverKeyBits: number;
}

/**
 * TiQR settings (tiqr.md §1). Unset URLs are derived per request from the base URL apps reach
 * this service at (PUBLIC_BASE_URL, else the request origin).
 */
export interface TiqrConfig {
  regServer?: string;
  authServer?: string;
  serviceIdentifier: string;
  serviceDisplayname: string;
  logoUrl?: string;
  infoUrl?: string;
  /** Suite of new TiQR tokens: a plain question suite (no counter, PIN, session or time). */
  ocraSuite: string;
}

export interface Limits {
  /** Request body limit of every route but /validate/* and /ttype/* (imports need it). */
  bodyLimit: number;
  /** Request body limit of the unauthenticated /validate/* and /ttype/* routes. */
  validateBodyLimit: number;
  maxTokensPerUser: number;
  maxTokenInfoPerToken: number;
  tokenInfoKeyMaxLength: number;
  tokenInfoValueMaxLength: number;
  /** PIN hash verifications one request may run. */
  pinHashesPerRequest: number;
  /** PIN hash verifications running at once, per process. */
  pinHashConcurrency: number;
  /** PIN hash verifications waiting for a slot, per process; beyond it a check gets 503. */
  pinHashQueueMax: number;
  /** Smallest decoded OTP key, in bytes (RFC 4226 R6 asks for 16). */
  minOtpKeyBytes: number;
  pskcMaxPbkdf2Iterations: number;
}

export interface DbConfig {
  /** 'mariadb' tells TypeORM about MariaDB's schema quirks; DB_TYPE=mysql detects it at start. */
  type: 'sqlite' | 'mysql' | 'mariadb';
  path: string;
  url?: string;
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
  poolSize: number;
  /** Further attempts (2 s apart) when the MySQL server cannot be reached at start. */
  connectRetries: number;
  migrationsRun: boolean;
  /** Seconds a migration run waits for another replica's migration lock before giving up. */
  migrationLockTimeout: number;
  logging: boolean;
}

export interface TokenDefaults {
  otplen: number;
  countWindow: number;
  syncWindow: number;
  maxFail: number;
  serialLength: number;
  prependPin: boolean;
  incFailCountOnFalsePin: boolean;
  otppinMode: 'tokenpin' | 'none';
  failcounterClearTimeout: number;
  noAuthCounter: boolean;
  /** OTPONLY_ALLOWED: honour otponly=1 (OTP without PIN) on /validate/check. */
  otpOnlyAllowed: boolean;
  totpTimeStep: number;
  totpTimeWindow: number;
  hashlib: { hotp: string; totp: string };
  label: string;
  issuer: string;
}

/**
 * Configuration problems, each one line naming the variable and what it allows. loadConfig and
 * the TiQR/Push loaders collect every problem before failing, so one start reports them all.
 */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string | string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('; '));
    this.problems = list;
  }
}

/** Problems found so far while a loader runs (see collectProblems); undefined outside. */
let collecting: string[] | undefined;

/**
 * Records a configuration problem and carries on with `fallback` while a loader collects
 * problems; throws it otherwise. No configuration is returned while any problem was recorded.
 */
export function problem<T>(message: string, fallback: T): T {
  if (!collecting) throw new ConfigError(message);
  collecting.push(message);
  return fallback;
}

/** Runs `load`, then throws one ConfigError listing every problem it recorded (nested: joins). */
export function collectProblems<T>(load: () => T): T {
  if (collecting) return load();
  const found: string[] = [];
  collecting = found;
  try {
    const value = load();
    if (found.length > 0) throw new ConfigError(found);
    return value;
  } catch (e) {
    // An unexpected error still reports what was found before it.
    if (e instanceof ConfigError && e.problems !== found) {
      throw new ConfigError([...found, ...e.problems]);
    }
    throw e;
  } finally {
    collecting = undefined;
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, key: string, fallback: string): string {
  const v = env[key];
  return v === undefined || v === '' ? fallback : v;
}

function opt(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}

function int(env: Env, key: string, fallback: number, min = 0): number {
  const v = opt(env, key);
  if (v === undefined) return fallback;
  if (!/^\d{1,15}$/.test(v) || Number(v) < min) {
    return problem(`${key} must be an integer >= ${min}, got '${v}'`, fallback);
  }
  return Number(v);
}

/** An integer between 1 and `max` (a column size, say). */
function intMax(env: Env, key: string, fallback: number, max: number): number {
  const n = int(env, key, fallback, 1);
  if (n > max) return problem(`${key} must be an integer from 1 to ${max}, got '${n}'`, fallback);
  return n;
}

/** A TCP port; PORT=0 listens on any free port. */
function port(env: Env, key: string, fallback: number, min: 0 | 1): number {
  const v = opt(env, key);
  if (v === undefined) return fallback;
  if (!/^\d{1,5}$/.test(v) || Number(v) < min || Number(v) > 65535) {
    return problem(`${key} must be a port number from ${min} to 65535, got '${v}'`, fallback);
  }
  return Number(v);
}

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
/** Nest's names for two of them. */
const LOG_LEVEL_ALIASES: Record<string, string> = { log: 'info', verbose: 'trace' };

function logLevel(env: Env): string {
  const v = str(env, 'LOG_LEVEL', 'info').toLowerCase();
  const level = LOG_LEVEL_ALIASES[v] ?? v;
  if (LOG_LEVELS.includes(level)) return level;
  return problem(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${v}'`, 'info');
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const v = opt(env, key);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return problem(`${key} must be true or false, got '${v}'`, fallback);
}

function list(env: Env, key: string, fallback: string[]): string[] {
  const v = env[key];
  if (v === undefined) return fallback;
  return v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/** An absolute http(s) URL without query or fragment: apps append their own query. */
function httpUrl(env: Env, key: string): string | undefined {
  const v = opt(env, key);
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return problem(`${key} must be an absolute http(s) URL, got '${v}'`, undefined);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    return problem(`${key} must be an absolute http(s) URL without query, got '${v}'`, undefined);
  }
  // Normalized (lower-case scheme and host, no default port) as apps rebuild it: the push URL is
  // part of what the server signs, so any other spelling makes every challenge fail to verify.
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/**
 * The host part of every tiqrauth:// URL: the app parses it as a host name (tiqr.md §5.4) and
 * lower-cases it, but keeps the metadata's identifier as sent, so only lower case matches.
 */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function tiqrSuite(env: Env): string {
  const text = str(env, 'TIQR_OCRA_SUITE', 'OCRA-1:HOTP-SHA1-6:QN10');
  let suite: OcraSuite;
  try {
    suite = OcraSuite.parse(text);
  } catch (e) {
    if (e instanceof OcraSuiteError) return problem(`TIQR_OCRA_SUITE: ${e.message}`, text);
    throw e;
  }
  // The TiQR login carries only the question (no counter, PIN or session; tiqr.md §5.2).
  if (
    suite.counter ||
    suite.pinHash ||
    suite.sessionLength !== undefined ||
    suite.timeStep !== undefined ||
    // Current apps read every question as hex: only numeric and hex questions work with them.
    suite.questionType === 'A'
  ) {
    return problem(
      `TIQR_OCRA_SUITE must be a QN or QH question-only suite (no C, P, S or T input), got '${text}'`,
      text,
    );
  }
  return suite.suite;
}

function displayName(env: Env): string {
  const name = str(env, 'TIQR_SERVICE_DISPLAYNAME', 'privacyIDEA');
  if (name.length > 100 || /[\u0000-\u001f]/.test(name)) {
    return problem('TIQR_SERVICE_DISPLAYNAME must be at most 100 printable characters', name);
  }
  return name;
}

export function loadTiqrConfig(env: Env): TiqrConfig {
  return collectProblems(() => tiqrConfig(env));
}

function tiqrConfig(env: Env): TiqrConfig {
  const serviceIdentifier = str(env, 'TIQR_SERVICE_IDENTIFIER', 'org.privacyidea');
  if (!HOST_NAME.test(serviceIdentifier)) {
    problem(
      `TIQR_SERVICE_IDENTIFIER must be a lower-case DNS-style host name, got '${serviceIdentifier}'`,
      undefined,
    );
  }
  const regServer = httpUrl(env, 'TIQR_REG_SERVER');
  return {
    regServer,
    authServer: httpUrl(env, 'TIQR_AUTH_SERVER') ?? regServer,
    serviceIdentifier,
    serviceDisplayname: displayName(env),
    logoUrl: httpUrl(env, 'TIQR_LOGO_URL'),
    infoUrl: httpUrl(env, 'TIQR_INFO_URL'),
    ocraSuite: tiqrSuite(env),
  };
}

/** A wait is a held HTTP request: capped so a relying party cannot park requests for long. */
export const MAX_PUSH_WAIT_SECONDS = 60;

function oneOf<T extends string>(env: Env, key: string, fallback: T, allowed: readonly T[]): T {
  const v = str(env, key, fallback);
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  if (!hit) return problem(`${key} must be one of ${allowed.join(', ')}, got '${v}'`, fallback);
  return hit;
}

function text(env: Env, key: string, fallback: string, max = 200): string {
  const v = str(env, key, fallback);
  if (v.length > max || /[\u0000-\u001f]/.test(v)) {
    return problem(`${key} must be at most ${max} printable characters`, fallback);
  }
  return v;
}

function serverKeyBits(env: Env): number {
  const bits = int(env, 'PUSH_SERVER_KEY_BITS', 4096, 2048);
  if (bits > 8192 || bits % 1024 !== 0) {
    return problem(`PUSH_SERVER_KEY_BITS must be 2048, 3072, 4096 … 8192, got ${bits}`, 4096);
  }
  return bits;
}

export function loadPushConfig(env: Env): PushConfig {
  return collectProblems(() => pushConfig(env));
}

function pushConfig(env: Env): PushConfig {
  const firebaseConfiguration = str(env, 'PUSH_FIREBASE_CONFIGURATION', 'poll only');
  const serviceAccount =
    opt(env, 'PUSH_FIREBASE_SERVICE_ACCOUNT_JSON') ??
    opt(env, 'PUSH_FIREBASE_SERVICE_ACCOUNT_FILE');
  const pollOnly = firebaseConfiguration.toLowerCase() === 'poll only';
  if (!pollOnly && !serviceAccount) {
    problem(
      `PUSH_FIREBASE_CONFIGURATION '${firebaseConfiguration}' needs PUSH_FIREBASE_SERVICE_ACCOUNT_FILE or PUSH_FIREBASE_SERVICE_ACCOUNT_JSON`,
      undefined,
    );
  }
  const custom = (opt(env, 'PUSH_PRESENCE_CUSTOM_OPTIONS') ?? '')
    .split(':')
    .map((o) => o.trim())
    .filter(Boolean);
  const presenceOptions = oneOf(env, 'PUSH_PRESENCE_OPTIONS', 'ALPHABETIC', [
    'ALPHABETIC',
    'NUMERIC',
    'CUSTOM',
  ] as const);
  if (presenceOptions === 'CUSTOM' && new Set(custom).size < 2) {
    problem('PUSH_PRESENCE_CUSTOM_OPTIONS needs at least two distinct options', undefined);
  }
  if (custom.some((o) => o.length > 10 || /[,|\s]/.test(o))) {
    problem(
      'PUSH_PRESENCE_CUSTOM_OPTIONS: options are at most 10 characters, no , | or space',
      undefined,
    );
  }
  let wait = int(env, 'PUSH_WAIT', 0);
  if (wait > MAX_PUSH_WAIT_SECONDS) {
    wait = problem(`PUSH_WAIT must be at most ${MAX_PUSH_WAIT_SECONDS} seconds, got ${wait}`, 0);
  }
  let num = int(env, 'PUSH_PRESENCE_NUM_OPTIONS', 3, 2);
  if (num > 10) num = problem(`PUSH_PRESENCE_NUM_OPTIONS must be 2..10, got ${num}`, 3);
  return {
    firebaseConfiguration: pollOnly ? 'poll only' : firebaseConfiguration,
    firebase:
      !pollOnly && serviceAccount
        ? { serviceAccount, projectId: opt(env, 'PUSH_FIREBASE_PROJECT_ID') }
        : undefined,
    registrationUrl: httpUrl(env, 'PUSH_REGISTRATION_URL'),
    ttl: intMax(env, 'PUSH_TTL', 10, 1440),
    // privacyIDEA: anything but 0 means verify.
    sslVerify: str(env, 'PUSH_SSL_VERIFY', '1') === '0' ? '0' : '1',
    textOnMobile: text(env, 'PUSH_TEXT_ON_MOBILE', 'Do you want to confirm the login?'),
    titleOnMobile: text(env, 'PUSH_TITLE_ON_MOBILE', 'privacyIDEA'),
    challengeText: text(
      env,
      'PUSH_CHALLENGE_TEXT',
      'Please confirm the authentication on your mobile device!',
    ).replace(/\\,/g, ','),
    allowPolling: oneOf(env, 'PUSH_ALLOW_POLLING', 'allow', ['allow', 'deny', 'token'] as const),
    wait,
    requirePresence: bool(env, 'PUSH_REQUIRE_PRESENCE', false),
    presenceOptions,
    presenceCustomOptions: [...new Set(custom)],
    presenceNumOptions: num,
    usePiaScheme: bool(env, 'PUSH_USE_PIA_SCHEME', false),
    forceAppPin: bool(env, 'PUSH_FORCE_APP_PIN', false),
    finalizeGrace: int(
      env,
      'PUSH_CHALLENGE_FINALIZE_GRACE',
      int(env, 'CHALLENGE_FINALIZE_GRACE', 300),
    ),
    serverKeyBits: serverKeyBits(env),
  };
}

const TOKEN_TYPES_WITH_VALIDITY = ['hotp', 'totp', 'ocra', 'tiqr', 'push'];

export function loadConfig(env: Env = process.env): AppConfig {
  return collectProblems(() => appConfig(env));
}

function appConfig(env: Env): AppConfig {
  const dataDir = resolve(str(env, 'DATA_DIR', './data'));
  const dbType = oneOf(env, 'DB_TYPE', 'sqlite', ['sqlite', 'mysql', 'mariadb'] as const);
  const dbPath = str(env, 'DB_PATH', join(dataDir, 'mfa.sqlite'));
  const versionnumber = str(env, 'PI_VERSION', '3.13');
  const defaultRealm = str(env, 'DEFAULT_REALM', 'default').toLowerCase();
  const validityTime = int(env, 'CHALLENGE_VALIDITY_TIME', 120, 1);
  const validityByType: Record<string, number> = {};
  for (const t of TOKEN_TYPES_WITH_VALIDITY) {
    validityByType[t] = int(env, `${t.toUpperCase()}_CHALLENGE_VALIDITY_TIME`, validityTime, 1);
  }
  const otppinMode = oneOf(env, 'OTPPIN_MODE', 'tokenpin', ['tokenpin', 'none'] as const);
  const label = str(env, 'TOKEN_LABEL', '<s>');
  return {
    port: port(env, 'PORT', 8080, 0),
    host: str(env, 'HOST', '0.0.0.0'),
    logLevel: logLevel(env),
    dataDir,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    publicBaseUrl: httpUrl(env, 'PUBLIC_BASE_URL'),
    versions: { version: `privacyIDEA ${versionnumber}`, versionnumber },
    db: {
      type: dbType === 'sqlite' ? 'sqlite' : dbType === 'mariadb' ? 'mariadb' : 'mysql',
      path: dbPath === ':memory:' || isAbsolute(dbPath) ? dbPath : resolve(dbPath),
      url: opt(env, 'DB_URL'),
      host: str(env, 'DB_HOST', '127.0.0.1'),
      port: port(env, 'DB_PORT', 3306, 1),
      username: str(env, 'DB_USER', 'root'),
      password: str(env, 'DB_PASSWORD', ''),
      database: str(env, 'DB_NAME', 'mfa'),
      poolSize: int(env, 'DB_POOL_SIZE', 10, 1),
      connectRetries: int(env, 'DB_CONNECT_RETRIES', 5),
      migrationsRun: bool(env, 'DB_MIGRATIONS_RUN', true),
      migrationLockTimeout: int(env, 'MIGRATION_LOCK_TIMEOUT', 300, 1),
      logging: bool(env, 'DB_LOGGING', false),
    },
    secrets: {
      encryptionKey: opt(env, 'ENCRYPTION_KEY'),
      encryptionKeyFile: opt(env, 'ENCRYPTION_KEY_FILE'),
    },
    auth: {
      jwtSecret: opt(env, 'AUTH_JWT_SECRET'),
      jwtSecretFile: opt(env, 'AUTH_JWT_SECRET_FILE'),
      jwksUrl: opt(env, 'AUTH_JWKS_URL'),
      issuer: opt(env, 'AUTH_JWT_ISSUER'),
      audience: opt(env, 'AUTH_JWT_AUDIENCE'),
      allowAnyAudience: bool(env, 'AUTH_JWT_ALLOW_ANY_AUDIENCE', false),
      maxAgeSeconds: int(env, 'AUTH_JWT_MAX_AGE', 0),
    },
    pinHash: {
      memoryCost: int(env, 'PIN_HASH_MEMORY_KIB', 19456, 1024),
      timeCost: int(env, 'PIN_HASH_TIME_COST', 2, 1),
      parallelism: int(env, 'PIN_HASH_PARALLELISM', 1, 1),
    },
    limits: {
      bodyLimit: int(env, 'BODY_LIMIT', 1024 * 1024, 1024),
      validateBodyLimit: int(env, 'VALIDATE_BODY_LIMIT', 32 * 1024, 1024),
      maxTokensPerUser: int(env, 'MAX_TOKENS_PER_USER', 50, 1),
      maxTokenInfoPerToken: int(env, 'MAX_TOKENINFO_PER_TOKEN', 100, 10),
      tokenInfoKeyMaxLength: intMax(env, 'TOKENINFO_KEY_MAX_LENGTH', 128, 255),
      tokenInfoValueMaxLength: intMax(env, 'TOKENINFO_VALUE_MAX_LENGTH', 4096, 60000),
      pinHashesPerRequest: int(env, 'PIN_HASH_MAX_PER_REQUEST', 10, 2),
      pinHashConcurrency: int(env, 'PIN_HASH_CONCURRENCY', 4, 1),
      pinHashQueueMax: int(env, 'PIN_HASH_QUEUE_MAX', 256, 1),
      minOtpKeyBytes: int(env, 'MIN_OTPKEY_BYTES', 16, 1),
      pskcMaxPbkdf2Iterations: int(env, 'PSKC_MAX_PBKDF2_ITERATIONS', 200_000, 1),
    },
    users: {
      defaultRealm,
      realms: list(env, 'REALMS', [defaultRealm]),
      splitAtSign: bool(env, 'SPLIT_AT_SIGN', true),
    },
    tokens: {
      otplen: int(env, 'DEFAULT_OTP_LEN', 6, 1),
      // At most the window caps of src/token/token-limits.ts (README "Security model").
      countWindow: intMax(env, 'DEFAULT_COUNT_WINDOW', 10, 1000),
      syncWindow: intMax(env, 'DEFAULT_SYNC_WINDOW', 1000, 10_000),
      maxFail: intMax(env, 'DEFAULT_MAX_FAILCOUNT', 10, MAX_FAILCOUNT),
      serialLength: int(env, 'SERIAL_LENGTH', 8, 4),
      prependPin: bool(env, 'PREPEND_PIN', true),
      incFailCountOnFalsePin: bool(env, 'INC_FAIL_COUNT_ON_FALSE_PIN', true),
      otppinMode,
      failcounterClearTimeout: int(env, 'FAILCOUNTER_CLEAR_TIMEOUT', 0),
      noAuthCounter: bool(env, 'NO_AUTH_COUNTER', false),
      otpOnlyAllowed: bool(env, 'OTPONLY_ALLOWED', false),
      totpTimeStep: int(env, 'TOTP_TIME_STEP', 30, 1),
      totpTimeWindow: intMax(env, 'TOTP_TIME_WINDOW', 180, 600),
      hashlib: {
        hotp: str(env, 'HOTP_HASHLIB', 'sha1').toLowerCase(),
        totp: str(env, 'TOTP_HASHLIB', 'sha1').toLowerCase(),
      },
      label,
      issuer: str(env, 'TOKEN_ISSUER', 'privacyIDEA'),
    },
    challenges: {
      validityTime,
      validityByType,
      responseTypes: list(env, 'CHALLENGE_RESPONSE_TYPES', ['hotp', 'totp']),
      cleanupIntervalSeconds: int(env, 'CHALLENGE_CLEANUP_INTERVAL', 60, 1),
      maxOpenPerToken: int(env, 'MAX_OPEN_CHALLENGES_PER_TOKEN', 10, 1),
      finalizeGrace: int(env, 'CHALLENGE_FINALIZE_GRACE', 300),
    },
    tiqr: loadTiqrConfig(env),
    push: loadPushConfig(env),
    demoPage: bool(env, 'DEMO_PAGE', dbType === 'sqlite'),
  };
}
