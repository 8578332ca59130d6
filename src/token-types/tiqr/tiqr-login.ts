import { Inject, Injectable } from '@nestjs/common';
import { ChallengeService, REFUSAL_SESSIONS } from '../../challenge/challenge.service';
import type { Challenge } from '../../challenge/entities/challenge.entity';
import { PiError } from '../../common/errors';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { OcraSuite } from '../../crypto/ocra/ocra-suite';
import { failcounterClearDue, fitnessProblem } from '../../token-data/token-fitness';
import type { TokenRecord } from '../../token-data/token-record';
import { TokenSecrets } from '../../token-data/token-secrets';
import { TokenStore } from '../../token-data/token.store';
import type { TtypeReply, TtypeRequest } from '../token-type.interface';
import { TIQR_TYPE } from './tiqr-enrollment';
import { TiqrReply } from './tiqr-replies';
import { tiqrResponseMatches } from './tiqr-response';
import { tiqrIdentity } from './tiqr-urls';

const text = (body: string): TtypeReply => ({ kind: 'text', body });

interface Candidate {
  row: Challenge;
  token: TokenRecord;
}

/** A token that may not answer: disabled, revoked, locked, locked out, outside its validity. */
function blocked(token: TokenRecord): boolean {
  return token.row.revoked || token.row.locked || fitnessProblem(token) !== undefined;
}

/**
 * The app's login POST (tiqr.md §3.2). A correct answer marks the challenge answered with one
 * compare-and-set that also requires the token to be usable, so of any number of identical
 * answers one gets `OK`, and none after a lockout. A wrong answer is counted by the conditional
 * fail-counter reservation before it is answered, so at most maxfail are ever answered.
 */
@Injectable()
export class TiqrLogin {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly challenges: ChallengeService,
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
  ) {}

  async login(req: TtypeRequest): Promise<TtypeReply> {
    const { params } = req;
    const userId = params.required('userId', { maxLength: 512 });
    const sessionKey = params.required('sessionKey', { maxLength: 64, identifier: true });
    const response = params.required('response', { maxLength: 64 });
    const operation = params.required('operation', { maxLength: 32 });
    if (operation !== 'login') return text(TiqrReply.INVALID_REQUEST);

    const open = await this.openChallenges(sessionKey);
    if (open.length === 0) return text(TiqrReply.INVALID_CHALLENGE);
    const mine = open.filter((o) => userId === this.identityOf(o.token));
    if (mine.length === 0) return text(TiqrReply.INVALID_USERID);
    const usable: Candidate[] = [];
    for (const o of mine) {
      const token = await this.clearExpiredLockout(o.token);
      if (!blocked(token)) usable.push({ row: o.row, token });
    }
    if (usable.length === 0) return text(TiqrReply.ACCOUNT_BLOCKED);

    // A user with several TiQR tokens gets one QR code per token in the transaction; the phone
    // answers the one it holds the key for.
    for (const { row, token } of usable) {
      const key = this.keyOf(token);
      if (!key) continue;
      const suite = OcraSuite.parse(token.infoValue('ocrasuite') ?? this.config.tiqr.ocraSuite);
      if (!tiqrResponseMatches(suite, key, response, row.challenge)) continue;
      const grace = new Date(Date.now() + this.config.challenges.finalizeGrace * 1000);
      const extendTo = grace > row.expiration ? grace : undefined;
      if (await this.challenges.markAnswered(row.id, { extendTo, whileTokenUsable: true })) {
        return text(TiqrReply.OK);
      }
      const now = await this.store.findBySerial(token.serial);
      return text(!now || blocked(now) ? TiqrReply.ACCOUNT_BLOCKED : TiqrReply.INVALID_CHALLENGE);
    }
    // Wrong for every token: one failure, on the first one (the app shows its attempts left).
    const { token } = usable[0];
    const failcount = await this.store.reserveAttempt(token, { countAuth: false });
    if (failcount === undefined) return text(TiqrReply.ACCOUNT_BLOCKED);
    if (failcount === token.row.maxfail) await this.store.stampLockout(token.id);
    return text(TiqrReply.invalidResponse(token.row.maxfail - failcount));
  }

  /** The token's key; undefined when this service cannot open it (the token is then unusable). */
  private keyOf(token: TokenRecord): Buffer | undefined {
    try {
      return this.secrets.otpKey(token.row);
    } catch (e) {
      if (e instanceof PiError) return undefined;
      throw e;
    }
  }

  /** The valid, unanswered challenges of the transaction that belong to TiQR tokens. */
  private async openChallenges(transactionId: string): Promise<Candidate[]> {
    const now = new Date();
    const out: Candidate[] = [];
    // Rows of one transaction: at most one per token of one user (MAX_TOKENS_PER_USER).
    for (const row of await this.challenges.forTransaction(transactionId)) {
      if (!ChallengeService.isValid(row, now) || row.otpValid) continue;
      if (REFUSAL_SESSIONS.includes(row.session)) continue;
      const token = await this.store.findBySerial(row.serial);
      if (token?.type === TIQR_TYPE) out.push({ row, token });
    }
    return out;
  }

  private identityOf(token: TokenRecord): string {
    const login = token.row.userLogin;
    return login ? tiqrIdentity(login, token.row.userRealm ?? '') : token.serial;
  }

  /** FAILCOUNTER_CLEAR_TIMEOUT applies to app logins as to /validate/check. */
  private async clearExpiredLockout(token: TokenRecord): Promise<TokenRecord> {
    const minutes = this.config.tokens.failcounterClearTimeout;
    if (!failcounterClearDue(token, minutes)) return token;
    await this.store.clearExpiredLockout(token.id, token.infoValue('failcounter_exceeded')!);
    return (await this.store.findBySerial(token.serial)) ?? token;
  }
}
