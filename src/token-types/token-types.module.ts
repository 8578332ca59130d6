import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChallengeModule } from '../challenge/challenge.module';
import { TokenDataModule } from '../token-data/token-data.module';
import { HotpTokenType } from './hotp/hotp.token-type';
import { OcraTokenType } from './ocra/ocra.token-type';
import { TokenTypeRegistry } from './token-type.registry';
import { TotpTokenType } from './totp/totp.token-type';

/** The built-in token types. A new type is one provider here, carrying @TokenType. */
export const BUILTIN_TOKEN_TYPES = [HotpTokenType, TotpTokenType, OcraTokenType];

@Module({
  imports: [DiscoveryModule, ChallengeModule, TokenDataModule],
  providers: [TokenTypeRegistry, ...BUILTIN_TOKEN_TYPES],
  exports: [TokenTypeRegistry],
})
export class TokenTypesModule {}
