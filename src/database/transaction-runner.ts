import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * Units of work against the database. better-sqlite3 has one connection: a write issued while
 * another request's transaction is open would join (and could be rolled back with) that
 * transaction. On SQLite, transactions and single writes therefore take turns through one queue;
 * on MySQL they go straight to the pool.
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
    if (!this.serialize) return write();
    const next = this.queue.then(write);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
