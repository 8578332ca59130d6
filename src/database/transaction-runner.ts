import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isTransient } from './db-errors';

const RETRIES = 4;

/**
 * Units of work against the database. better-sqlite3 has one connection: a write issued while
 * another request's transaction is open would join (and could be rolled back with) that
 * transaction. On SQLite, transactions and single writes therefore take turns through one queue;
 * on MySQL they go straight to the pool. Deadlocks and lock time-outs are retried, so losing a
 * race never becomes a server error.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly serialize: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs `work` in one transaction. */
  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  /** Runs a single write so that it never lands inside another request's open transaction. */
  exclusive<T>(write: () => Promise<T>): Promise<T> {
    if (!this.serialize) return withRetry(write);
    const next = this.queue.then(() => withRetry(write));
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (attempt >= RETRIES || !isTransient(e)) throw e;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
    }
  }
}
