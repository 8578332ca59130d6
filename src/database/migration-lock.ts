import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { DataSource, Migration } from 'typeorm';

/** The lock's name on a MySQL/MariaDB server (GET_LOCK is per server: the database is part of it). */
function mysqlLockName(ds: DataSource): string {
  const db = String(ds.driver.database ?? 'mfa');
  return `mfa_migrations:${db}`.slice(0, 64);
}

function timeoutError(timeoutSec: number): Error {
  return new Error(
    `another process held the migration lock for more than ${timeoutSec} s (MIGRATION_LOCK_TIMEOUT); no migration was run`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/** An exclusive lock file next to the SQLite file; a lock left by a dead process is taken over. */
async function withSqliteLock<T>(path: string, timeoutSec: number, fn: () => Promise<T>) {
  if (path === ':memory:') return fn();
  const lockPath = `${path}.migrate-lock`;
  const deadline = Date.now() + timeoutSec * 1000;
  for (;;) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lockPath, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        try {
          unlinkSync(lockPath);
        } catch {
          /* someone else took it over */
        }
        continue;
      }
      if (Date.now() >= deadline) throw timeoutError(timeoutSec);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs pending migrations under a database-wide lock, so any number of replicas (or init
 * containers) may start at once: MySQL/MariaDB GET_LOCK held on one connection for the whole run,
 * a lock file beside the SQLite file. Waits at most `timeoutSec`, then fails with one line.
 */
export async function runMigrationsLocked(
  ds: DataSource,
  timeoutSec: number,
): Promise<Migration[]> {
  const run = () => ds.runMigrations({ transaction: 'each' });
  if (ds.options.type === 'better-sqlite3') {
    return withSqliteLock(String(ds.options.database), timeoutSec, run);
  }
  const qr = ds.createQueryRunner();
  await qr.connect();
  const name = mysqlLockName(ds);
  try {
    const rows = (await qr.query('SELECT GET_LOCK(?, ?) AS l', [name, timeoutSec])) as {
      l: number | string | null;
    }[];
    if (Number(rows[0]?.l) !== 1) throw timeoutError(timeoutSec);
    try {
      return await run();
    } finally {
      await qr.query('SELECT RELEASE_LOCK(?)', [name]);
    }
  } finally {
    await qr.release();
  }
}
