import { Module } from '@nestjs/common';
import { ChallengeController } from '../challenge/challenge.controller';
import { ChallengeModule } from '../challenge/challenge.module';
import { TokenTypesModule } from '../token-types/token-types.module';
import { TokenAccess } from './token-access';
import { TokenAdminService } from './token-admin.service';
import { TokenDataModule } from '../token-data/token-data.module';
import { TokenEnrollmentService } from './token-enrollment.service';
import { TokenQueryService } from './token-query.service';
import { TokenController } from './token.controller';

@Module({
  imports: [TokenDataModule, TokenTypesModule, ChallengeModule],
  // ChallengeController is registered first: /token/challenges/... must win over /token/:serial.
  controllers: [ChallengeController, TokenController],
  providers: [TokenAccess, TokenEnrollmentService, TokenAdminService, TokenQueryService],
  exports: [TokenAccess],
})
export class TokenModule {}
