import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { formatPiDate } from '../common/dates';
import { isDuplicate } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner';

import type { OtpMatch } from '../token-types/token-type.interface';
import { TokenRecord } from '../token-types/token-record';
import type { UserRef } from '../users/user-ref';
import { TokenInfo } from './entities/token-info.entity';
import { Token } from './entities/token.entity';

export interface SuccessOptions {
  countAuth: boolean;
  /** Zero the fail counter (always on authentication success). */
  resetFailcount: boolean;
}

/**
 * Persistence of tokens for the authentication paths. Every state change that must happen once
 * (counter step, fail counter) is a single conditional UPDATE whose affected-row count decides.
 */
@Injectable()
export class TokenStore {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @InjectRepository(TokenInfo) private readonly infos: Repository<TokenInfo>,
    private readonly tx: TransactionRunner,
  ) {}

  async findBySerial(serial: string): Promise<TokenRecord | null> {
    const rows = await this.tokens.find({ where: { serial }, relations: { info: true } });
    return rows.length ? TokenRecord.fromRow(rows[0]) : null;
  }

  async findByOwner(user: UserRef): Promise<TokenRecord[]> {
    const rows = await this.tokens.find({
      where: { userLogin: user.login, userRealm: user.realm },
      relations: { info: true },
      order: { id: 'ASC' },
    });
    return rows.map((r) => TokenRecord.fromRow(r));
  }

  async findBySerials(serials: string[]): Promise<TokenRecord[]> {
    if (serials.length === 0) return [];
    const rows = await this.tokens.find({
      where: { serial: In(serials) },
      relations: { info: true },
      order: { id: 'ASC' },
    });
    return rows.map((r) => TokenRecord.fromRow(r));
  }

  /**
   * Records a successful authentication. With an OTP match the counter moves only if it still
   * holds the value this request read: of concurrent requests with the same OTP one wins.
   */
  async commitSuccess(
    token: TokenRecord,
    match: OtpMatch | null,
    opts: SuccessOptions,
  ): Promise<boolean> {
    const set: Record<string, () => string> = {};
    if (opts.resetFailcount) set.failcount = () => '0';
    if (opts.countAuth) {
      set.countAuth = () => 'count_auth + 1';
      set.countAuthSuccess = () => 'count_auth_success + 1';
    }
    const qb = this.tokens
      .createQueryBuilder()
      .update(Token)
      .where('id = :id AND locked = :locked', { id: token.id, locked: false });
    if (match) {
      qb.set({ ...set, count: match.newCount }).andWhere('count = :old', {
        old: token.row.count,
      });
    } else if (Object.keys(set).length > 0) {
      qb.set(set);
    } else {
      return true;
    }
    const result = await this.tx.exclusive(() => qb.execute());
    if (result.affected !== 1) return false;
    const infoUpdates = { ...(match?.info ?? {}) };
    if (match?.info || (opts.resetFailcount && token.info.has('failcounter_exceeded'))) {
      await this.tx.run(async (em) => {
        for (const [key, value] of Object.entries(infoUpdates)) {
          await this.upsertInfo(em, token.id, key, value);
        }
        if (opts.resetFailcount)
          await em.delete(TokenInfo, { tokenId: token.id, key: 'failcounter_exceeded' });
      });
    }
    return true;
  }

  /** Raises the fail counter (capped at maxfail) and/or count_auth in one statement. */
  async recordFailure(token: TokenRecord, opts: { failcount: boolean; countAuth: boolean }) {
    if (!opts.failcount && !opts.countAuth) return;
    const set: Record<string, () => string> = {};
    if (opts.failcount) {
      set.failcount = () => 'CASE WHEN failcount < maxfail THEN failcount + 1 ELSE failcount END';
    }
    if (opts.countAuth) set.countAuth = () => 'count_auth + 1';
    await this.tx.exclusive(() =>
      this.tokens
        .createQueryBuilder()
        .update(Token)
        .set(set as never)
        .where('id = :id AND locked = :locked', { id: token.id, locked: false })
        .execute(),
    );
    if (opts.failcount && token.row.failcount + 1 >= token.row.maxfail) {
      await this.tx.run((em) =>
        this.upsertInfo(em, token.id, 'failcounter_exceeded', formatPiDate(new Date())),
      );
    }
  }

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

  async deleteInfo(tokenId: number, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.tx.exclusive(() => this.infos.delete({ tokenId, key: In(keys) }));
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
