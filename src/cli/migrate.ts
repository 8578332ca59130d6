import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { loadDotEnv } from '../config/dotenv';
import { buildDataSourceOptions, detectMysqlFlavour } from '../database/data-source-options';
import { runMigrationsLocked } from '../database/migration-lock';

/**
 * Runs pending migrations and exits: the container's first step, or a Kubernetes init container.
 * Several may start at once: the run holds a database-wide lock (MIGRATION_LOCK_TIMEOUT).
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const options = buildDataSourceOptions(await detectMysqlFlavour(config.db));
  const ds = new DataSource({ ...options, migrationsRun: false });
  await ds.initialize();
  try {
    const ran = await runMigrationsLocked(ds, config.db.migrationLockTimeout);
    console.log(
      ran.length ? `applied: ${ran.map((m) => m.name).join(', ')}` : 'schema is up to date',
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(`migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
