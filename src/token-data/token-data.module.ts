import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TokenInfo } from './entities/token-info.entity';
import { TokenRealm } from './entities/token-realm.entity';
import { Token } from './entities/token.entity';
import { LegacySecretsUpgrade } from './legacy-secrets.upgrade';
import { TokenSecrets } from './token-secrets';
import { TokenStore } from './token.store';

export const TOKEN_ENTITIES = TypeOrmModule.forFeature([Token, TokenInfo, TokenRealm]);

/** Token persistence shared by the management, validation and token-type code. */
@Module({
  imports: [TOKEN_ENTITIES],
  providers: [TokenStore, TokenSecrets, LegacySecretsUpgrade],
  exports: [TOKEN_ENTITIES, TokenStore, TokenSecrets],
})
export class TokenDataModule {}
