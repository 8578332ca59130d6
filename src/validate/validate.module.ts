import { Module } from '@nestjs/common';
import { ChallengeModule } from '../challenge/challenge.module';
import { TokenDataModule } from '../token-data/token-data.module';
import { TokenTypesModule } from '../token-types/token-types.module';
import { ChallengeIssuer } from './challenge-issuer';
import { PinPolicy } from './pin-policy';
import { TokenAuthenticator } from './token-authenticator';
import { ValidateController } from './validate.controller';
import { ValidateService } from './validate.service';

@Module({
  imports: [TokenDataModule, TokenTypesModule, ChallengeModule],
  controllers: [ValidateController],
  providers: [ValidateService, TokenAuthenticator, ChallengeIssuer, PinPolicy],
  exports: [ChallengeIssuer, PinPolicy],
})
export class ValidateModule {}
