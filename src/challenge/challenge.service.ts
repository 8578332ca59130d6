import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { Challenge } from './entities/challenge.entity';
import { newTransactionId } from './transaction-id';

export const REFUSAL_SESSIONS = ['challenge_declined', 'challenge_cancelled'];

export interface NewChallenge {
  transactionId: string;
  serial: string;
  tokentype: string;
  challenge: string;
  data?: string;
  session?: string;
  /** Seconds; defaults to <TYPE>_CHALLENGE_VALIDITY_TIME. */
  validity?: number;
}

export type PollStatus = 'accept' | 'pending' | 'declined' | 'cancelled';

/** challenge.md §7 over the rows of one transaction: answered beats refused beats pending. */
export function statusOf(rows: Challenge[], now = new Date()): PollStatus {
  const valid = rows.filter((r) => ChallengeService.isValid(r, now));
  if (valid.some((r) => r.otpValid)) return 'accept';
  if (valid.some((r) => r.session === 'challenge_declined')) return 'declined';
  if (valid.some((r) => r.session === 'challenge_cancelled')) return 'cancelled';
  return 'pending';
}

/**
 * The challenge table. Answering and consuming are conditional writes whose affected-row count
 * decides, so of many concurrent answers exactly one wins, on any number of replicas.
 */
@Injectable()
export class ChallengeService {
  constructor(
    @InjectRepository(Challenge) private readonly repo: Repository<Challenge>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
  ) {}

  newTransactionId(): string {
    return newTransactionId();
  }

  validityFor(tokentype: string): number {
    return this.config.challenges.validityByType[tokentype] ?? this.config.challenges.validityTime;
  }

  async create(c: NewChallenge): Promise<Challenge> {
    const row = this.newRow(c, new Date());
    return this.tx.exclusive(() => this.repo.save(row));
  }

  /**
   * Creates the challenge unless its token already has `cap` open (unexpired) ones; undefined
   * then. The token's row is locked while counting (SQLite: writes take turns anyway), so a
   * burst of triggers on several replicas cannot overshoot the cap.
   */
  async createBelowCap(c: NewChallenge, cap: number): Promise<Challenge | undefined> {
    const now = new Date();
    const lockRow = this.dataSource.options.type !== 'better-sqlite3';
    return this.tx.run(async (em) => {
      if (lockRow) await em.query('SELECT id FROM token WHERE serial = ? FOR UPDATE', [c.serial]);
      const open = await em.count(Challenge, {
        where: { serial: c.serial, expiration: MoreThan(now) },
      });
      if (open >= cap) return undefined;
      return em.save(this.newRow(c, now));
    });
  }

  private newRow(c: NewChallenge, now: Date): Challenge {
    const validity = c.validity ?? this.validityFor(c.tokentype);
    return this.repo.create({
      transactionId: c.transactionId,
      serial: c.serial,
      challenge: c.challenge,
      data: c.data ?? '',
      session: c.session ?? '',
      timestamp: now,
      expiration: new Date(now.getTime() + validity * 1000),
      receivedCount: 0,
      otpValid: false,
    });
  }

  static isValid(row: Challenge, now = new Date()): boolean {
    return row.timestamp.getTime() <= now.getTime() + 1000 && now < row.expiration;
  }

  /** All rows of (serial, transaction), expired ones included. */
  forTokenAndTransaction(serial: string, transactionId: string): Promise<Challenge[]> {
    return this.repo.find({ where: { serial, transactionId }, order: { id: 'ASC' } });
  }

  /**
   * A token's open challenges: unexpired, unanswered, not refused; oldest first. Bounded by
   * MAX_OPEN_CHALLENGES_PER_TOKEN at creation; the limit here only guards the query.
   */
  openForToken(serial: string, limit = 50): Promise<Challenge[]> {
    return this.repo
      .createQueryBuilder('c')
      .where('c.serial = :serial AND c.otpValid = :no AND c.expiration > :now', {
        serial,
        no: false,
        now: new Date(),
      })
      .andWhere('c.session NOT IN (:...refusals)', { refusals: REFUSAL_SESSIONS })
      .orderBy('c.id', 'ASC')
      .take(limit)
      .getMany();
  }

  forTransaction(transactionId: string): Promise<Challenge[]> {
    return this.repo.find({ where: { transactionId }, order: { id: 'ASC' } });
  }

  /**
   * A wrong answer: counts it without consuming the challenge. A row already answered out of band
   * stays answered: a finalize that read it just before the phone's answer must not undo it.
   */
  async recordWrongAnswer(id: number): Promise<void> {
    await this.tx.exclusive(() =>
      this.repo
        .createQueryBuilder()
        .update(Challenge)
        .set({ receivedCount: () => 'received_count + 1' })
        .where('id = :id AND otp_valid = :no', { id, no: false })
        .execute(),
    );
  }

  /**
   * Compare-and-delete: removes the answered row; true only for the one caller whose delete
   * removed it. The other rows of the transaction go with it (challenge.md §6 B).
   */
  async consume(id: number, transactionId: string): Promise<boolean> {
    const removed = await this.tx.exclusive(() => this.repo.delete({ id }));
    if (removed.affected !== 1) return false;
    await this.tx.exclusive(() => this.repo.delete({ transactionId }));
    return true;
  }

  /**
   * Compare-and-set for out-of-band answers (TiQR, Push): marks an open row answered. Only the
   * request whose update changed the row reports success. `extendTo` keeps the row readable for
   * the relying party's finalizing call (PushChallengeFinalizeGrace). `whileTokenUsable` makes the
   * same statement require the row's token to be active, not revoked or locked and below maxfail,
   * so a lockout that lands concurrently is never answered past.
   */
  async markAnswered(
    id: number,
    opts: { extendTo?: Date; whileTokenUsable?: boolean } = {},
  ): Promise<boolean> {
    const now = new Date();
    const qb = this.repo
      .createQueryBuilder()
      .update(Challenge)
      .set({
        otpValid: true,
        receivedCount: () => 'received_count + 1',
        ...(opts.extendTo ? { expiration: opts.extendTo } : {}),
      })
      .where('id = :id AND otp_valid = :no AND expiration > :now', { id, no: false, now })
      .andWhere('session NOT IN (:...refusals)', { refusals: REFUSAL_SESSIONS });
    if (opts.whileTokenUsable) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM token t WHERE t.serial = challenge.serial AND t.active = :yes ' +
          'AND t.revoked = :no AND t.locked = :no AND t.failcount < t.maxfail)',
        { yes: true },
      );
    }
    const res = await this.tx.exclusive(() => qb.execute());
    return res.affected === 1;
  }

  /** Marks an open row declined (push refusal), again only once. */
  async markRefused(id: number, session: string): Promise<boolean> {
    const res = await this.tx.exclusive(() =>
      this.repo
        .createQueryBuilder()
        .update(Challenge)
        .set({ session, receivedCount: () => 'received_count + 1' })
        .where('id = :id AND otp_valid = :no AND expiration > :now', {
          id,
          no: false,
          now: new Date(),
        })
        .andWhere('session NOT IN (:...refusals)', { refusals: REFUSAL_SESSIONS })
        .execute(),
    );
    return res.affected === 1;
  }

  /** /validate/polltransaction: never modifies anything (challenge.md §7). */
  async pollStatus(transactionId: string): Promise<PollStatus> {
    return statusOf(await this.forTransaction(transactionId));
  }

  /** The poll status of many transactions in one query (ChallengeWaiter); absent = no rows. */
  async pollStatuses(transactionIds: string[]): Promise<Map<string, PollStatus>> {
    const out = new Map<string, PollStatus>();
    if (transactionIds.length === 0) return out;
    const rows = await this.repo.find({
      where: { transactionId: In(transactionIds) },
      order: { id: 'ASC' },
    });
    const byTid = new Map<string, Challenge[]>();
    for (const r of rows) {
      const list = byTid.get(r.transactionId) ?? [];
      list.push(r);
      byTid.set(r.transactionId, list);
    }
    for (const [tid, list] of byTid) out.set(tid, statusOf(list));
    return out;
  }

  /** Janitor: removes expired rows (all, or those of one serial). Returns the number deleted. */
  async deleteExpired(serial?: string): Promise<number> {
    const where = serial
      ? { expiration: LessThanOrEqual(new Date()), serial }
      : { expiration: LessThanOrEqual(new Date()) };
    const res = await this.tx.exclusive(() => this.repo.delete(where));
    return res.affected ?? 0;
  }

  async deleteForSerial(serial: string): Promise<number> {
    const res = await this.tx.exclusive(() => this.repo.delete({ serial }));
    return res.affected ?? 0;
  }

  async deleteTransaction(transactionId: string, serials?: string[]): Promise<number> {
    const qb = this.repo
      .createQueryBuilder()
      .delete()
      .from(Challenge)
      .where('transaction_id = :transactionId', { transactionId });
    if (serials) {
      if (serials.length === 0) return 0;
      qb.andWhere('serial IN (:...serials)', { serials });
    }
    const res = await this.tx.exclusive(() => qb.execute());
    return res.affected ?? 0;
  }

  /** GET /token/challenges: paginated list, optionally limited to serials or one transaction. */
  async list(opts: {
    serial?: string;
    serials?: string[];
    transactionId?: string;
    page: number;
    pageSize: number;
    sortBy: string;
    sortDir: 'ASC' | 'DESC';
  }): Promise<{ rows: Challenge[]; count: number }> {
    const columns: Record<string, string> = {
      timestamp: 'c.timestamp',
      expiration: 'c.expiration',
      serial: 'c.serial',
      transaction_id: 'c.transactionId',
      id: 'c.id',
    };
    const qb = this.repo.createQueryBuilder('c');
    if (opts.serial) qb.andWhere('c.serial = :serial', { serial: opts.serial });
    if (opts.transactionId) qb.andWhere('c.transactionId = :tid', { tid: opts.transactionId });
    if (opts.serials) {
      if (opts.serials.length === 0) return { rows: [], count: 0 };
      qb.andWhere(
        new Brackets((b) => b.where('c.serial IN (:...serials)', { serials: opts.serials })),
      );
    }
    qb.orderBy(columns[opts.sortBy] ?? 'c.timestamp', opts.sortDir).addOrderBy('c.id', 'ASC');
    const [rows, count] = await qb
      .skip((opts.page - 1) * opts.pageSize)
      .take(opts.pageSize)
      .getManyAndCount();
    return { rows, count };
  }
}
