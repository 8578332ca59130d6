import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { ChallengeModule } from './challenge/challenge.module';
import { CommonModule } from './common/common.module';
import { PiExceptionFilter } from './common/pi-exception.filter';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { SecurityModule } from './security/security.module';
import { StaticModule } from './static/static.module';
import { TokenModule } from './token/token.module';
import { TokenImportModule } from './token-import/token-import.module';
import { TtypeModule } from './ttype/ttype.module';
import { ValidateModule } from './validate/validate.module';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    CommonModule,
    SecurityModule,
    DatabaseModule,
    AuthModule,
    ChallengeModule,
    TokenImportModule,
    TokenModule,
    ValidateModule,
    TtypeModule,
    HealthModule,
    StaticModule,
    DemoModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: PiExceptionFilter }],
})
export class AppModule {}
