import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { ChallengeService, type PollStatus } from './challenge.service';

/** How often the waiting transactions are looked up, all in one query. */
const TICK_MS = 250;
/** Transactions per lookup query. */
const CHUNK = 500;

export type WaitStatus = PollStatus | 'aborted';

interface Waiter {
  resolve: (status: WaitStatus) => void;
  timer: NodeJS.Timeout;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Waits for out-of-band answers (push_wait) without holding anything per request but a promise
 * and a timer: one loop looks up every waiting transaction in a single query per tick, so the
 * answer may arrive at any replica sharing the database, and hundreds of waiting checks cost one
 * query every TICK_MS.
 */
@Injectable()
export class ChallengeWaiter implements BeforeApplicationShutdown {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private loop?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly challenges: ChallengeService) {}

  /**
   * Resolves with the first non-pending status, 'pending' after `timeoutMs`, or 'aborted' when
   * `signal` fires (the relying party hung up) or the service shuts down.
   */
  wait(transactionId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitStatus> {
    if (this.closed || signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => this.finish(transactionId, waiter, 'pending'), timeoutMs),
        signal,
      };
      if (signal) {
        waiter.onAbort = () => this.finish(transactionId, waiter, 'aborted');
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      let set = this.waiting.get(transactionId);
      if (!set) this.waiting.set(transactionId, (set = new Set()));
      set.add(waiter);
      this.schedule();
    });
  }

  /** Number of requests waiting (tests, metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  private finish(transactionId: string, waiter: Waiter, status: WaitStatus): void {
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    const set = this.waiting.get(transactionId);
    if (set?.delete(waiter) && set.size === 0) this.waiting.delete(transactionId);
    waiter.resolve(status);
  }

  private schedule(): void {
    if (this.loop || this.closed || this.waiting.size === 0) return;
    this.loop = setTimeout(() => void this.tick(), TICK_MS);
  }

  private async tick(): Promise<void> {
    try {
      const tids = [...this.waiting.keys()];
      for (let i = 0; i < tids.length; i += CHUNK) {
        const statuses = await this.challenges.pollStatuses(tids.slice(i, i + CHUNK));
        for (const [tid, status] of statuses) {
          if (status === 'pending') continue;
          for (const w of [...(this.waiting.get(tid) ?? [])]) this.finish(tid, w, status);
        }
      }
    } catch {
      // A failed lookup is retried on the next tick; each waiter still ends at its time-out.
    } finally {
      this.loop = undefined;
      this.schedule();
    }
  }

  /** Before the server drains its requests: waiting checks end now instead of at their time-out. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    if (this.loop) clearTimeout(this.loop);
    for (const [tid, set] of this.waiting) for (const w of [...set]) this.finish(tid, w, 'aborted');
  }
}
