import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollHotp, isMysql, startTestApp } from '../helpers/test-app';

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * The SQLite database holds PIN hashes and sealed OTP keys, the data folder the generated keys
 * (issue 7, point 16): a fresh start creates the folders 0700 and the files 0600.
 */
(isMysql() ? describe.skip : describe)('file permissions of a fresh SQLite start', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mfa-perm-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates the data folder 0700, the database and the generated keys 0600', async () => {
    const dataDir = join(root, 'data');
    const dbPath = join(dataDir, 'mfa.sqlite');
    // No key material configured: the embedded default generates it into the data folder.
    const t = await startTestApp({
      DATA_DIR: dataDir,
      DB_PATH: dbPath,
      ENCRYPTION_KEY: '',
      AUTH_JWT_SECRET: '',
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(dbPath)).toBe(0o600);
      expect(mode(join(dataDir, 'encryption.key'))).toBe(0o600);
      expect(mode(join(dataDir, 'jwt.secret'))).toBe(0o600);
      // Writes create the WAL files; SQLite gives them the database's mode.
      const res = await t.http().get('/healthz');
      expect(res.status).toBeLessThan(500);
      for (const suffix of ['-wal', '-shm']) {
        if (existsSync(dbPath + suffix)) expect(mode(dbPath + suffix)).toBe(0o600);
      }
    } finally {
      await t.close();
    }
  });

  it('creates a database folder outside the data folder 0700 as well', async () => {
    const dbDir = join(root, 'db', 'nested');
    const dbPath = join(dbDir, 'tokens.sqlite');
    const t = await startTestApp({ DATA_DIR: join(root, 'data2'), DB_PATH: dbPath });
    try {
      await enrollHotp(t, { serial: 'PERM-1' });
      expect(mode(join(root, 'db'))).toBe(0o700);
      expect(mode(dbDir)).toBe(0o700);
      expect(mode(dbPath)).toBe(0o600);
      expect(mode(`${dbPath}-wal`)).toBe(0o600);
    } finally {
      await t.close();
    }
  });
});
