import { isAbsolute, join, resolve } from 'node:path';

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
  };
  pinHash: { memoryCost: number; timeCost: number; parallelism: number };
  users: { defaultRealm: string; realms: string[]; splitAtSign: boolean };
  tokens: TokenDefaults;
  challenges: {
    validityTime: number;
    validityByType: Record<string, number>;
    responseTypes: string[];
    cleanupIntervalSeconds: number;
  };
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
  migrationsRun: boolean;
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
  totpTimeStep: number;
  totpTimeWindow: number;
  hashlib: { hotp: string; totp: string };
  label: string;
  issuer: string;
}

export class ConfigError extends Error {}

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
  if (!/^\d+$/.test(v) || Number(v) < min) {
    throw new ConfigError(`${key} must be an integer >= ${min}, got '${v}'`);
  }
  return Number(v);
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const v = opt(env, key);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${key} must be true or false, got '${v}'`);
}

function list(env: Env, key: string, fallback: string[]): string[] {
  const v = env[key];
  if (v === undefined) return fallback;
  return v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

const TOKEN_TYPES_WITH_VALIDITY = ['hotp', 'totp', 'ocra', 'tiqr', 'push'];

export function loadConfig(env: Env = process.env): AppConfig {
  const dataDir = resolve(str(env, 'DATA_DIR', './data'));
  const dbType = str(env, 'DB_TYPE', 'sqlite').toLowerCase();
  if (dbType !== 'sqlite' && dbType !== 'mysql' && dbType !== 'mariadb') {
    throw new ConfigError(`DB_TYPE must be sqlite, mysql or mariadb, got '${dbType}'`);
  }
  const dbPath = str(env, 'DB_PATH', join(dataDir, 'mfa.sqlite'));
  const versionnumber = str(env, 'PI_VERSION', '3.13');
  const defaultRealm = str(env, 'DEFAULT_REALM', 'default').toLowerCase();
  const validityTime = int(env, 'CHALLENGE_VALIDITY_TIME', 120, 1);
  const validityByType: Record<string, number> = {};
  for (const t of TOKEN_TYPES_WITH_VALIDITY) {
    validityByType[t] = int(env, `${t.toUpperCase()}_CHALLENGE_VALIDITY_TIME`, validityTime, 1);
  }
  const otppinMode = str(env, 'OTPPIN_MODE', 'tokenpin');
  if (otppinMode !== 'tokenpin' && otppinMode !== 'none') {
    throw new ConfigError(`OTPPIN_MODE must be tokenpin or none, got '${otppinMode}'`);
  }
  const label = str(env, 'TOKEN_LABEL', '<s>');
  return {
    port: int(env, 'PORT', 8080),
    host: str(env, 'HOST', '0.0.0.0'),
    logLevel: str(env, 'LOG_LEVEL', 'info'),
    dataDir,
    trustProxy: bool(env, 'TRUST_PROXY', false),
    publicBaseUrl: opt(env, 'PUBLIC_BASE_URL')?.replace(/\/+$/, ''),
    versions: { version: `privacyIDEA ${versionnumber}`, versionnumber },
    db: {
      type: dbType === 'sqlite' ? 'sqlite' : dbType === 'mariadb' ? 'mariadb' : 'mysql',
      path: dbPath === ':memory:' || isAbsolute(dbPath) ? dbPath : resolve(dbPath),
      url: opt(env, 'DB_URL'),
      host: str(env, 'DB_HOST', '127.0.0.1'),
      port: int(env, 'DB_PORT', 3306),
      username: str(env, 'DB_USER', 'root'),
      password: str(env, 'DB_PASSWORD', ''),
      database: str(env, 'DB_NAME', 'mfa'),
      poolSize: int(env, 'DB_POOL_SIZE', 10, 1),
      migrationsRun: bool(env, 'DB_MIGRATIONS_RUN', true),
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
    },
    pinHash: {
      memoryCost: int(env, 'PIN_HASH_MEMORY_KIB', 19456, 1024),
      timeCost: int(env, 'PIN_HASH_TIME_COST', 2, 1),
      parallelism: int(env, 'PIN_HASH_PARALLELISM', 1, 1),
    },
    users: {
      defaultRealm,
      realms: list(env, 'REALMS', [defaultRealm]),
      splitAtSign: bool(env, 'SPLIT_AT_SIGN', true),
    },
    tokens: {
      otplen: int(env, 'DEFAULT_OTP_LEN', 6, 1),
      countWindow: int(env, 'DEFAULT_COUNT_WINDOW', 10, 1),
      syncWindow: int(env, 'DEFAULT_SYNC_WINDOW', 1000, 1),
      maxFail: int(env, 'DEFAULT_MAX_FAILCOUNT', 10, 1),
      serialLength: int(env, 'SERIAL_LENGTH', 8, 4),
      prependPin: bool(env, 'PREPEND_PIN', true),
      incFailCountOnFalsePin: bool(env, 'INC_FAIL_COUNT_ON_FALSE_PIN', true),
      otppinMode,
      failcounterClearTimeout: int(env, 'FAILCOUNTER_CLEAR_TIMEOUT', 0),
      noAuthCounter: bool(env, 'NO_AUTH_COUNTER', false),
      totpTimeStep: int(env, 'TOTP_TIME_STEP', 30, 1),
      totpTimeWindow: int(env, 'TOTP_TIME_WINDOW', 180, 1),
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
    },
  };
}
