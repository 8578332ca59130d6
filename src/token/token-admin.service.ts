import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { ChallengeService } from '../challenge/challenge.service';
import { isoSeconds } from '../common/dates';
import {
  ErrorCode,
  ParameterError,
  PolicyError,
  ResourceNotFoundError,
  TokenAdminError,
  TokenLockedError,
} from '../common/errors';
import type { ParamReader } from '../common/params/param-reader';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { parseHashAlgorithm } from '../crypto/hash-algorithm';
import { TransactionRunner } from '../database/transaction-runner';
import { PinHasher } from '../security/pin-hasher';
import { TokenRecord } from '../token-data/token-record';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { knownRealm } from '../users/user-ref';
import { Challenge } from '../challenge/entities/challenge.entity';
import { TokenInfo } from '../token-data/entities/token-info.entity';
import { TokenRealm } from '../token-data/entities/token-realm.entity';
import { Token } from '../token-data/entities/token.entity';
import { Selector, TokenAccess } from './token-access';
import {
  checkInfoCount,
  checkInfoKey,
  checkInfoValue,
  MAX_AUTH_COUNT,
  MAX_FAILCOUNT,
  normalizeInfoValue,
  WINDOW_CAPS,
} from '../token-data/token-limits';
import { TokenSecrets } from '../token-data/token-secrets';
import { TokenStore } from '../token-data/token.store';
import { validityInfo } from './validity-period';

/** Tokeninfo keys the engine owns; setting or deleting them through the API would corrupt state. */
const PROTECTED_INFO_KEYS = new Set([
  'private_key_server',
  'public_key_server',
  'public_key_smartphone',
  'enrollment_credential',
  'session',
  'failcounter_exceeded',
  'creation_date',
  'firebase_token',
  'push_firebase_configuration',
  'push_last_poll',
  'push_last_update',
  'ocrasuite',
]);

/** Keys for which an empty value means "no value" (as on /token/set). */
const CLEARED_BY_EMPTY = new Set(['validity_period_start', 'validity_period_end']);

/** Token lifecycle operations of /token/... (api-token.md §3–§14). */
@Injectable()
export class TokenAdminService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly access: TokenAccess,
    private readonly store: TokenStore,
    private readonly secrets: TokenSecrets,
    private readonly pins: PinHasher,
    private readonly registry: TokenTypeRegistry,
    private readonly challenges: ChallengeService,
    private readonly tx: TransactionRunner,
  ) {}

  /** enable / disable: number of tokens whose state actually changed. */
  async setActive(principal: Principal, sel: Selector, active: boolean): Promise<number> {
    const list = await this.access.select(principal, sel);
    if (active && list.some((t) => t.locked)) throw new TokenLockedError();
    const ids = list.filter((t) => t.active !== active && !t.locked).map((t) => t.id);
    if (ids.length === 0) return 0;
    const res = await this.tx.exclusive(() =>
      this.tokens.update({ id: In(ids), active: !active, locked: false }, { active }),
    );
    return res.affected ?? 0;
  }

  /** Irreversible: revoked, locked, inactive. */
  async revoke(principal: Principal, sel: Selector): Promise<number> {
    const list = await this.access.select(principal, sel);
    if (list.length === 0) return 0;
    await this.tx.exclusive(() =>
      this.tokens.update(
        { id: In(list.map((t) => t.id)) },
        { revoked: true, locked: true, active: false },
      ),
    );
    return list.length;
  }

  async reset(principal: Principal, sel: Selector): Promise<number> {
    const list = await this.access.select(principal, sel);
    for (const t of list) {
      if (t.locked) throw new TokenLockedError();
      await this.store.resetFailcount(t.id);
    }
    return list.length;
  }

  /** Deletes the token with its tokeninfo, realms and challenges. */
  async delete(principal: Principal, serial: string): Promise<number> {
    const token = await this.access.one(principal, serial);
    await this.tx.run(async (em) => {
      await em.delete(TokenInfo, { tokenId: token.id });
      await em.delete(TokenRealm, { tokenId: token.id });
      await em.delete(Token, { id: token.id });
    });
    await this.challenges.deleteForSerial(token.serial);
    return 1;
  }

  async assign(
    principal: Principal,
    serial: string,
    user: string,
    realm: string | undefined,
    pin?: string,
  ) {
    const owner = this.access.owner(principal, user, realm)!;
    const token = await this.access.bySerial(serial);
    // Claiming an unowned token is an admin action; to a user, a token that is not its own does
    // not exist (and its own one is already assigned). A user's assign never sets a PIN.
    if (!token || !this.access.owns(principal, token)) throw new ResourceNotFoundError();
    if (token.locked) throw new TokenLockedError();
    if (token.userLogin !== null || principal.role !== 'admin') {
      throw new TokenAdminError(
        principal.role === 'admin'
          ? `Token already assigned to user ${token.userLogin}`
          : 'Token already assigned to another user.',
        ErrorCode.TOKEN_ASSIGNED,
      );
    }
    const pinHash = pin !== undefined ? await this.pins.hash(pin) : undefined;
    const assigned = await this.tx.run(async (em) => {
      await this.access.checkOwnerCapacity(em, owner);
      // Conditional: of two concurrent assignments only one finds the token unowned.
      const res = await em
        .createQueryBuilder()
        .update(Token)
        .set({
          userLogin: owner.login,
          userRealm: owner.realm,
          failcount: 0,
          ...(pinHash !== undefined ? { pinHash } : {}),
        })
        .where('id = :id AND user_login IS NULL', { id: token.id })
        .execute();
      if (res.affected !== 1) return false;
      await this.store.upsertInfo(em, token.id, 'assignment_date', isoSeconds(new Date()));
      if (!(await em.exists(TokenRealm, { where: { tokenId: token.id, realm: owner.realm } }))) {
        await em.insert(TokenRealm, { tokenId: token.id, realm: owner.realm });
      }
      return true;
    });
    if (!assigned)
      throw new TokenAdminError(
        'Token already assigned to another user.',
        ErrorCode.TOKEN_ASSIGNED,
      );
    return true;
  }

  /** Owner removed, PIN cleared, fail counter 0; realms stay. */
  async unassign(principal: Principal, sel: Selector): Promise<number> {
    const list = await this.access.select(principal, sel);
    for (const t of list) if (t.locked) throw new TokenLockedError();
    if (list.length === 0) return 0;
    await this.tx.run(async (em) => {
      await em.update(
        Token,
        { id: In(list.map((t) => t.id)) },
        {
          userLogin: null,
          userRealm: null,
          pinHash: '',
          failcount: 0,
        },
      );
      await em.delete(TokenInfo, { tokenId: In(list.map((t) => t.id)), key: 'assignment_date' });
      // A device enrolled for the old owner must not answer for anyone else (TiQR identity).
      const bound = list.filter((t) => this.registry.find(t.tokentype)?.handler.ownerBound);
      if (bound.length > 0) {
        const ids = bound.map((t) => t.id);
        await em.update(Token, { id: In(ids) }, { keyEnc: null, rolloutState: 'clientwait' });
        await em.delete(TokenInfo, { tokenId: In(ids), key: 'session' });
        await em.delete(Challenge, { serial: In(bound.map((t) => t.serial)) });
      }
    });
    return list.length;
  }

  async resync(principal: Principal, serial: string, otp1: string, otp2: string): Promise<boolean> {
    const row = await this.access.one(principal, serial, ['info']);
    if (row.locked) throw new TokenLockedError();
    const token = TokenRecord.fromRow(row);
    const match = this.registry.handlerOf(token.type).resync(token, otp1, otp2);
    if (!match) return false;
    return this.store.commitResync(token, match);
  }

  /** Number of PINs set over otppin / userpin / sopin. */
  async setPin(principal: Principal, serial: string, params: ParamReader): Promise<number> {
    const token = await this.access.one(principal, serial);
    if (token.locked) throw new TokenLockedError();
    const otppin = params.optional('otppin', { allowEmpty: true });
    const userpin = params.optional('userpin', { allowEmpty: true });
    const sopin = params.optional('sopin', { allowEmpty: true });
    const set: Partial<Token> = {};
    if (otppin !== undefined) set.pinHash = await this.pins.hash(otppin);
    if (userpin !== undefined) set.userPinEnc = this.secrets.seal(token.serial, userpin, 'userpin');
    if (sopin !== undefined) set.soPinEnc = this.secrets.seal(token.serial, sopin, 'sopin');
    const count = Object.keys(set).length;
    if (count === 0) throw new ParameterError('Missing parameter: otppin');
    await this.tx.exclusive(() => this.tokens.update({ id: token.id }, set));
    return count;
  }

  async setDescription(principal: Principal, serial: string, description: string): Promise<number> {
    const token = await this.access.one(principal, serial);
    await this.tx.exclusive(() =>
      this.tokens.update({ id: token.id }, { description: description.slice(0, 80) }),
    );
    return 1;
  }

  /** /token/set: number of attributes set. */
  async set(principal: Principal, serial: string, params: ParamReader): Promise<number> {
    const token = await this.access.one(principal, serial);
    const columns: Partial<Token> = {};
    const info: Record<string, string> = {};
    const removeInfo: string[] = [];
    let count = 0;
    const description = params.optional('description', { allowEmpty: true });
    if (description !== undefined) {
      columns.description = description.slice(0, 80);
      count++;
    }
    const intFields: [string, keyof Token, number][] = [
      ['count_window', 'countWindow', WINDOW_CAPS.countWindow],
      ['sync_window', 'syncWindow', WINDOW_CAPS.syncWindow],
      ['max_failcount', 'maxfail', MAX_FAILCOUNT],
    ];
    for (const [param, column, max] of intFields) {
      const v = params.int(param, { min: 0, max });
      if (v !== undefined) {
        (columns as Record<string, number>)[column] = v;
        count++;
      }
    }
    const hashlib = params.optional('hashlib');
    if (hashlib !== undefined) {
      const hash = parseHashAlgorithm(hashlib);
      if (!hash) throw new ParameterError(`Invalid hashlib: ${hashlib.slice(0, 20)}`);
      info.hashlib = hash;
      count++;
    }
    for (const key of ['count_auth_max', 'count_auth_success_max']) {
      const v = params.int(key, { min: 0, max: MAX_AUTH_COUNT });
      if (v !== undefined) {
        info[key] = String(v);
        count++;
      }
    }
    const validity = validityInfo(
      params.optional('validity_period_start', { allowEmpty: true }),
      params.optional('validity_period_end', { allowEmpty: true }),
    );
    for (const [key, value] of Object.entries(validity)) {
      if (value === '') removeInfo.push(key);
      else info[key] = value;
      count++;
    }
    await this.tx.run(async (em) => {
      if (Object.keys(info).length > 0) await this.checkInfoRoom(em, token.id, Object.keys(info));
      if (Object.keys(columns).length > 0) await em.update(Token, { id: token.id }, columns);
      for (const [k, v] of Object.entries(info)) await this.store.upsertInfo(em, token.id, k, v);
      if (removeInfo.length > 0)
        await em.delete(TokenInfo, { tokenId: token.id, key: In(removeInfo) });
    });
    return count;
  }

  /** Replaces the token's realms; the owner's realm always stays. */
  async setRealms(principal: Principal, serial: string, params: ParamReader): Promise<boolean> {
    const token = await this.access.one(principal, serial);
    const realms = new Set(
      (params.list('realms') ?? []).map((r) => knownRealm(r, this.config.users, 'realms')),
    );
    if (token.userRealm) realms.add(token.userRealm);
    await this.tx.run(async (em) => {
      await em.delete(TokenRealm, { tokenId: token.id });
      for (const realm of realms) await em.insert(TokenRealm, { tokenId: token.id, realm });
    });
    return true;
  }

  async setInfo(
    principal: Principal,
    serial: string,
    key: string,
    value: string,
  ): Promise<boolean> {
    this.guardInfoKey(key);
    // Keys the engine reads are checked as on /token/set: no unparsable date or window.
    const normalized = normalizeInfoValue(key, value);
    checkInfoValue(key, normalized, this.config.limits);
    const token = await this.access.one(principal, serial);
    await this.tx.run(async (em) => {
      if (normalized === '' && CLEARED_BY_EMPTY.has(key)) {
        await em.delete(TokenInfo, { tokenId: token.id, key });
        return;
      }
      await this.checkInfoRoom(em, token.id, [key]);
      await this.store.upsertInfo(em, token.id, key, normalized);
    });
    return true;
  }

  /**
   * MAX_TOKENINFO_PER_TOKEN. Checked in the write transaction; two concurrent admin writes of new
   * keys to a token at the cap can both pass on MySQL (one entry over), which bounds nothing
   * a user controls.
   */
  private async checkInfoRoom(em: EntityManager, tokenId: number, keys: string[]): Promise<void> {
    const existing = await em.find(TokenInfo, { select: { key: true }, where: { tokenId } });
    checkInfoCount(
      existing.map((i) => i.key),
      keys,
      this.config.limits,
    );
  }

  async deleteInfo(principal: Principal, serial: string, key: string): Promise<boolean> {
    this.guardInfoKey(key);
    const token = await this.access.one(principal, serial);
    const res = await this.tx.exclusive(() =>
      this.tokens.manager.delete(TokenInfo, { tokenId: token.id, key }),
    );
    return (res.affected ?? 0) > 0;
  }

  private guardInfoKey(key: string): void {
    // Outer whitespace first: on MariaDB "session " would address the protected key "session".
    checkInfoKey(key, this.config.limits);
    if (PROTECTED_INFO_KEYS.has(key)) {
      throw new PolicyError(
        `The tokeninfo key ${key} is managed by the server and cannot be changed.`,
      );
    }
  }
}
