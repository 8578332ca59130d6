import type { TokenStore } from '../token/token.store';
import type { TokenRecord } from '../token-types/token-record';

type Outcome = 'open' | 'failed' | 'succeeded';

interface Reservation {
  token: TokenRecord;
  /** Fail counter including this attempt, as the reservation reported it. */
  failcount: number;
  outcome: Outcome;
}

/**
 * The attempts one request reserved on its tokens (SQL.reserveAttempt) and what became of them.
 * Every reservation is settled exactly once: a failure stays counted, a success was reset by its
 * own write, and anything else (a challenge triggered, a token never evaluated, an error) is
 * given back, so only evaluated wrong answers use up the fail counter.
 */
export class AttemptLedger {
  private readonly reservations = new Map<number, Reservation>();

  constructor(
    private readonly store: TokenStore,
    private readonly countAuth: boolean,
  ) {}

  /** Reserves an attempt before any verification; false when the token is locked out. */
  async reserve(token: TokenRecord): Promise<boolean> {
    const failcount = await this.store.reserveAttempt(token, { countAuth: this.countAuth });
    if (failcount === undefined) return false;
    this.reservations.set(token.id, { token, failcount, outcome: 'open' });
    return true;
  }

  isReserved(token: TokenRecord): boolean {
    return this.reservations.has(token.id);
  }

  failed(token: TokenRecord): void {
    this.mark(token, 'failed');
  }

  succeeded(token: TokenRecord): void {
    this.mark(token, 'succeeded');
  }

  /** Persists the outcome of every reservation; call once, in a finally block. */
  async settle(): Promise<void> {
    for (const r of this.reservations.values()) {
      if (r.outcome === 'failed') await this.store.settleFailure(r.token, r.failcount);
      else if (r.outcome === 'open') {
        await this.store.refundAttempt(r.token, { countAuth: this.countAuth });
      }
    }
    this.reservations.clear();
  }

  private mark(token: TokenRecord, outcome: Outcome): void {
    const r = this.reservations.get(token.id);
    if (r) r.outcome = outcome;
  }
}
