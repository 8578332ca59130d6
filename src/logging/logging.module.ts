import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

const PINO_LEVELS: Record<string, string> = { log: 'info', verbose: 'trace' };

/**
 * Structured JSON logs through pino for the application's own messages. No per-request lines:
 * requests carry passwords and OTPs (GET /validate/check puts them in the URL), and the hot path
 * stays quiet. Credentials are redacted should a request object ever be logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: PINO_LEVELS[config.logLevel] ?? config.logLevel,
          autoLogging: false,
          redact: {
            paths: [
              'req.headers.authorization',
              'req.headers["pi-authorization"]',
              'req.url',
              'req.query',
            ],
            censor: '[redacted]',
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
