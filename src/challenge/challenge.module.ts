import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChallengeJanitor } from './challenge-janitor';
import { ChallengeService } from './challenge.service';
import { Challenge } from './entities/challenge.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Challenge])],
  providers: [ChallengeService, ChallengeJanitor],
  exports: [ChallengeService, ChallengeJanitor],
})
export class ChallengeModule {}
