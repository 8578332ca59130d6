import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { isMysql } from '../helpers/test-app';

const ROOT = join(__dirname, '..', '..');
const TS_NODE = join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const MIGRATE = join(ROOT, 'src', 'cli', 'migrate.ts');
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
const TABLES = ['challenge', 'migrations', 'token', 'tokeninfo', 'tokenrealm'];
const MIGRATIONS = ['InitialSchema1763800000000', 'TokenTypeIndex1763900000000'];

interface Run {
  code: number | null;
  output: string;
}

/** `migrate` as the container runs it (from source), with only the given environment. */
function migrate(env: Record<string, string>, cwd: string): Promise<Run> {
  const child = spawn(process.execPath, [TS_NODE, '--transpile-only', MIGRATE], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      ENCRYPTION_KEY: '0f'.repeat(32),
      AUTH_JWT_SECRET: 's'.repeat(40),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe('migrations started by several replicas at once', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'mfa-migr-lock-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  (isMysql() ? it : it.skip)(
    'three migrators on a fresh MariaDB/MySQL database, five rounds: all exit 0, each migration once',
    async () => {
      const admin = await createConnection(MYSQL_URL);
      const name = `migr_lock_${randomBytes(4).toString('hex')}`;
      try {
        for (let round = 0; round < 5; round++) {
          await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await admin.query(
            `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
          );
          const env = { DB_TYPE: 'mysql', DB_URL: `${MYSQL_URL}/${name}` };
          const runs = await Promise.all([1, 2, 3].map(() => migrate(env, dir)));
          expect(runs.map((r) => [r.code, r.output.includes('migration failed')])).toEqual([
            [0, false],
            [0, false],
            [0, false],
          ]);
          const [tables] = await admin.query(
            'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY 1',
            [name],
          );
          expect((tables as { t: string }[]).map((r) => r.t)).toEqual(TABLES);
          const [done] = await admin.query(
            `SELECT name FROM \`${name}\`.migrations ORDER BY timestamp`,
          );
          expect((done as { name: string }[]).map((r) => r.name)).toEqual(MIGRATIONS);
          const [index] = await admin.query(
            'SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = ? AND index_name = ?',
            [name, 'ix_token_tokentype'],
          );
          expect(Number((index as { n: number }[])[0].n)).toBeGreaterThan(0);
        }
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      }
    },
    240000,
  );

  (isMysql() ? it : it.skip)(
    'a lock held past MIGRATION_LOCK_TIMEOUT: exit 1 with one line, nothing migrated',
    async () => {
      const admin = await createConnection(MYSQL_URL);
      const name = `migr_lock_${randomBytes(4).toString('hex')}`;
      try {
        await admin.query(`CREATE DATABASE \`${name}\``);
        await admin.query('SELECT GET_LOCK(?, 5)', [`mfa_migrations:${name}`]);
        const env = {
          DB_TYPE: 'mysql',
          DB_URL: `${MYSQL_URL}/${name}`,
          MIGRATION_LOCK_TIMEOUT: '1',
        };
        const run = await migrate(env, dir);
        expect(run.code).toBe(1);
        expect(run.output.trim()).toBe(
          'migration failed: another process held the migration lock for more than 1 s (MIGRATION_LOCK_TIMEOUT); no migration was run',
        );
        const [tables] = await admin.query(
          'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?',
          [name],
        );
        expect(Number((tables as { n: number }[])[0].n)).toBe(0);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await admin.end();
      }
    },
    60000,
  );

  (isMysql() ? it.skip : it)(
    'three migrators on one fresh SQLite file, two rounds: all exit 0, each migration once',
    async () => {
      for (let round = 0; round < 2; round++) {
        const path = join(dir, `round${round}.sqlite`);
        const env = { DB_TYPE: 'sqlite', DB_PATH: path };
        const runs = await Promise.all([1, 2, 3].map(() => migrate(env, dir)));
        expect(runs.map((r) => [r.code, r.output.includes('migration failed')])).toEqual([
          [0, false],
          [0, false],
          [0, false],
        ]);
        const db = await new DataSource({ type: 'better-sqlite3', database: path }).initialize();
        try {
          const tables = await db.query<{ name: string }[]>(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
          );
          expect(tables.map((r) => r.name).filter((n) => TABLES.includes(n))).toEqual(TABLES);
          const done = await db.query<{ name: string }[]>(
            'SELECT name FROM migrations ORDER BY timestamp',
          );
          expect(done.map((r) => r.name)).toEqual(MIGRATIONS);
        } finally {
          await db.destroy();
        }
      }
    },
    120000,
  );
});
