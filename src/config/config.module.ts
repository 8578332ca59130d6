import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config';
import { resolveKeyMaterial } from './key-material';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const KEY_MATERIAL = Symbol('KEY_MATERIAL');

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig(process.env) },
    {
      provide: KEY_MATERIAL,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('KeyMaterial');
        return resolveKeyMaterial(config, (m) => logger.warn(m));
      },
    },
  ],
  exports: [APP_CONFIG, KEY_MATERIAL],
})
export class ConfigModule {}
