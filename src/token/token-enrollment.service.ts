import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { isoSeconds } from '../common/dates';
import {
  ErrorCode,
  ParameterError,
  PiError,
  PolicyError,
  ResourceNotFoundError,
  TokenAdminError,
} from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDuplicate } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { PinHasher } from '../security/pin-hasher';
import type { InitDraft, OwnerRef } from '../token-types/token-type.interface';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { knownRealm } from '../users/user-ref';
import type { InitTokenDto } from './dto/token-params.dto';
import { Challenge } from '../challenge/entities/challenge.entity';
import { TokenInfo } from '../token-data/entities/token-info.entity';
import { TokenRealm } from '../token-data/entities/token-realm.entity';
import { Token } from '../token-data/entities/token.entity';
import { generateSerial, SERIAL_PATTERN } from './serial-generator';
import { TokenAccess, tooManyTokens } from './token-access';
import { newTokenColumns } from '../token-data/token-defaults';
import {
  checkInfoCount,
  checkInfoKey,
  checkInfoValue,
  WINDOW_CAPS,
  WINDOW_PARAMS,
} from '../token-data/token-limits';
import { TokenSecrets } from '../token-data/token-secrets';
import { TokenStore } from '../token-data/token.store';
import { validityInfo } from './validity-period';

/**
 * /token/init: everything is computed first and written in one transaction, so a failed init
 * leaves no half-created token behind.
 */
@Injectable()
export class TokenEnrollmentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly registry: TokenTypeRegistry,
    private readonly access: TokenAccess,
    private readonly secrets: TokenSecrets,
    private readonly pins: PinHasher,
    private readonly tx: TransactionRunner,
    private readonly store: TokenStore,
  ) {}

  async init(
    dto: InitTokenDto,
    principal: Principal,
    baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const { meta, handler } = this.registry.require(dto.type || 'hotp');
    if (dto.serial !== undefined && !SERIAL_PATTERN.test(dto.serial)) {
      throw new ParameterError('Invalid serial number. Must comply to ^[0-9a-zA-Z\\-_]+$.');
    }
    if (dto.prefix !== undefined && !SERIAL_PATTERN.test(dto.prefix)) {
      throw new ParameterError('Invalid prefix. Must comply to ^[0-9a-zA-Z\\-_]+$.');
    }
    // Wider windows are more work per check and more OTPs accepted: an admin decision.
    if (principal.role !== 'admin' && WINDOW_PARAMS.some((k) => dto.params.has(k))) {
      throw new PolicyError(`Only an administrator may set ${WINDOW_PARAMS.join(', ')}.`);
    }
    const owner = this.access.owner(
      principal,
      dto.user,
      principal.role === 'admin' ? dto.realm : undefined,
    );
    const existing = dto.serial ? await this.access.bySerial(dto.serial, ['realms']) : null;
    if (existing) {
      // A user re-initialises only its own tokens; claiming an unowned one is for admins. Both
      // look like "not found", as everywhere else a user meets a token that is not its own.
      if (!this.access.owns(principal, existing)) throw new ResourceNotFoundError();
      if (existing.tokentype !== meta.type) {
        throw new TokenAdminError(
          `init token failed: Token ${existing.serial} already exists with type ${existing.tokentype}. ` +
            `Can not initialize token with new type ${meta.type}`,
        );
      }
      if (existing.locked)
        throw new TokenAdminError(
          'This action is not possible, since the token is locked',
          ErrorCode.TOKEN_LOCKED,
        );
      if (
        owner &&
        existing.userLogin !== null &&
        (existing.userLogin !== owner.login || existing.userRealm !== owner.realm)
      ) {
        throw new TokenAdminError(
          principal.role === 'admin'
            ? `Token already assigned to user ${existing.userLogin}`
            : 'Token already assigned to another user.',
          ErrorCode.TOKEN_ASSIGNED,
        );
      }
    }
    const before = existing ? { login: existing.userLogin, realm: existing.userRealm } : undefined;

    const row = existing ?? this.newRow(meta.type);
    row.serial =
      existing?.serial ??
      dto.serial ??
      (await this.newSerial(dto.prefix ?? meta.prefix, meta.type));
    const draft: InitDraft = { row, info: new Map(), isNew: !existing, owner };
    if (owner) {
      row.userLogin = owner.login;
      row.userRealm = owner.realm;
    }
    if (dto.description !== undefined) row.description = dto.description.slice(0, 80);
    const countWindow = dto.params.int('count_window', { min: 0, max: WINDOW_CAPS.countWindow });
    if (countWindow !== undefined) row.countWindow = countWindow;
    const syncWindow = dto.params.int('sync_window', { min: 0, max: WINDOW_CAPS.syncWindow });
    if (syncWindow !== undefined) row.syncWindow = syncWindow;
    for (const [key, value] of Object.entries(
      validityInfo(dto.validity_period_start, dto.validity_period_end),
    )) {
      if (value !== '') draft.info.set(key, { value });
    }
    const limits = this.config.limits;
    for (const [key, value] of Object.entries(dto.params.raw)) {
      if (
        key.toLowerCase().startsWith(`${meta.type}.`) &&
        (typeof value === 'string' || typeof value === 'number')
      ) {
        checkInfoKey(key, limits);
        checkInfoValue(key, String(value), limits);
        draft.info.set(key, { value: String(value) });
      }
    }
    // Early refusal before any key generation; binding checks run in the write transaction.
    checkInfoCount([], draft.info.keys(), limits);

    const detail = await handler.init({ params: dto.params, draft, baseUrl });
    if (!row.rolloutState) row.rolloutState = 'enrolled';
    if (draft.otpKeyHex !== undefined)
      row.keyEnc = this.secrets.sealKey(row.serial, Buffer.from(draft.otpKeyHex, 'hex'));
    if (dto.pin !== undefined) row.pinHash = await this.pins.hash(dto.pin);
    const now = new Date();
    if (draft.isNew) draft.info.set('creation_date', { value: isoSeconds(now) });
    if (owner && (draft.isNew || existing?.userLogin === null)) {
      draft.info.set('assignment_date', { value: isoSeconds(now) });
    }
    const realms = this.realmsFor(dto, owner?.realm);
    const gainsOwner = owner !== undefined && (draft.isNew || before?.login === null);

    let savedId: number;
    try {
      savedId = await this.tx.run(async (em) => {
        let keys: string[] = [];
        if (existing) {
          await this.keepOwner(em, existing.id, before!, owner);
          // Challenges issued before the re-init (maybe answered by the old device) are void.
          await em.delete(Challenge, { serial: existing.serial });
          const rows = await em.find(TokenInfo, {
            select: { key: true },
            where: { tokenId: existing.id },
          });
          keys = rows.map((k) => k.key);
        }
        checkInfoCount(keys, draft.info.keys(), limits);
        if (gainsOwner) await this.access.checkOwnerCapacity(em, owner, existing?.id);
        const saved = await em.save(Token, row);
        await this.writeInfo(em, saved.id, draft);
        await this.addRealms(em, saved.id, realms, draft.isNew);
        return saved.id;
      });
    } catch (e) {
      if (e instanceof PiError) throw e;
      if (isDuplicate(e))
        throw new TokenAdminError(`init token failed: Token ${row.serial} already exists`);
      throw e;
    }
    if (draft.isNew && owner) await this.enforceOwnerCap(savedId, owner);
    return { serial: row.serial, rollout_state: row.rolloutState, ...detail };
  }

  /**
   * The owner this request read is still the owner (none, or the same user): a concurrent assign
   * or unassign between our read and our write makes this init fail instead of overwriting it.
   */
  private async keepOwner(
    em: EntityManager,
    id: number,
    before: { login: string | null; realm: string | null },
    owner: OwnerRef | undefined,
  ): Promise<void> {
    const qb = em
      .createQueryBuilder()
      .update(Token)
      .set({
        userLogin: owner?.login ?? before.login,
        userRealm: owner?.realm ?? before.realm,
      });
    const res = await (
      before.login === null
        ? qb.where('id = :id AND user_login IS NULL', { id })
        : qb.where('id = :id AND user_login = :login AND user_realm = :realm', {
            id,
            login: before.login,
            realm: before.realm,
          })
    ).execute();
    if (res.affected !== 1) {
      throw new TokenAdminError('init token failed: the token was changed concurrently');
    }
  }

  /**
   * MAX_TOKENS_PER_USER under concurrency: the check in the write transaction cannot see other
   * uncommitted enrollments on MySQL, so after our commit we count again and, above the cap,
   * take our own new token back. Of two racing enrollments at most one survives (whichever counts
   * last sees both); both may lose, never both win.
   */
  private async enforceOwnerCap(id: number, owner: OwnerRef): Promise<void> {
    const max = this.config.limits.maxTokensPerUser;
    if ((await this.access.ownedCount(this.tokens.manager, owner)) <= max) return;
    await this.tx.run(async (em) => {
      await em.delete(TokenInfo, { tokenId: id });
      await em.delete(TokenRealm, { tokenId: id });
      await em.delete(Token, { id });
    });
    throw tooManyTokens(max);
  }

  private newRow(type: string): Token {
    return this.tokens.create(newTokenColumns(type, this.config.tokens));
  }

  private async newSerial(prefix: string, type: string): Promise<string> {
    let n = await this.tokens.count({ where: { tokentype: type } });
    for (let attempt = 0; attempt < 20; attempt++, n++) {
      const serial = generateSerial(prefix, n, this.config.tokens.serialLength);
      if (!(await this.tokens.exists({ where: { serial } }))) return serial;
    }
    throw new TokenAdminError('init token failed: could not generate a unique serial');
  }

  private realmsFor(dto: InitTokenDto, ownerRealm?: string): string[] {
    const users = this.config.users;
    const realms = new Set<string>();
    if (ownerRealm) realms.add(ownerRealm);
    else if (dto.realm !== undefined) realms.add(knownRealm(dto.realm, users, 'realm'));
    for (const r of dto.params.list('tokenrealm') ?? []) {
      realms.add(knownRealm(r, users, 'tokenrealm'));
    }
    return [...realms];
  }

  private async writeInfo(em: EntityManager, tokenId: number, draft: InitDraft): Promise<void> {
    for (const [key, { value, type }] of draft.info) {
      // A new token has no rows yet: a plain insert, because UPDATE-before-INSERT on a missing
      // key takes InnoDB gap locks that deadlock concurrent enrollments.
      if (draft.isNew) await em.insert(TokenInfo, { tokenId, key, value, type: type ?? '' });
      else await this.store.upsertInfo(em, tokenId, key, value, type ?? '');
    }
  }

  private async addRealms(
    em: EntityManager,
    tokenId: number,
    realms: string[],
    isNew: boolean,
  ): Promise<void> {
    for (const realm of realms) {
      if (isNew || !(await em.exists(TokenRealm, { where: { tokenId, realm } }))) {
        await em.insert(TokenRealm, { tokenId, realm });
      }
    }
  }
}
