import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { ChallengeService, PollStatus } from '../challenge/challenge.service';
import type { Detail } from '../common/envelope';
import {
  MissingParameterError,
  ParameterError,
  PolicyError,
  ResourceNotFoundError,
} from '../common/errors';
import { isTrue } from '../common/params/param-reader';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TokenStore } from '../token-data/token.store';
import type { TokenRecord } from '../token-data/token-record';
import { resolveUser } from '../users/user-ref';
import { ChallengeIssuer } from './challenge-issuer';
import type { CheckDto } from './dto/check.dto';
import type { TriggerChallengeDto } from './dto/trigger.dto';
import { TokenAuthenticator } from './token-authenticator';

export interface AuthAnswer {
  value: unknown;
  detail: Detail;
}

/** The /validate/* use cases: find the candidate tokens, then let the authenticator decide. */
@Injectable()
export class ValidateService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TokenStore,
    private readonly authenticator: TokenAuthenticator,
    private readonly issuer: ChallengeIssuer,
    private readonly challenges: ChallengeService,
  ) {}

  async check(dto: CheckDto, baseUrl: string, signal?: AbortSignal): Promise<AuthAnswer> {
    const transactionId = dto.transaction_id ?? dto.state;
    const pass = dto.pass ?? (transactionId !== undefined ? '' : undefined);
    if (pass === undefined) throw new MissingParameterError('pass');
    const tokens = await this.candidates(dto.user, dto.realm, dto.serial, 'validate');
    if (tokens === 'no-tokens') {
      return { value: false, detail: { message: 'The user has no tokens assigned' } };
    }
    const filtered = dto.type ? tokens.filter((t) => t.type === dto.type!.toLowerCase()) : tokens;
    const otpOnly = this.otpOnly(dto);
    const outcome = await this.authenticator.check(filtered, {
      pass,
      transactionId,
      otpOnly,
      options: dto.params,
      baseUrl,
      signal,
    });
    if (!outcome.success && otpOnly && !outcome.detail.multi_challenge) {
      outcome.detail.message = 'OTP verification failed.';
    }
    return { value: outcome.success, detail: outcome.detail };
  }

  /**
   * otponly=1 skips the PIN: one factor. Only an operator can allow it (OTPONLY_ALLOWED), and only
   * the validated DTO field counts, never a value that bypassed validation.
   */
  private otpOnly(dto: CheckDto): boolean {
    if (!isTrue(dto.otponly)) return false;
    if (!this.config.tokens.otpOnlyAllowed) {
      throw new PolicyError('otponly is not allowed on this server (OTPONLY_ALLOWED)');
    }
    return dto.serial !== undefined;
  }

  /** Challenges for all active challenge-capable tokens, without PIN (admin only). */
  async triggerChallenge(
    dto: TriggerChallengeDto,
    _admin: Principal,
    baseUrl: string,
  ): Promise<AuthAnswer> {
    const found = await this.candidates(dto.user, dto.realm, dto.serial, 'validate');
    const tokens = (found === 'no-tokens' ? [] : found).filter(
      (t) =>
        t.row.active &&
        !t.row.revoked &&
        !t.row.locked &&
        (dto.type === undefined || t.type === dto.type.toLowerCase()),
    );
    if (tokens.length === 0) {
      return { value: 0, detail: { messages: [], transaction_ids: [], multi_challenge: [] } };
    }
    const detail = await this.issuer.issue(tokens, dto.params, baseUrl, { trusted: true });
    return { value: (detail.multi_challenge as unknown[]).length, detail };
  }

  async pollTransaction(transactionId: string): Promise<AuthAnswer> {
    const status: PollStatus =
      transactionId.length > 64 ? 'pending' : await this.challenges.pollStatus(transactionId);
    return { value: status === 'accept', detail: { challenge_status: status } };
  }

  private async candidates(
    user: string | undefined,
    realm: string | undefined,
    serial: string | undefined,
    kind: 'validate',
  ): Promise<TokenRecord[] | 'no-tokens'> {
    if (user === undefined && serial === undefined) {
      throw new ParameterError('You need to specify a serial, user or credential_id.');
    }
    const owner =
      user !== undefined ? resolveUser(user, realm, this.config.users, kind) : undefined;
    if (serial !== undefined) {
      const token = await this.store.findBySerial(serial);
      if (!token) throw new ResourceNotFoundError();
      if (owner && (token.row.userLogin !== owner.login || token.row.userRealm !== owner.realm)) {
        throw new ParameterError('Given serial does not belong to given user!');
      }
      return [token];
    }
    const tokens = await this.store.findByOwner(owner!);
    return tokens.length === 0 ? 'no-tokens' : tokens;
  }
}
