import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChallengeModule } from '../challenge/challenge.module';
import { TokenDataModule } from '../token-data/token-data.module';
import { HotpTokenType } from './hotp/hotp.token-type';
import { OcraTokenType } from './ocra/ocra.token-type';
import { PushAppRequests } from './push/push-app-requests';
import { PushDelivery } from './push/push-delivery';
import { PushEnrollment } from './push/push-enrollment';
import { PushKeys } from './push/push-keys';
import { PushTokenType } from './push/push.token-type';
import { TiqrEnrollment } from './tiqr/tiqr-enrollment';
import { TiqrLogin } from './tiqr/tiqr-login';
import { TiqrTokenType } from './tiqr/tiqr.token-type';
import { TokenTypeRegistry } from './token-type.registry';
import { TotpTokenType } from './totp/totp.token-type';

/** The built-in token types. A new type is one provider here, carrying @TokenType. */
export const BUILTIN_TOKEN_TYPES = [
  HotpTokenType,
  TotpTokenType,
  OcraTokenType,
  TiqrTokenType,
  PushTokenType,
];

/** Parts of token types that are not types themselves (app endpoints). */
const TOKEN_TYPE_PARTS = [
  TiqrEnrollment,
  TiqrLogin,
  PushEnrollment,
  PushAppRequests,
  PushDelivery,
  PushKeys,
];

@Module({
  imports: [DiscoveryModule, ChallengeModule, TokenDataModule],
  providers: [TokenTypeRegistry, ...BUILTIN_TOKEN_TYPES, ...TOKEN_TYPE_PARTS],
  exports: [TokenTypeRegistry, PushDelivery],
})
export class TokenTypesModule {}
