import { Inject, Injectable } from '@nestjs/common';
import { ChallengeWaiter } from '../challenge/challenge-waiter';
import { ChallengeService } from '../challenge/challenge.service';
import type { Detail } from '../common/envelope';
import { TokenLockedError } from '../common/errors';
import type { ParamReader } from '../common/params/param-reader';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TokenStore } from '../token-data/token.store';
import type { TokenRecord } from '../token-data/token-record';
import type { OtpMatch, TokenTypeHandler } from '../token-types/token-type.interface';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { ChallengeIssuer } from './challenge-issuer';
import { AttemptLedger } from './attempt-ledger';
import { PinPolicy } from './pin-policy';
import { failcounterClearDue, fitnessProblem } from '../token-data/token-fitness';

export interface CheckRequest {
  pass: string;
  transactionId?: string;
  /** otponly=1 with a serial, where OTPONLY_ALLOWED permits it: verify the OTP alone. */
  otpOnly: boolean;
  options: ParamReader;
  baseUrl: string;
  /** Aborted when the relying party hangs up (push_wait). */
  signal?: AbortSignal;
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
  | { kind: 'locked' };

const LOCKED = 'Failcounter exceeded';
const PUSH = 'push';

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
    private readonly waiter: ChallengeWaiter,
  ) {}

  async check(tokens: TokenRecord[], req: CheckRequest): Promise<CheckOutcome> {
    if (tokens.length > 0 && tokens.every((t) => t.row.revoked)) throw new TokenLockedError();
    const candidates = tokens
      // An inactive push token (disabled, or waiting for its phone) is not used at all (push.md §10).
      .filter((t) => !t.row.revoked && (t.row.active || t.type !== PUSH))
      .sort((a, b) => weight(a.type) - weight(b.type))
      .slice(0, this.config.limits.maxTokensPerUser)
      .map((token) => ({ token, handler: this.registry.handlerOf(token.type) }));
    const ledger = new AttemptLedger(this.store, this.countAuth);
    try {
      return await this.evaluate(candidates, req, ledger);
    } finally {
      if (ledger.hasOpen()) await ledger.settle();
    }
  }

  /**
   * Attempt accounting: a token whose check needs an argon2 PIN hash has its attempt reserved
   * just before its first hash, and only if the request's hash budget covers all the hashes the
   * token may need (a token is evaluated completely or not at all). A token that needs no hash
   * (no PIN, otppin=none, otponly) is checked in memory: a valid OTP is committed by one write
   * carrying the reservation's conditions (below maxfail, usable), a failure is counted by a
   * conditional reservation before it is answered. Either way no outcome past the limit is ever
   * acted on or revealed, and a no-PIN check stays one write.
   */
  private async evaluate(
    candidates: Candidate[],
    req: CheckRequest,
    ledger: AttemptLedger,
  ): Promise<CheckOutcome> {
    const messages: string[] = [];
    const detail: Detail = {};
    const fit: Candidate[] = [];
    for (const c of candidates) {
      if (failcounterClearDue(c.token, this.config.tokens.failcounterClearTimeout)) {
        await this.clearExpiredLockout(c.token);
      }
      const problem = fitnessProblem(c.token);
      if (problem) messages.push(problem);
      else fit.push(c);
    }

    if (req.transactionId !== undefined) {
      const reserved: Candidate[] = [];
      for (const c of fit) {
        // Finalizing an out-of-band answer with an empty pass guesses nothing: no attempt is
        // reserved (concurrent finalizes would fill the counter); its success write still
        // carries the reservation's conditions.
        if (req.pass === '' && c.handler.outOfBand) reserved.push(c);
        else if (await ledger.reserve(c.token)) reserved.push(c);
        else messages.push(LOCKED);
      }
      return this.evaluateResponse(reserved, req, ledger, messages, detail);
    }

    const budget = this.pins.newBudget();
    const locked = new Set<number>();
    // A token that costs hashes is reserved before its first one (see reserveOrLock).
    const needsReservation = (c: Candidate): boolean =>
      this.pins.costsHash(c.token, req.otpOnly) && !ledger.isReserved(c.token);
    // Reserves the token; false when it is locked out.
    const reserveOrLock = async (c: Candidate): Promise<boolean> => {
      if (await ledger.reserve(c.token)) return true;
      locked.add(c.token.id);
      messages.push(LOCKED);
      return false;
    };
    // A PIN check's answer when it needs no hash (then nothing is awaited), else undefined.
    const pinWithoutHash = (c: Candidate, pin: string): boolean | undefined =>
      req.otpOnly || this.pins.checkPinWithoutHash(c.token, pin);
    // By token id: the PIN/OTP split, and the result of checking the PIN part.
    const splits = new Map<number, { pin: string; otp: string } | undefined>();
    const pinPart = new Map<number, boolean>();
    for (const c of fit) {
      splits.set(
        c.token.id,
        req.otpOnly ? { pin: '', otp: req.pass } : this.pins.split(req.pass, c.token.row.otplen),
      );
    }

    // Cheapest first: only a token whose OTP part matches needs its PIN hash to be valid, so a
    // correct login costs at most one hash whatever the number of tokens, and stops there.
    let valid: ValidCandidate | undefined;
    for (const c of fit) {
      const split = splits.get(c.token.id);
      const match = split && c.handler.checkOtp(c.token, split.otp);
      if (!split || !match) continue;
      if (this.hashesNeeded(c, req, { pinPart: true, whole: false }) > budget.remaining) break;
      if (needsReservation(c) && !(await reserveOrLock(c))) continue;
      const pin =
        pinWithoutHash(c, split.pin) ??
        (await this.pins.checkPin(c.token, split.pin, budget)) === true;
      pinPart.set(c.token.id, pin);
      if (pin) {
        valid = { ...c, match, otp: split.otp };
        break;
      }
      ledger.failed(c.token);
    }
    let replay: Candidate | undefined;
    if (valid) {
      const result = await this.commitValid(valid, ledger);
      if (result.kind === 'won') {
        return { success: true, detail: this.successDetail(result.won, detail) };
      }
      if (result.kind === 'replay') replay = { ...valid, token: result.token };
      else {
        locked.add(valid.token.id);
        messages.push(LOCKED);
      }
    }

    const challengeRequest: Candidate[] = [];
    const pinMatching: (Candidate & { otp: string })[] = [];
    const invalid: Candidate[] = [];
    let budgetRanOut = false;
    for (const candidate of fit) {
      const id = candidate.token.id;
      if (locked.has(id) || (valid && id === valid.token.id && !replay)) continue;
      const c = replay && id === replay.token.id ? replay : candidate;
      const split = splits.get(id);
      const known = pinPart.get(id);
      const canChallenge = !req.otpOnly && this.challengeCapable(c);
      const needed = this.hashesNeeded(c, req, {
        pinPart: split !== undefined && known === undefined,
        whole: canChallenge && known !== true,
      });
      if (needed > budget.remaining) {
        // Not evaluated (and not reserved, unless a check above already counted it).
        budgetRanOut = true;
        break;
      }
      if (needsReservation(c) && !(await reserveOrLock(c))) continue;
      const pin =
        split !== undefined &&
        (known ??
          pinWithoutHash(c, split.pin) ??
          (await this.pins.checkPin(c.token, split.pin, budget)) === true);
      if (pin) {
        pinMatching.push({ ...c, otp: split.otp });
        ledger.failed(c.token);
        continue;
      }
      // Counted from here on, unless the final decision releases it; an error cannot refund it.
      ledger.failed(c.token);
      if (
        canChallenge &&
        (pinWithoutHash(c, req.pass) ??
          (await this.pins.checkPin(c.token, req.pass, budget)) === true)
      ) {
        challengeRequest.push(c);
        continue;
      }
      invalid.push(c);
    }

    if (
      challengeRequest.length > 0 &&
      pinMatching.length === 0 &&
      this.config.push.wait > 0 &&
      challengeRequest.every((c) => c.token.type === PUSH)
    ) {
      for (const c of [...challengeRequest, ...invalid]) ledger.release(c.token);
      return this.waitForPush(challengeRequest, req, ledger, detail);
    }
    if (challengeRequest.length > 0) {
      const issued = await this.issuer.issue(
        challengeRequest.map((c) => c.token),
        req.options,
        req.baseUrl,
        { trusted: false },
      );
      // privacyIDEA counts nothing when the PIN triggered a challenge.
      for (const c of [...challengeRequest, ...pinMatching, ...invalid]) ledger.release(c.token);
      return { success: false, detail: { ...detail, ...issued } };
    }
    if (pinMatching.length > 0) {
      for (const c of invalid) ledger.release(c.token);
      const counted = await this.countFailures(pinMatching, ledger, messages);
      if (counted.length > 0) return this.wrongOtp(counted, detail);
    } else if (invalid.length > 0) {
      if (!this.config.tokens.incFailCountOnFalsePin) {
        for (const c of invalid) ledger.release(c.token);
        return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
      }
      const counted = await this.countFailures(invalid, ledger, messages);
      if (counted.length > 0) {
        return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
      }
    }
    if (messages.length > 0) {
      return { success: false, detail: { ...detail, message: [...new Set(messages)].join(', ') } };
    }
    if (budgetRanOut) {
      return { success: false, detail: { ...detail, message: 'wrong otp pin' } };
    }
    return {
      success: false,
      detail: { ...detail, message: 'No suitable token found for authentication.' },
    };
  }

  /**
   * push_wait (push.md §7): the PIN triggered push challenges and the relying party cannot poll,
   * so this request waits (asynchronously, nothing reserved or held) up to PUSH_WAIT seconds for
   * the phone: answered → success; declined → DECLINED; no answer → "wrong otp value", counted.
   */
  private async waitForPush(
    tokens: Candidate[],
    req: CheckRequest,
    ledger: AttemptLedger,
    detail: Detail,
  ): Promise<CheckOutcome> {
    // Released attempts are given back before the wait, so concurrent checks are not held up.
    await ledger.settle();
    const issued = await this.issuer.issue(
      tokens.map((c) => c.token),
      req.options,
      req.baseUrl,
      { trusted: false, waiting: true },
    );
    const tid = issued.transaction_id;
    if (typeof tid !== 'string') return { success: false, detail: { ...detail, ...issued } };
    const status = await this.waiter.wait(tid, this.config.push.wait * 1000, req.signal);
    // The answer is decided by deleting its row: a phone answer that lands after the wait ended
    // still counts, and one answer succeeds once.
    const now = new Date();
    const rows = await this.challenges.forTransaction(tid);
    const answered = rows.find((r) => r.otpValid && ChallengeService.isValid(r, now));
    const winner = answered && tokens.find((c) => c.token.serial === answered.serial);
    const consumed = answered !== undefined && (await this.challenges.consume(answered.id, tid));
    if (!consumed) await this.challenges.deleteTransaction(tid);
    if (consumed && winner) {
      const ok = await this.store.commitSuccess(winner.token, null, {
        countAuth: this.countAuth,
        reserved: false,
      });
      if (ok) {
        await this.store.afterSuccess(winner.token, null);
        return {
          success: true,
          detail: {
            ...detail,
            message: 'matching 1 tokens',
            serial: winner.token.serial,
            type: winner.token.type,
          },
        };
      }
      return { success: false, detail: { ...detail, message: LOCKED } };
    }
    if (status === 'declined' || status === 'cancelled') {
      return {
        success: false,
        detail: { ...detail, challenge_status: status, message: `Challenge ${status}` },
      };
    }
    // The relying party left or the service is stopping: nobody saw an answer, nothing counts.
    if (status === 'aborted') {
      return {
        success: false,
        detail: { ...detail, message: 'The wait for the phone ended early' },
      };
    }
    const messages: string[] = [];
    const counted = await this.countFailures(tokens, ledger, messages);
    if (counted.length === 0) {
      return { success: false, detail: { ...detail, message: messages.join(', ') } };
    }
    const out: Detail = { ...detail, message: 'wrong otp value' };
    if (counted.length === 1) {
      out.serial = counted[0].token.serial;
      out.type = counted[0].token.type;
    }
    return { success: false, detail: out };
  }

  /** Argon2 verifications checking this token may take (0 for a token without PIN hash). */
  private hashesNeeded(
    c: Candidate,
    req: CheckRequest,
    checks: { pinPart: boolean; whole: boolean },
  ): number {
    if (!this.pins.costsHash(c.token, req.otpOnly)) return 0;
    return (checks.pinPart ? 1 : 0) + (checks.whole ? 1 : 0);
  }

  /**
   * Failures of hash-free tokens are counted now (a conditional reservation); a token locked
   * meanwhile is answered as locked. Returns the tokens whose failure counts.
   */
  private async countFailures<T extends Candidate>(
    list: T[],
    ledger: AttemptLedger,
    messages: string[],
  ): Promise<T[]> {
    const counted: T[] = [];
    for (const c of list) {
      if (await ledger.countFailure(c.token)) counted.push(c);
      else messages.push(LOCKED);
    }
    return counted;
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
      // An empty pass guesses nothing: a repeated or losing finalize is not a failed attempt.
      if (this.config.tokens.incFailCountOnFalsePin && req.pass !== '')
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
  private async clearExpiredLockout(token: TokenRecord): Promise<void> {
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
        await this.store.afterSuccess(current.token, current.match, ledger.stampOf(current.token));
        return { kind: 'won', won: [current] };
      }
      // A reserved attempt's fresh fail counter includes its own reservation; an unreserved one
      // failed its write either on the limit (locked) or on the counter (race).
      const fresh = await this.store.findBySerial(v.token.serial);
      if (!fresh || !fresh.row.active || fresh.row.revoked || fresh.row.locked) {
        return { kind: 'locked' };
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
          if (this.countsAsWrongAnswer(c, req)) ledger.failed(c.token);
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
            reserved: ledger.isReserved(c.token),
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
        await this.store.afterSuccess(c.token, check.otp ?? null, ledger.stampOf(c.token));
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
    return this.challengeMismatch(list, req, detail, ledger);
  }

  /** An empty pass polls or finalizes an out-of-band challenge: not a guess. */
  private countsAsWrongAnswer(c: Candidate, req: CheckRequest): boolean {
    return !c.handler.outOfBand || req.pass !== '';
  }

  private challengeMismatch(
    list: Candidate[],
    req: CheckRequest,
    detail: Detail,
    ledger: AttemptLedger,
  ): CheckOutcome {
    for (const c of list) if (this.countsAsWrongAnswer(c, req)) ledger.failed(c.token);
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

  private wrongOtp(list: (Candidate & { otp: string })[], detail: Detail): CheckOutcome {
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
