import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { formatPiDate } from '../common/dates';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDuplicate } from '../database/db-errors';
import { SqlRunner } from '../database/sql-runner';
import { TransactionRunner } from '../database/transaction-runner';

import type { OtpMatch } from './otp-match';
import { TokenRecord } from './token-record';
import type { UserRef } from '../users/user-ref';
import { TokenInfo } from './entities/token-info.entity';
import { SQL, tokenQueries, toRecords, TokenRow } from './token-sql';
import { Token } from './entities/token.entity';

class EnrollmentRaced extends Error {}

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
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tx: TransactionRunner,
    private readonly sql: SqlRunner,
  ) {
    this.queries = tokenQueries(sql.dialect, config.limits.maxTokensPerUser);
  }

  /**
   * Exact matches only: MariaDB's PAD SPACE collations compare "X " equal to "X", so rows are
   * checked again here (serials and logins never have outer whitespace).
   */
  async findBySerial(serial: string): Promise<TokenRecord | null> {
    const rows: TokenRow[] = await this.sql.select<TokenRow>(this.queries.bySerial, [serial]);
    return toRecords(rows.filter((r) => r.serial === serial))[0] ?? null;
  }

  /** The user's tokens, at most MAX_TOKENS_PER_USER (the oldest). */
  async findByOwner(user: UserRef): Promise<TokenRecord[]> {
    const rows: TokenRow[] = await this.sql.select<TokenRow>(this.queries.byOwner, [
      user.login,
      user.realm,
    ]);
    return toRecords(
      rows.filter((r) => r.user_login === user.login && r.user_realm === user.realm),
    );
  }

  /**
   * Reserves one authentication attempt (see SQL.reserveAttempt). Returns the fail counter
   * including this attempt, or undefined when the token is locked out, disabled, revoked or
   * used up (count_auth_max).
   */
  reserveAttempt(token: TokenRecord, opts: SuccessOptions): Promise<number | undefined> {
    const authMax = token.infoInt('count_auth_max');
    return this.sql.writeCounting(SQL.reserveAttempt, [
      opts.countAuth ? 1 : 0,
      token.id,
      authMax,
      authMax,
    ]);
  }

  /** Takes back a reservation that must not count; false when it had to stay counted. */
  async refundAttempt(token: TokenRecord, failcount: number, opts: SuccessOptions) {
    const auth = opts.countAuth ? 1 : 0;
    return (await this.sql.write(SQL.refundAttempt, [auth, auth, token.id, failcount])) === 1;
  }

  /** Records when the fail counter filled up (failcounter_clear_timeout); returns the stamp. */
  async stampLockout(tokenId: number): Promise<string> {
    const stamp = formatPiDate(new Date());
    await this.setInfo(tokenId, { failcounter_exceeded: stamp });
    return stamp;
  }

  async deleteLockoutStamp(tokenId: number, stamp: string): Promise<void> {
    await this.sql.write(SQL.deleteLockoutStamp, [tokenId, stamp]);
  }

  /**
   * Records a successful authentication (fail counter back to 0). The write requires the token
   * to be still usable and below count_auth_success_max, and, for an attempt not reserved
   * before (`reserved: false`), below maxfail and count_auth_max as a reservation would; with an
   * OTP match the counter moves only if it still holds the value this request read: of
   * concurrent requests with one OTP, one wins. Call afterSuccess once it returned true.
   */
  async commitSuccess(
    token: TokenRecord,
    match: OtpMatch | null,
    opts: SuccessOptions & { reserved: boolean },
  ): Promise<boolean> {
    const auth = opts.countAuth ? 1 : 0;
    const authMax = token.infoInt('count_auth_max');
    const successMax = token.infoInt('count_auth_success_max');
    let sql: string;
    let params: unknown[];
    if (opts.reserved) {
      sql = match ? SQL.successWithCounter : SQL.successWithoutCounter;
      params = [auth, token.id, successMax, successMax];
    } else {
      sql = match ? SQL.successWithCounterUnreserved : SQL.successWithoutCounterUnreserved;
      params = [auth, auth, token.id, authMax, authMax, successMax, successMax];
    }
    if (match) params = [match.newCount, ...params, token.row.count];
    return (await this.sql.write(sql, params)) === 1;
  }

  /** Tokeninfo that goes with a committed success; `stamp`: a lockout stamp this request wrote. */
  async afterSuccess(token: TokenRecord, match: OtpMatch | null, stamp?: string): Promise<void> {
    await this.afterCounterStep(token, match, stamp !== undefined);
  }

  /** Administrative resync: moves the counter of any token that is not locked. */
  async commitResync(token: TokenRecord, match: OtpMatch): Promise<boolean> {
    const params = [match.newCount, token.id, token.row.count];
    if ((await this.sql.write(SQL.resyncCounter, params)) !== 1) return false;
    await this.afterCounterStep(token, match);
    return true;
  }

  private async afterCounterStep(
    token: TokenRecord,
    match: OtpMatch | null,
    stamped = false,
  ): Promise<void> {
    if (!match?.info && !stamped && !token.info.has('failcounter_exceeded')) return;
    await this.tx.run(async (em) => {
      for (const [key, value] of Object.entries(match?.info ?? {})) {
        await this.upsertInfo(em, token.id, key, value);
      }
      await em.delete(TokenInfo, { tokenId: token.id, key: 'failcounter_exceeded' });
    });
  }

  /**
   * failcounter_clear_timeout: clears the lockout stamped `stamp`, once, whatever the number of
   * requests that saw it expire; a newer lockout (other stamp) is left alone.
   */
  async clearExpiredLockout(tokenId: number, stamp: string): Promise<boolean> {
    const cleared = await this.sql.write(SQL.clearExpiredLockout, [tokenId, tokenId, stamp]);
    if (cleared !== 1) return false;
    await this.sql.write(SQL.deleteLockoutStamp, [tokenId, stamp]);
    return true;
  }

  /**
   * Completes an enrollment the device finishes (TiQR register, push stage 2): consumes the
   * one-time session (tokeninfo `session.key`), stores the key and moves the token from clientwait to enrolled with
   * fresh counters, in one transaction. Of any number of concurrent attempts with the right
   * session exactly one gets true; a wrong or used session changes nothing.
   */
  async completeDeviceEnrollment(
    tokenId: number,
    session: { key: string; value: string } | undefined,
    changes: { keyEnc?: string; activate?: boolean },
    info: Record<string, string>,
  ): Promise<boolean> {
    try {
      return await this.tx.run(async (em) => {
        if (session) {
          const consumed = await em.delete(TokenInfo, {
            tokenId,
            key: session.key,
            value: session.value,
          });
          if (consumed.affected !== 1) return false;
        }
        const moved = await em
          .createQueryBuilder()
          .update(Token)
          .set({
            ...(changes.keyEnc !== undefined ? { keyEnc: changes.keyEnc } : {}),
            ...(changes.activate ? { active: true } : {}),
            count: 0,
            failcount: 0,
            rolloutState: 'enrolled',
          })
          .where('id = :id AND rollout_state = :wait', { id: tokenId, wait: 'clientwait' })
          .execute();
        // Re-enrolled or changed meanwhile: undo the session delete too.
        if (moved.affected !== 1) throw new EnrollmentRaced();
        await em.delete(TokenInfo, { tokenId, key: 'failcounter_exceeded' });
        for (const [k, v] of Object.entries(info)) await this.upsertInfo(em, tokenId, k, v);
        return true;
      });
    } catch (e) {
      if (e instanceof EnrollmentRaced) return false;
      throw e;
    }
  }

  /**
   * Consumes a one-time tokeninfo value (an enrollment credential): true for exactly one of any
   * number of concurrent callers with the right value.
   */
  async consumeInfo(tokenId: number, key: string, value: string): Promise<boolean> {
    const res = await this.tx.exclusive(() =>
      this.tokens.manager.delete(TokenInfo, { tokenId, key, value }),
    );
    return res.affected === 1;
  }

  /**
   * Moves a tokeninfo value forward: stores `value` only if it is greater than the stored one
   * (texts of equal length compare as numbers), or if there is none. False for a value that is
   * not newer: a replayed request. One conditional write decides, across replicas.
   */
  async advanceInfo(tokenId: number, key: string, value: string): Promise<boolean> {
    const moved = await this.tx.exclusive(() =>
      this.tokens.manager
        .createQueryBuilder()
        .update(TokenInfo)
        .set({ value })
        .where('token_id = :tokenId AND `key` = :key AND `value` < :value', { tokenId, key, value })
        .execute(),
    );
    if (moved.affected === 1) return true;
    try {
      await this.tx.exclusive(() =>
        this.tokens.manager.insert(TokenInfo, { tokenId, key, value, type: '' }),
      );
      return true;
    } catch (e) {
      if (isDuplicate(e)) return false;
      throw e;
    }
  }

  /** Fail counter back to 0 (admin reset). */
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
