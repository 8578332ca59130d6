import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { Challenge } from '../challenge/entities/challenge.entity';
import type { DbConfig } from '../config/app-config';
import { TokenInfo } from '../token-data/entities/token-info.entity';
import { TokenRealm } from '../token-data/entities/token-realm.entity';
import { Token } from '../token-data/entities/token.entity';
import { InitialSchema1763800000000 } from './migrations/1763800000000-InitialSchema';
import { TokenTypeIndex1763900000000 } from './migrations/1763900000000-TokenTypeIndex';

export const ENTITIES = [Token, TokenInfo, TokenRealm, Challenge];
export const MIGRATIONS = [InitialSchema1763800000000, TokenTypeIndex1763900000000];

/**
 * The SQLite file holds PIN hashes and sealed keys: its folder is created 0700 and the file 0600
 * (SQLite gives its -wal and -shm files the database file's mode). Existing paths are left alone.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

/** Pure mapping from configuration to TypeORM options; shared by the app and the migration CLI. */
export function buildDataSourceOptions(db: DbConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: db.migrationsRun,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: db.logging,
  };
  if (db.type === 'sqlite') {
    if (db.path !== ':memory:') createPrivateFile(db.path);
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.path,
      prepareDatabase: (conn: { pragma(s: string): unknown }) => {
        // WAL lets readers proceed during writes; NORMAL sync is durable across app crashes.
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
      },
    };
  }
  return {
    ...common,
    type: db.type,
    ...(db.url
      ? { url: db.url }
      : {
          host: db.host,
          port: db.port,
          username: db.username,
          password: db.password,
          database: db.database,
        }),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    poolSize: db.poolSize,
    extra: { connectionLimit: db.poolSize, queueLimit: 1000, connectTimeout: 10000 },
  };
}

/** Connection errors worth another attempt: the server (or its name) is not up yet. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
]);

/** host:port of the MySQL server, without credentials (for log lines). */
export function databaseAddress(db: DbConfig): string {
  if (db.url) {
    try {
      const url = new URL(db.url);
      return `${url.hostname}:${url.port || 3306}`;
    } catch {
      return 'DB_URL';
    }
  }
  return `${db.host}:${db.port}`;
}

/**
 * detectMysqlFlavour, retried while the server cannot be reached: one warning line per retry,
 * `retries` retries `delayMs` apart, then one error naming the server. Other errors (access
 * denied, unknown database) fail at once.
 */
export async function reachMysql(
  db: DbConfig,
  warn: (message: string) => void,
  delayMs = 2000,
): Promise<DbConfig> {
  if (db.type === 'sqlite') return db;
  const where = databaseAddress(db);
  for (let attempt = 0; ; attempt++) {
    try {
      return await detectMysqlFlavour(db);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      const reason = err.message ?? String(e);
      if (!UNREACHABLE.has(err.code ?? '')) {
        throw new Error(`database at ${where} refused the connection: ${reason}`);
      }
      if (attempt >= db.connectRetries) {
        throw new Error(
          `database at ${where} not reachable after ${attempt + 1} attempts (${err.code}): ${reason}`,
        );
      }
      warn(
        `database at ${where} not reachable (${err.code}); retry ${attempt + 1} of ${db.connectRetries} in ${delayMs / 1000} s`,
      );
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/** Which server DB_TYPE=mysql points at: MariaDB needs TypeORM's 'mariadb' dialect for schema reads. */
export async function detectMysqlFlavour(db: DbConfig): Promise<DbConfig> {
  if (db.type !== 'mysql') return db;
  const { createConnection } = await import('mysql2/promise');
  const conn = db.url
    ? await createConnection(db.url)
    : await createConnection({
        host: db.host,
        port: db.port,
        user: db.username,
        password: db.password,
      });
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    const version = String((rows as { v: string }[])[0]?.v ?? '');
    return version.toLowerCase().includes('mariadb') ? { ...db, type: 'mariadb' } : db;
  } finally {
    await conn.end();
  }
}
