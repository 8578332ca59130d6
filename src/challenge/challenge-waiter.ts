import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ChallengeService, type PollStatus } from './challenge.service';

/** How often the waiting transactions are looked up, all in one query. */
const TICK_MS = 250;
/** Transactions per lookup query. */
const CHUNK = 500;

interface Waiter {
  resolve: (status: PollStatus) => void;
  timer: NodeJS.Timeout;
}

/**
 * Waits for out-of-band answers (push_wait) without holding anything per request but a promise
 * and a timer: one loop looks up every waiting transaction in a single query per tick, so the
 * answer may arrive at any replica sharing the database, and hundreds of waiting checks cost one
 * query every TICK_MS.
 */
@Injectable()
export class ChallengeWaiter implements OnApplicationShutdown {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private loop?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly challenges: ChallengeService) {}

  /** Resolves with the first non-pending status, or 'pending' after `timeoutMs`. */
  wait(transactionId: string, timeoutMs: number): Promise<PollStatus> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => this.finish(transactionId, waiter, 'pending'), timeoutMs),
      };
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

  private finish(transactionId: string, waiter: Waiter, status: PollStatus): void {
    clearTimeout(waiter.timer);
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

  onApplicationShutdown(): void {
    this.closed = true;
    if (this.loop) clearTimeout(this.loop);
    for (const [tid, set] of this.waiting) for (const w of [...set]) this.finish(tid, w, 'pending');
  }
}
