import type { Challenge } from '../challenge/entities/challenge.entity';
import type { TokenRecord } from '../token-data/token-record';
import type {
  ChallengeCheck,
  ChallengeContext,
  ChallengeSpec,
  InitContext,
  OtpMatch,
  TokenTypeHandler,
} from './token-type.interface';

/** Defaults of privacyIDEA's TokenClass; token types override what they do differently. */
export abstract class BaseTokenType implements TokenTypeHandler {
  readonly clientMode: 'interactive' | 'poll' = 'interactive';
  readonly challengeMode: 'policy' | 'always' = 'policy';
  readonly outOfBand: boolean = false;

  abstract init(ctx: InitContext): Promise<Record<string, unknown>>;

  checkOtp(_token: TokenRecord, _otp: string): OtpMatch | null {
    return null;
  }

  isPreviousOtp(_token: TokenRecord, _otp: string): boolean {
    return false;
  }

  /** Types without resync answer false (tokenclass.md §14, Proposed). */
  resync(_token: TokenRecord, _otp1: string, _otp2: string): OtpMatch | null {
    return null;
  }

  createChallenge(ctx: ChallengeContext): Promise<ChallengeSpec> {
    return Promise.resolve({
      message: 'please enter otp: ',
      challenge: ctx.options.optional('challenge', { maxLength: 1024 }) ?? '',
    });
  }

  /** HOTP/TOTP ignore the stored question: any current OTP answers the challenge. */
  checkChallengeResponse(token: TokenRecord, pass: string, _challenge: Challenge): ChallengeCheck {
    const otp = this.checkOtp(token, pass);
    return otp ? { matched: true, otp } : { matched: false };
  }
}
