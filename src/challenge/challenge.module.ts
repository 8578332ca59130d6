import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChallengeJanitor } from './challenge-janitor';
import { ChallengeWaiter } from './challenge-waiter';
import { ChallengeService } from './challenge.service';
import { Challenge } from './entities/challenge.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Challenge])],
  providers: [ChallengeService, ChallengeJanitor, ChallengeWaiter],
  exports: [ChallengeService, ChallengeJanitor, ChallengeWaiter],
})
export class ChallengeModule {}
