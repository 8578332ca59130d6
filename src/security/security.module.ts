import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, KEY_MATERIAL } from '../config/config.module';
import { KeyMaterial } from '../config/key-material';
import { SecretBox } from '../crypto/secret-box';
import { BoundedSlots } from './bounded-slots';
import { PinHasher } from './pin-hasher';

@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [KEY_MATERIAL],
      useFactory: (keys: KeyMaterial) => new SecretBox(keys.encryptionKey),
    },
    {
      provide: PinHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PinHasher(
          config.pinHash,
          new BoundedSlots(config.limits.pinHashConcurrency, config.limits.pinHashQueueMax),
        ),
    },
  ],
  exports: [SecretBox, PinHasher],
})
export class SecurityModule {}
