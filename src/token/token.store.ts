import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { formatPiDate } from '../common/dates';
import { isDuplicate } from '../database/db-errors';
import { SqlRunner } from '../database/sql-runner';
import { TransactionRunner } from '../database/transaction-runner';

import type { OtpMatch } from '../token-types/token-type.interface';
import { TokenRecord } from '../token-types/token-record';
import type { UserRef } from '../users/user-ref';
import { TokenInfo } from './entities/token-info.entity';
import { SQL, tokenQueries, toRecords, TokenRow } from './token-sql';
import { Token } from './entities/token.entity';

export interface SuccessOptions {
  countAuth: boolean;
}

/**
 * Persistence of tokens for the authentication paths. Every state change that must happen once
 * (counter step, fail counter) is a single conditional UPDATE whose affected-row count decides.
 */
@Injectable()
export class TokenStore {
  private readonly queries: ReturnType<typeof tokenQueries>;

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly tx: TransactionRunner,
    private readonly sql: SqlRunner,
  ) {
    this.queries = tokenQueries(sql.dialect);
  }

  async findBySerial(serial: string): Promise<TokenRecord | null> {
    const rows: TokenRow[] = await this.sql.select<TokenRow>(this.queries.bySerial, [serial]);
    return toRecords(rows)[0] ?? null;
  }

  async findByOwner(user: UserRef): Promise<TokenRecord[]> {
    const rows: TokenRow[] = await this.sql.select<TokenRow>(this.queries.byOwner, [
      user.login,
      user.realm,
    ]);
    return toRecords(rows);
  }

  /**
   * Records a successful authentication (fail counter back to 0). With an OTP match the counter
   * moves only if it still holds the value this request read: of concurrent requests with the
   * same OTP one wins.
   */
  async commitSuccess(
    token: TokenRecord,
    match: OtpMatch | null,
    opts: SuccessOptions,
  ): Promise<boolean> {
    const auth = opts.countAuth ? 1 : 0;
    const sql = match ? SQL.successWithCounter : SQL.successWithoutCounter;
    const params = match
      ? [match.newCount, auth, auth, token.id, token.row.count]
      : [auth, auth, token.id];
    if ((await this.sql.write(sql, params)) !== 1) return false;
    const infoUpdates = { ...(match?.info ?? {}) };
    if (match?.info || token.info.has('failcounter_exceeded')) {
      await this.tx.run(async (em) => {
        for (const [key, value] of Object.entries(infoUpdates)) {
          await this.upsertInfo(em, token.id, key, value);
        }
        await em.delete(TokenInfo, { tokenId: token.id, key: 'failcounter_exceeded' });
      });
    }
    return true;
  }

  /** Raises the fail counter (capped at maxfail) and/or count_auth in one statement. */
  async recordFailure(token: TokenRecord, opts: { failcount: boolean; countAuth: boolean }) {
    if (!opts.failcount && !opts.countAuth) return;
    const params = [opts.failcount ? 1 : 0, opts.countAuth ? 1 : 0, token.id];
    await this.sql.write(SQL.failure, params);
    if (opts.failcount && token.row.failcount + 1 >= token.row.maxfail) {
      await this.tx.run((em) =>
        this.upsertInfo(em, token.id, 'failcounter_exceeded', formatPiDate(new Date())),
      );
    }
  }

  /** Runs one fixed write statement and returns the number of rows it changed. */
  /** Fail counter back to 0 (reset, failcounter_clear_timeout). */
  async resetFailcount(tokenId: number): Promise<void> {
    await this.tx.run(async (em) => {
      await em.update(Token, { id: tokenId }, { failcount: 0 });
      await em.delete(TokenInfo, { tokenId, key: 'failcounter_exceeded' });
    });
  }

  async setInfo(tokenId: number, values: Record<string, string>): Promise<void> {
    await this.tx.run(async (em) => {
      for (const [k, v] of Object.entries(values)) await this.upsertInfo(em, tokenId, k, v);
    });
  }

  async upsertInfo(
    em: EntityManager,
    tokenId: number,
    key: string,
    value: string,
    type = '',
  ): Promise<void> {
    const updated = await em.update(TokenInfo, { tokenId, key }, { value, type });
    if (updated.affected) return;
    try {
      await em.insert(TokenInfo, { tokenId, key, value, type });
    } catch (e) {
      // A concurrent request inserted the same key first: ours is then an update.
      if (!isDuplicate(e)) throw e;
      await em.update(TokenInfo, { tokenId, key }, { value, type });
    }
  }
}
