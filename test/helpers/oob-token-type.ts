import { Injectable, Module } from '@nestjs/common';
import { ChallengeService } from '../../src/challenge/challenge.service';
import { ChallengeModule } from '../../src/challenge/challenge.module';
import type { Challenge } from '../../src/challenge/entities/challenge.entity';
import { ParameterError } from '../../src/common/errors';
import { BaseTokenType } from '../../src/token-types/base-token-type';
import type { TokenRecord } from '../../src/token-data/token-record';
import { TokenType } from '../../src/token-types/token-type.decorator';
import type {
  ChallengeCheck,
  ChallengeContext,
  ChallengeSpec,
  InitContext,
  TtypeReply,
  TtypeRequest,
} from '../../src/token-types/token-type.interface';

/**
 * A minimal out-of-band token type, registered only in tests: the "phone" confirms through
 * /ttype/testoob, the relying party polls and finalizes — the flow TiQR and Push use. It is also
 * the proof that a new type is one provider and nothing else.
 */
@TokenType({ type: 'testoob', prefix: 'TOOB', description: 'test out-of-band token' })
@Injectable()
export class TestOobTokenType extends BaseTokenType {
  override readonly clientMode = 'poll' as const;
  override readonly challengeMode = 'always' as const;
  override readonly outOfBand = true;

  constructor(private readonly challenges: ChallengeService) {
    super();
  }

  init(_ctx: InitContext): Promise<Record<string, unknown>> {
    return Promise.resolve({});
  }

  override createChallenge(_ctx: ChallengeContext): Promise<ChallengeSpec> {
    return Promise.resolve({
      message: 'Please confirm on your device',
      challenge: 'nonce',
      attributes: { hideResponseInput: true },
    });
  }

  override checkChallengeResponse(_t: TokenRecord, _pass: string, row: Challenge): ChallengeCheck {
    return row.otpValid ? { matched: true } : { matched: false };
  }

  async ttype(req: TtypeRequest): Promise<TtypeReply> {
    const tid = req.params.required('transaction_id', { identifier: true, maxLength: 64 });
    const serial = req.params.required('serial', { identifier: true, maxLength: 40 });
    const rows = (await this.challenges.forTokenAndTransaction(serial, tid)).filter((r) =>
      ChallengeService.isValid(r),
    );
    if (rows.length === 0) throw new ParameterError('no such challenge');
    const decline = req.params.bool('decline');
    const ok = decline
      ? await this.challenges.markRefused(rows[0].id, 'challenge_declined')
      : await this.challenges.markAnswered(rows[0].id);
    return { kind: 'text', body: ok ? 'OK' : 'INVALID_CHALLENGE' };
  }
}

@Module({ imports: [ChallengeModule], providers: [TestOobTokenType] })
export class TestOobModule {}
