import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { buildDataSourceOptions, detectMysqlFlavour } from './data-source-options';
import { SqlRunner } from './sql-runner';
import { TransactionRunner } from './transaction-runner';

/** The TypeORM connection and the transaction runner, global: every feature module uses them. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => ({
        ...buildDataSourceOptions(await detectMysqlFlavour(config.db)),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [TransactionRunner, SqlRunner],
  exports: [TransactionRunner, SqlRunner],
})
export class DatabaseModule {}
