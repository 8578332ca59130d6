import type { TokenStore } from '../token-data/token.store';
import type { TokenRecord } from '../token-data/token-record';

type Outcome = 'open' | 'failed' | 'succeeded';

interface Reservation {
  token: TokenRecord;
  /** Fail counter including this attempt, as the reservation reported it. */
  failcount: number;
  /** Lockout time stamp this attempt wrote (it filled the fail counter), if any. */
  stamp?: string;
  outcome: Outcome;
}

/**
 * The attempts one request reserved on its tokens (SQL.reserveAttempt) and what became of them.
 * A reservation is marked failed as soon as a check on it fails, and stays counted unless the
 * request's final decision explicitly releases it (privacyIDEA counts only the branch it takes);
 * so an error half-way through never gives back an attempt that was evaluated. Released and
 * never-evaluated reservations are given back, only while nobody counted after them.
 */
export class AttemptLedger {
  private readonly reservations = new Map<number, Reservation>();

  constructor(
    private readonly store: TokenStore,
    private readonly countAuth: boolean,
  ) {}

  /** Reserves an attempt before any expensive verification; false when the token is locked out. */
  async reserve(token: TokenRecord): Promise<boolean> {
    const failcount = await this.store.reserveAttempt(token, { countAuth: this.countAuth });
    if (failcount === undefined) return false;
    const r: Reservation = { token, failcount, outcome: 'open' };
    this.reservations.set(token.id, r);
    // Reservations hand out distinct values: exactly one request fills the counter, and stamps
    // the lockout at once (FAILCOUNTER_CLEAR_TIMEOUT), before its own outcome is known.
    if (failcount === token.row.maxfail) r.stamp = await this.store.stampLockout(token.id);
    return true;
  }

  /**
   * A failure of a token that was not reserved (its check needed no PIN hash), counted now with
   * the reservation's conditions; false when the token was locked out meanwhile.
   */
  async countFailure(token: TokenRecord): Promise<boolean> {
    if (this.reservations.has(token.id)) {
      this.failed(token);
      return true;
    }
    if (!(await this.reserve(token))) return false;
    this.failed(token);
    return true;
  }

  isReserved(token: TokenRecord): boolean {
    return this.reservations.has(token.id);
  }

  /** The token's stamp written by this request, if any (a success must remove it). */
  stampOf(token: TokenRecord): string | undefined {
    return this.reservations.get(token.id)?.stamp;
  }

  failed(token: TokenRecord): void {
    this.mark(token, 'failed');
  }

  /** The final decision does not count this evaluated attempt (e.g. a challenge was triggered). */
  release(token: TokenRecord): void {
    this.mark(token, 'open');
  }

  succeeded(token: TokenRecord): void {
    this.mark(token, 'succeeded');
  }

  /** Whether settle() has anything to give back. */
  hasOpen(): boolean {
    for (const r of this.reservations.values()) if (r.outcome === 'open') return true;
    return false;
  }

  /** Gives back every open reservation; call once, in a finally block. */
  async settle(): Promise<void> {
    for (const r of this.reservations.values()) {
      if (r.outcome !== 'open') continue;
      const refunded = await this.store.refundAttempt(r.token, r.failcount, {
        countAuth: this.countAuth,
      });
      if (refunded && r.stamp) await this.store.deleteLockoutStamp(r.token.id, r.stamp);
    }
    this.reservations.clear();
  }

  private mark(token: TokenRecord, outcome: Outcome): void {
    const r = this.reservations.get(token.id);
    if (r) r.outcome = outcome;
  }
}
