import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';

/**
 * `npm run test:mysql`: every run gets its own database (test-app recreates it per test file), so
 * concurrent runs on one server never share tables; mysql-global-teardown.ts drops it. A name
 * given in TEST_MYSQL_DATABASE is used as is and left in place.
 */
export default function setup(): void {
  if ((process.env.DB_TYPE ?? 'sqlite').toLowerCase() === 'sqlite') return;
  if (process.env.TEST_MYSQL_DATABASE) return;
  const name = `mfa_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  // Test files read it from the environment the workers inherit.
  process.env.TEST_MYSQL_DATABASE = name;
  process.env.TEST_MYSQL_DATABASE_GENERATED = name;
}

/** Drops the run's generated database (nothing else). */
export async function dropGeneratedDatabase(): Promise<void> {
  const name = process.env.TEST_MYSQL_DATABASE_GENERATED;
  if (!name || !/^mfa_e2e_[0-9a-z_]+$/.test(name)) return;
  const conn = await createConnection(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await conn.end();
  }
}
