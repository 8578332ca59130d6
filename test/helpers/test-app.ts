import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { createApp } from '../../src/app.setup';
import { hotp } from '../../src/crypto/hotp';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
export const RFC_KEY = '3132333435363738393031323334353637383930';
/** RFC 4226 Appendix D OTPs for RFC_KEY, counters 0..9. */
export const RFC_OTPS = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

export const isMysql = () => (process.env.DB_TYPE ?? 'sqlite').toLowerCase() !== 'sqlite';

const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const MYSQL_DB = process.env.TEST_MYSQL_DATABASE ?? 'mfa_e2e';

/** A fresh, empty MySQL database for one test file (SQLite uses a new in-memory database). */
async function resetMysql(): Promise<void> {
  const conn = await createConnection(MYSQL_URL);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${MYSQL_DB}\``);
    await conn.query(
      `CREATE DATABASE \`${MYSQL_DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  http: () => ReturnType<typeof request>;
  admin: string;
  tokenFor(
    role: 'admin' | 'user',
    username: string,
    realm?: string,
    extra?: Record<string, unknown>,
  ): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the real application (same setup as production) on a random port, against a fresh
 * SQLite in-memory database or, with DB_TYPE=mysql, a fresh MariaDB/MySQL database.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  extraModules: Type[] = [],
  opts: { freshDatabase?: boolean } = {},
): Promise<TestApp> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: '00'.repeat(16) + '11'.repeat(16),
    PIN_HASH_MEMORY_KIB: '1024',
    PIN_HASH_TIME_COST: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATA_DIR: '/tmp/mfa-e2e-data',
    ...env,
  });
  if (isMysql()) {
    // A second replica on the same database passes freshDatabase: false.
    if (opts.freshDatabase !== false) await resetMysql();
    process.env.DB_TYPE = 'mysql';
    process.env.DB_URL = `${MYSQL_URL}/${MYSQL_DB}`;
  } else {
    process.env.DB_TYPE = 'sqlite';
    process.env.DB_PATH = env.DB_PATH ?? ':memory:';
  }
  let app: NestFastifyApplication;
  try {
    app = await createApp({ extraModules });
    await app.listen(0, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const tokenFor = (
    role: 'admin' | 'user',
    username: string,
    realm?: string,
    extra: Record<string, unknown> = {},
  ) =>
    new SignJWT({ role, username, ...(realm ? { realm } : {}), ...extra })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const admin = await tokenFor('admin', 'admin');
  return {
    app,
    url,
    http: () => request(url),
    admin,
    tokenFor,
    close: () => app.close(),
  };
}

export function otpAt(
  keyHex: string,
  counter: number,
  digits = 6,
  hash: 'sha1' | 'sha256' | 'sha512' = 'sha1',
) {
  return hotp(Buffer.from(keyHex, 'hex'), counter, digits, hash);
}

/** Enrolls an HOTP token with the RFC 4226 key and returns its serial. */
export async function enrollHotp(t: TestApp, fields: Record<string, string> = {}): Promise<string> {
  const res = await t
    .http()
    .post('/token/init')
    .set('Authorization', `Bearer ${t.admin}`)
    .type('form')
    .send({ type: 'hotp', otpkey: RFC_KEY, ...fields });
  if (res.status !== 200)
    throw new Error(`enroll failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.detail.serial as string;
}

export async function tokenInfo(t: TestApp, serial: string) {
  const res = await t.http().get('/token/').query({ serial }).set('Authorization', t.admin);
  return res.body.result.value.tokens[0];
}
