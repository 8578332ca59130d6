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
import { AttemptLedger } from './attempt-ledger';
import { BUDGET_EXHAUSTED, PinPolicy } from './pin-policy';
import { failcounterClearDue, fitnessProblem } from './token-fitness';

export interface CheckRequest {
  pass: string;
  transactionId?: string;
  /** otponly=1 with a serial, where OTPONLY_ALLOWED permits it: verify the OTP alone. */
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
      .slice(0, this.config.limits.maxTokensPerUser)
      .map((token) => ({ token, handler: this.registry.handlerOf(token.type) }));
    const ledger = new AttemptLedger(this.store, this.countAuth);
    try {
      return await this.evaluate(candidates, req, ledger);
    } finally {
      await ledger.settle();
    }
  }

  private async evaluate(
    candidates: Candidate[],
    req: CheckRequest,
    ledger: AttemptLedger,
  ): Promise<CheckOutcome> {
    const messages: string[] = [];
    const detail: Detail = {};
    // Fitness and the attempt reservation come before any verification or PIN hashing.
    const reserved: Candidate[] = [];
    for (const c of candidates) {
      await this.clearFailcounterIfDue(c.token);
      const problem = fitnessProblem(c.token);
      if (problem) messages.push(problem);
      else if (await ledger.reserve(c.token)) reserved.push(c);
      else messages.push('Failcounter exceeded');
    }

    if (req.transactionId !== undefined) {
      return this.evaluateResponse(reserved, req, ledger, messages, detail);
    }

    const budget = this.pins.newBudget();
    const valid: ValidCandidate[] = [];
    const challengeRequest: Candidate[] = [];
    const pinMatching: (Candidate & { otp: string })[] = [];
    const invalid: Candidate[] = [];
    const splits = new Map<Candidate, { pin: string; otp: string } | undefined>();
    const pinChecked = new Map<Candidate, boolean>();
    for (const c of reserved) {
      splits.set(
        c,
        req.otpOnly ? { pin: '', otp: req.pass } : this.pins.split(req.pass, c.token.row.otplen),
      );
    }

    // Cheapest first: only a token whose OTP part matches needs its PIN hash to be valid, so a
    // correct login costs one hash whatever the number of tokens, and stops there.
    for (const c of reserved) {
      const split = splits.get(c);
      const match = split && c.handler.checkOtp(c.token, split.otp);
      if (!split || !match) continue;
      const pin = req.otpOnly || (await this.pins.checkPin(c.token, split.pin, budget));
      if (pin === BUDGET_EXHAUSTED) break;
      pinChecked.set(c, pin);
      if (pin) {
        valid.push({ ...c, match, otp: split.otp });
        break;
      }
    }
    if (valid.length > 0) {
      const won = await this.commitValid(valid, pinMatching, ledger);
      if (won.length > 0) return { success: true, detail: this.successDetail(won, detail) };
    }

    for (const c of reserved) {
      if (valid.some((v) => v.token === c.token)) continue;
      const split = splits.get(c);
      let pin: boolean | typeof BUDGET_EXHAUSTED = false;
      if (split) {
        pin =
          req.otpOnly ||
          (pinChecked.get(c) ?? (await this.pins.checkPin(c.token, split.pin, budget)));
      }
      if (pin === true) {
        pinMatching.push({ ...c, otp: split!.otp });
        continue;
      }
      if (pin !== BUDGET_EXHAUSTED && !req.otpOnly && this.challengeCapable(c)) {
        pin = await this.pins.checkPin(c.token, req.pass, budget);
        if (pin === true) {
          challengeRequest.push(c);
          continue;
        }
      }
      // Not evaluated for lack of budget: the reservation is given back when settling.
      if (pin === BUDGET_EXHAUSTED) break;
      invalid.push(c);
    }

    if (challengeRequest.length > 0) {
      const issued = await this.issuer.issue(
        challengeRequest.map((c) => c.token),
        req.options,
        req.baseUrl,
        { trusted: false },
      );
      return { success: false, detail: { ...detail, ...issued } };
    }
    if (pinMatching.length > 0) return this.wrongOtp(pinMatching, detail, ledger);
    if (invalid.length > 0) {
      if (this.config.tokens.incFailCountOnFalsePin)
        for (const c of invalid) ledger.failed(c.token);
      return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
    }
    if (messages.length > 0) {
      return { success: false, detail: { ...detail, message: [...new Set(messages)].join(', ') } };
    }
    if (reserved.length > 0) {
      return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
    }
    return {
      success: false,
      detail: { ...detail, message: 'No suitable token found for authentication.' },
    };
  }

  /** An answer to a transaction: the tokens that have a challenge in it, else wrong PIN. */
  private async evaluateResponse(
    reserved: Candidate[],
    req: CheckRequest,
    ledger: AttemptLedger,
    messages: string[],
    detail: Detail,
  ): Promise<CheckOutcome> {
    const challengeResponse: Candidate[] = [];
    const invalid: Candidate[] = [];
    for (const c of reserved) {
      const rows = await this.challenges.forTokenAndTransaction(c.token.serial, req.transactionId!);
      (rows.length > 0 ? challengeResponse : invalid).push(c);
    }
    if (challengeResponse.length > 0) {
      return this.answerChallenge(challengeResponse, req, detail, ledger);
    }
    if (invalid.length > 0) {
      if (this.config.tokens.incFailCountOnFalsePin)
        for (const c of invalid) ledger.failed(c.token);
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

  /** failcounter_clear_timeout, applied once per lockout however many requests see it due. */
  private async clearFailcounterIfDue(token: TokenRecord): Promise<void> {
    if (!failcounterClearDue(token, this.config.tokens.failcounterClearTimeout)) return;
    const stamp = token.infoValue('failcounter_exceeded')!;
    if (await this.store.clearExpiredLockout(token.id, stamp)) {
      token.row.failcount = 0;
      token.info.delete('failcounter_exceeded');
    } else {
      // Another request cleared it (and may have counted new failures): decide on fresh data.
      const fresh = await this.store.findBySerial(token.serial);
      if (fresh) {
        token.row.failcount = fresh.row.failcount;
        token.info.delete('failcounter_exceeded');
      }
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
    ledger: AttemptLedger,
  ): Promise<ValidCandidate[]> {
    const won: ValidCandidate[] = [];
    for (const v of valid) {
      let current: ValidCandidate | undefined = v;
      for (let attempt = 0; current && attempt < MAX_COUNTER_RACES; attempt++) {
        const ok = await this.store.commitSuccess(current.token, current.match, {
          countAuth: this.countAuth,
        });
        if (ok) {
          ledger.succeeded(v.token);
          won.push(current);
          break;
        }
        // The fresh fail counter includes this request's own reservation; the success write
        // itself re-checks that the token is still usable.
        const fresh = await this.store.findBySerial(v.token.serial);
        if (!fresh || !fresh.row.active || fresh.row.revoked || fresh.row.locked) {
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
    ledger: AttemptLedger,
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
          // Lost the race to another answer: given back, not counted.
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
        ledger.succeeded(c.token);
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
    return this.challengeMismatch(list, detail, ledger);
  }

  private challengeMismatch(
    list: Candidate[],
    detail: Detail,
    ledger: AttemptLedger,
  ): CheckOutcome {
    // An out-of-band challenge not answered yet is not a wrong guess.
    for (const c of list) if (!c.handler.outOfBand) ledger.failed(c.token);
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

  private wrongOtp(
    list: (Candidate & { otp: string })[],
    detail: Detail,
    ledger: AttemptLedger,
  ): CheckOutcome {
    for (const c of list) ledger.failed(c.token);
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
