import { Inject, Injectable } from '@nestjs/common';
import { ChallengeService } from '../challenge/challenge.service';
import type { Detail } from '../common/envelope';
import { TokenLockedError } from '../common/errors';
import type { ParamReader } from '../common/params/param-reader';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TokenStore } from '../token/token.store';
import type { TokenRecord } from '../token-types/token-record';
import type { OtpMatch, TokenTypeHandler } from '../token-types/token-type.interface';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { ChallengeIssuer } from './challenge-issuer';
import { PinPolicy } from './pin-policy';
import { failcounterClearDue, fitnessProblem } from './token-fitness';

export interface CheckRequest {
  pass: string;
  transactionId?: string;
  /** otponly=1 with a serial: verify the OTP alone. */
  otpOnly: boolean;
  options: ParamReader;
  baseUrl: string;
}

export interface CheckOutcome {
  success: boolean;
  detail: Detail;
}

interface Candidate {
  token: TokenRecord;
  handler: TokenTypeHandler;
}

interface ValidCandidate extends Candidate {
  match: OtpMatch;
  otp: string;
}

// Re-evaluations after a lost counter race before the attempt counts as a failure.
const MAX_COUNTER_RACES = 3;

/**
 * privacyIDEA's check_token_list (challenge.md §6): sorts the user's tokens into valid,
 * challenge-response, challenge-request, PIN-matching and invalid, then takes exactly one branch.
 */
@Injectable()
export class TokenAuthenticator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: TokenTypeRegistry,
    private readonly store: TokenStore,
    private readonly challenges: ChallengeService,
    private readonly issuer: ChallengeIssuer,
    private readonly pins: PinPolicy,
  ) {}

  async check(tokens: TokenRecord[], req: CheckRequest): Promise<CheckOutcome> {
    if (tokens.length > 0 && tokens.every((t) => t.row.revoked)) throw new TokenLockedError();
    const candidates = tokens
      .filter((t) => !t.row.revoked)
      .sort((a, b) => weight(a.type) - weight(b.type))
      .map((token) => ({ token, handler: this.registry.handlerOf(token.type) }));

    const messages: string[] = [];
    const valid: ValidCandidate[] = [];
    const challengeResponse: Candidate[] = [];
    const challengeRequest: Candidate[] = [];
    const pinMatching: (Candidate & { otp: string })[] = [];
    const invalid: Candidate[] = [];
    const detail: Detail = {};

    for (const c of candidates) {
      await this.clearFailcounterIfDue(c.token);
      const problem = fitnessProblem(c.token);
      if (problem) {
        messages.push(problem);
        continue;
      }
      if (req.transactionId !== undefined) {
        const rows = await this.challenges.forTokenAndTransaction(
          c.token.serial,
          req.transactionId,
        );
        (rows.length > 0 ? challengeResponse : invalid).push(c);
        continue;
      }
      const split = req.otpOnly
        ? { pin: '', otp: req.pass }
        : this.pins.split(req.pass, c.token.row.otplen);
      const pinMatch =
        split !== undefined && (req.otpOnly || (await this.pins.checkPin(c.token, split.pin)));
      if (pinMatch) {
        const match = c.handler.checkOtp(c.token, split.otp);
        if (match) valid.push({ ...c, match, otp: split.otp });
        else pinMatching.push({ ...c, otp: split.otp });
      } else if (
        !req.otpOnly &&
        this.challengeCapable(c) &&
        (await this.pins.checkPin(c.token, req.pass))
      ) {
        challengeRequest.push(c);
      } else {
        invalid.push(c);
      }
    }

    if (valid.length > 0) {
      const won = await this.commitValid(valid, pinMatching);
      if (won.length > 0) return { success: true, detail: this.successDetail(won, detail) };
    }
    if (challengeResponse.length > 0) {
      return this.answerChallenge(challengeResponse, req, detail);
    }
    if (challengeRequest.length > 0) {
      const issued = await this.issuer.issue(
        challengeRequest.map((c) => c.token),
        req.options,
        req.baseUrl,
      );
      return { success: false, detail: { ...detail, ...issued } };
    }
    if (pinMatching.length > 0) return this.wrongOtp(pinMatching, detail);
    if (invalid.length > 0) {
      if (this.config.tokens.incFailCountOnFalsePin) {
        for (const c of invalid) {
          await this.store.recordFailure(c.token, { failcount: true, countAuth: this.countAuth });
        }
      }
      return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
    }
    if (messages.length > 0) {
      return { success: false, detail: { ...detail, message: [...new Set(messages)].join(', ') } };
    }
    return {
      success: false,
      detail: { ...detail, message: 'No suitable token found for authentication.' },
    };
  }

  private get countAuth(): boolean {
    return !this.config.tokens.noAuthCounter;
  }

  private challengeCapable(c: Candidate): boolean {
    return (
      c.handler.challengeMode === 'always' ||
      this.config.challenges.responseTypes.includes(c.token.type)
    );
  }

  private async clearFailcounterIfDue(token: TokenRecord): Promise<void> {
    if (failcounterClearDue(token, this.config.tokens.failcounterClearTimeout)) {
      await this.store.resetFailcount(token.id);
      token.row.failcount = 0;
      token.info.delete('failcounter_exceeded');
    }
  }

  /**
   * Conditional counter updates. A request that loses the race re-reads the token and checks
   * again, so of concurrent requests with one OTP exactly one succeeds; the others become
   * "wrong otp value" (a replay).
   */
  private async commitValid(
    valid: ValidCandidate[],
    pinMatching: (Candidate & { otp: string })[],
  ): Promise<ValidCandidate[]> {
    const won: ValidCandidate[] = [];
    for (const v of valid) {
      let current: ValidCandidate | undefined = v;
      for (let attempt = 0; current && attempt < MAX_COUNTER_RACES; attempt++) {
        const ok = await this.store.commitSuccess(current.token, current.match, {
          countAuth: this.countAuth,
        });
        if (ok) {
          won.push(current);
          break;
        }
        const fresh = await this.store.findBySerial(v.token.serial);
        if (!fresh || fitnessProblem(fresh)) {
          current = undefined;
          break;
        }
        const match = v.handler.checkOtp(fresh, v.otp);
        current = match ? { ...v, token: fresh, match } : undefined;
        if (!current) pinMatching.push({ ...v, token: fresh });
      }
    }
    return won;
  }

  private successDetail(won: ValidCandidate[], detail: Detail): Detail {
    const types = new Set(won.map((w) => w.token.type));
    const out: Detail = {
      ...detail,
      message: `matching ${won.length} tokens`,
      type: types.size === 1 ? won[0].token.type : 'undetermined',
    };
    if (won.length === 1) {
      out.serial = won[0].token.serial;
      out.otplen = won[0].token.row.otplen;
    }
    return out;
  }

  private async answerChallenge(
    list: Candidate[],
    req: CheckRequest,
    detail: Detail,
  ): Promise<CheckOutcome> {
    const tid = req.transactionId!;
    const now = new Date();
    for (const c of list) {
      const rows = await this.challenges.forTokenAndTransaction(c.token.serial, tid);
      for (const row of rows) {
        if (!ChallengeService.isValid(row, now)) continue;
        const check = c.handler.checkChallengeResponse(c.token, req.pass, row);
        if (!check.matched) {
          await this.challenges.recordWrongAnswer(row.id);
          continue;
        }
        // Compare-and-delete first: only the request that removed the row may succeed. A
        // correct answer that lost the race is a plain "no", not a failed attempt.
        const consumed = await this.challenges.consume(row.id, tid);
        const committed =
          consumed &&
          (await this.store.commitSuccess(c.token, check.otp ?? null, {
            countAuth: this.countAuth,
          }));
        if (!committed) {
          return {
            success: false,
            detail: {
              ...detail,
              serial: c.token.serial,
              type: c.token.type,
              message: 'Response did not match the challenge.',
            },
          };
        }
        return {
          success: true,
          detail: {
            ...detail,
            serial: c.token.serial,
            type: c.token.type,
            message: 'Found matching challenge',
          },
        };
      }
    }
    return this.challengeMismatch(list, detail);
  }

  private async challengeMismatch(list: Candidate[], detail: Detail): Promise<CheckOutcome> {
    for (const c of list) {
      if (!c.handler.outOfBand) {
        await this.store.recordFailure(c.token, { failcount: true, countAuth: false });
      }
    }
    if (list.length === 1) {
      return {
        success: false,
        detail: {
          ...detail,
          serial: list[0].token.serial,
          type: list[0].token.type,
          message: 'Response did not match the challenge.',
        },
      };
    }
    return {
      success: false,
      detail: { ...detail, message: `Response did not match for ${list.length} tokens.` },
    };
  }

  private async wrongOtp(
    list: (Candidate & { otp: string })[],
    detail: Detail,
  ): Promise<CheckOutcome> {
    for (const c of list) {
      await this.store.recordFailure(c.token, { failcount: true, countAuth: this.countAuth });
    }
    let message = 'wrong otp value';
    const out: Detail = { ...detail };
    if (list.length === 1) {
      const { token, handler, otp } = list[0];
      if (handler.isPreviousOtp(token, otp)) message += '. previous otp used again';
      out.serial = token.serial;
      out.type = token.type;
      out.otplen = token.row.otplen;
    }
    out.message = message;
    return { success: false, detail: out };
  }
}

/** Push tokens last, the others by the first letter of their type (challenge.md §6). */
function weight(type: string): number {
  return type.toLowerCase().includes('push') ? 1000 : type.charCodeAt(0);
}
