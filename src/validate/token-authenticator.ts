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

type CommitResult =
  | { kind: 'won'; won: ValidCandidate[] }
  | { kind: 'replay'; token: TokenRecord }
  | { kind: 'locked' }
  | { kind: 'gone' };

const LOCKED = 'Failcounter exceeded';

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

  /**
   * Attempt accounting: a token whose evaluation needs an argon2 PIN hash has its attempt
   * reserved before any verification. A token that needs none (no PIN, otppin=none, otponly) is
   * first checked for a valid OTP in memory, and that success is committed by one write that
   * carries the reservation's conditions (below maxfail, usable); otherwise it is reserved like
   * the others before anything else is decided. Either way no outcome past the limit is ever
   * acted on or revealed, and a successful no-PIN check stays one write.
   */
  private async evaluate(
    candidates: Candidate[],
    req: CheckRequest,
    ledger: AttemptLedger,
  ): Promise<CheckOutcome> {
    const messages: string[] = [];
    const detail: Detail = {};
    const pending: Candidate[] = [];
    for (const c of candidates) {
      await this.clearFailcounterIfDue(c.token);
      const problem = fitnessProblem(c.token);
      if (problem) messages.push(problem);
      else if (!this.pins.costsHash(c.token, req.otpOnly) && req.transactionId === undefined) {
        pending.push(c);
      } else if (await ledger.reserve(c.token)) pending.push(c);
      else messages.push(LOCKED);
    }

    if (req.transactionId !== undefined) {
      return this.evaluateResponse(pending, req, ledger, messages, detail);
    }

    const budget = this.pins.newBudget();
    // By token id: PIN/OTP split and PIN results already known.
    const splits = new Map<number, { pin: string; otp: string } | undefined>();
    const pinChecked = new Map<number, boolean>();
    for (const c of pending) {
      splits.set(
        c.token.id,
        req.otpOnly ? { pin: '', otp: req.pass } : this.pins.split(req.pass, c.token.row.otplen),
      );
    }

    // Cheapest first: only a token whose OTP part matches needs its PIN hash to be valid, so a
    // correct login costs at most one hash whatever the number of tokens, and stops there.
    let valid: ValidCandidate | undefined;
    for (const c of pending) {
      const split = splits.get(c.token.id);
      const match = split && c.handler.checkOtp(c.token, split.otp);
      if (!split || !match) continue;
      const pin = req.otpOnly || (await this.pins.checkPin(c.token, split.pin, budget));
      if (pin === BUDGET_EXHAUSTED) break;
      pinChecked.set(c.token.id, pin);
      if (pin) {
        valid = { ...c, match, otp: split.otp };
        break;
      }
    }
    let replay: Candidate | undefined;
    if (valid) {
      const result = await this.commitValid(valid, ledger);
      if (result.kind === 'won') {
        return { success: true, detail: this.successDetail(result.won, detail) };
      }
      if (result.kind === 'replay') replay = { ...valid, token: result.token };
      else if (result.kind === 'locked') messages.push(LOCKED);
    }

    // Everything still in play is reserved before its outcome is decided.
    const rest: Candidate[] = [];
    for (const c of pending) {
      let current = c;
      if (valid && c.token.id === valid.token.id) {
        if (!replay) continue; // locked or gone: nothing more to evaluate
        current = replay;
      }
      if (ledger.isReserved(current.token) || (await ledger.reserve(current.token))) {
        rest.push(current);
      } else messages.push(LOCKED);
    }

    const challengeRequest: Candidate[] = [];
    const pinMatching: (Candidate & { otp: string })[] = [];
    const invalid: Candidate[] = [];
    for (const c of rest) {
      const split = splits.get(c.token.id);
      let pin: boolean | typeof BUDGET_EXHAUSTED = false;
      if (split) {
        const known = pinChecked.get(c.token.id);
        pin = req.otpOnly || (known ?? (await this.pins.checkPin(c.token, split.pin, budget)));
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
    if (rest.length > 0) {
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
   * Conditional counter update. A request that loses the race re-reads the token and checks
   * again, so of concurrent requests with one OTP exactly one succeeds; the others become
   * "wrong otp value" (a replay).
   */
  private async commitValid(v: ValidCandidate, ledger: AttemptLedger): Promise<CommitResult> {
    let current = v;
    for (let attempt = 0; attempt < MAX_COUNTER_RACES; attempt++) {
      const reserved = ledger.isReserved(current.token);
      const ok = await this.store.commitSuccess(current.token, current.match, {
        countAuth: this.countAuth,
        reserved,
      });
      if (ok) {
        ledger.succeeded(current.token);
        return { kind: 'won', won: [current] };
      }
      // A reserved attempt's fresh fail counter includes its own reservation; an unreserved one
      // failed its write either on the limit (locked) or on the counter (race).
      const fresh = await this.store.findBySerial(v.token.serial);
      if (!fresh || !fresh.row.active || fresh.row.revoked || fresh.row.locked) {
        return { kind: 'gone' };
      }
      if (!reserved && fresh.row.failcount >= fresh.row.maxfail) return { kind: 'locked' };
      const match = v.handler.checkOtp(fresh, v.otp);
      if (!match) return { kind: 'replay', token: fresh };
      current = { ...v, token: fresh, match };
    }
    return { kind: 'replay', token: current.token };
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
            reserved: true,
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
