import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppConfig, collectProblems, problem } from './app-config';

export interface KeyMaterial {
  /** 32-byte AES-256-GCM key for secrets at rest. */
  encryptionKey: Buffer;
  /** HS256 secret for management JWTs, if HS256 is enabled. */
  jwtSecret?: Buffer;
}

type Warn = (message: string) => void;

/** Stands in for a key that could not be read while problems are collected (never used). */
const NO_KEY = Buffer.alloc(32);

function decodeKey(text: string, source: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) {
    return problem(`${source} must hold 32 bytes as 64 hex digits or base64`, NO_KEY);
  }
  return key;
}

/** A key file's text; an unreadable file is a problem naming the variable, not a stack trace. */
function readKeyFile(path: string, variable: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return problem(`${variable} names a file that cannot be read (${code}): ${path}`, undefined);
  }
}

function generatedFile(path: string, what: string, warn: Warn): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  // The data folder holds keys and the SQLite database: private to the service's user.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('hex');
  writeFileSync(path, value + '\n', { mode: 0o600, flag: 'wx' });
  warn(`Generated a new ${what} in ${path}; back it up, and set it explicitly in production.`);
  return value;
}

/**
 * Resolves the encryption key and the JWT secret. On the embedded SQLite default missing values
 * are generated into the data folder so a fresh checkout starts without configuration; with a
 * production database the service refuses to start instead. Every problem is reported at once.
 * `generate: false` only checks (start-up checks before the application is built).
 */
export function resolveKeyMaterial(
  config: AppConfig,
  warn: Warn,
  opts: { generate?: boolean } = {},
): KeyMaterial {
  return collectProblems(() => keyMaterial(config, warn, opts.generate ?? true));
}

function keyMaterial(config: AppConfig, warn: Warn, generate: boolean): KeyMaterial {
  const embedded = config.db.type === 'sqlite';
  let encryptionKey: Buffer = NO_KEY;
  if (config.secrets.encryptionKey) {
    encryptionKey = decodeKey(config.secrets.encryptionKey, 'ENCRYPTION_KEY');
  } else if (config.secrets.encryptionKeyFile) {
    const text = readKeyFile(config.secrets.encryptionKeyFile, 'ENCRYPTION_KEY_FILE');
    if (text !== undefined) encryptionKey = decodeKey(text, 'ENCRYPTION_KEY_FILE');
  } else if (!embedded) {
    problem(
      'ENCRYPTION_KEY or ENCRYPTION_KEY_FILE must be set with a MySQL/MariaDB database',
      undefined,
    );
  } else if (generate) {
    const path = join(config.dataDir, 'encryption.key');
    encryptionKey = decodeKey(generatedFile(path, 'encryption key', warn), path);
  }

  let jwtSecret: Buffer | undefined;
  let jwtSource = 'AUTH_JWT_SECRET';
  if (config.auth.jwtSecret) {
    jwtSecret = Buffer.from(config.auth.jwtSecret, 'utf8');
  } else if (config.auth.jwtSecretFile) {
    jwtSource = 'AUTH_JWT_SECRET_FILE';
    const text = readKeyFile(config.auth.jwtSecretFile, jwtSource);
    if (text !== undefined) jwtSecret = Buffer.from(text.trim(), 'utf8');
  } else if (!config.auth.jwksUrl) {
    if (!embedded) {
      problem('AUTH_JWT_SECRET or AUTH_JWKS_URL must be set with a MySQL/MariaDB database', 0);
    } else if (generate) {
      const path = join(config.dataDir, 'jwt.secret');
      jwtSecret = Buffer.from(generatedFile(path, 'JWT signing secret', warn).trim(), 'utf8');
    }
  }
  if (jwtSecret && jwtSecret.length < 32) {
    problem(
      `${jwtSource} must be at least 32 bytes long, got ${jwtSecret.length} bytes`,
      undefined,
    );
  }
  checkJwksAudience(config);
  return { encryptionKey, jwtSecret };
}

/**
 * A gateway's JWKS usually signs tokens for many services; without an audience check any of them
 * with a `role` claim would manage tokens here. The operator must name our audience or opt out.
 */
export function checkJwksAudience(config: AppConfig): void {
  const { jwksUrl, audience, allowAnyAudience } = config.auth;
  if (jwksUrl && !audience && !allowAnyAudience) {
    problem(
      'AUTH_JWT_AUDIENCE must be set with AUTH_JWKS_URL (tokens from the gateway for other ' +
        'services would be accepted otherwise); set AUTH_JWT_ALLOW_ANY_AUDIENCE=true to accept any audience',
      undefined,
    );
  }
}
