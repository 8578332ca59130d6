import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { buildDataSourceOptions, reachMysql } from './data-source-options';
import { SqlRunner } from './sql-runner';
import { TransactionRunner } from './transaction-runner';

/** The TypeORM connection and the transaction runner, global: every feature module uses them. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Database');
        return {
          ...buildDataSourceOptions(await reachMysql(config.db, (m) => logger.warn(m))),
          // Reachability is retried above (one line per retry); anything later fails the start
          // at once with its own message instead of a stack per attempt.
          toRetry: () => false,
        };
      },
    }),
  ],
  providers: [TransactionRunner, SqlRunner],
  exports: [TransactionRunner, SqlRunner],
})
export class DatabaseModule {}
