import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { buildDataSourceOptions, reachMysql } from './data-source-options';
import { runMigrationsLocked } from './migration-lock';
import { SqlRunner } from './sql-runner';
import { TransactionRunner } from './transaction-runner';

/** Options whose DataSource runs pending migrations at start, with the lock timeout in seconds. */
const migrateAtStart = new WeakMap<object, number>();

/** The TypeORM connection and the transaction runner, global: every feature module uses them. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Database');
        const options = {
          ...buildDataSourceOptions(await reachMysql(config.db, (m) => logger.warn(m))),
          // DB_MIGRATIONS_RUN runs in dataSourceFactory, under the migration lock (replicas may
          // start together), not through TypeORM's unlocked migrationsRun.
          migrationsRun: false,
          // Reachability is retried above (one line per retry); anything later fails the start
          // at once with its own message instead of a stack per attempt.
          toRetry: () => false,
        };
        if (config.db.migrationsRun) migrateAtStart.set(options, config.db.migrationLockTimeout);
        return options;
      },
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('no database options');
        const ds = await new DataSource(options).initialize();
        const timeout = migrateAtStart.get(options);
        if (timeout !== undefined) {
          try {
            await runMigrationsLocked(ds, timeout);
          } catch (e) {
            await ds.destroy();
            throw e;
          }
        }
        return ds;
      },
    }),
  ],
  providers: [TransactionRunner, SqlRunner],
  exports: [TransactionRunner, SqlRunner],
})
export class DatabaseModule {}
