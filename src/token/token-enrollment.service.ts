import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { isoSeconds } from '../common/dates';
import {
  ErrorCode,
  ParameterError,
  PiError,
  ResourceNotFoundError,
  TokenAdminError,
} from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDuplicate } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { PinHasher } from '../security/pin-hasher';
import type { InitDraft } from '../token-types/token-type.interface';
import { TokenTypeRegistry } from '../token-types/token-type.registry';
import { isValidRealm } from '../users/user-ref';
import type { InitTokenDto } from './dto/token-params.dto';
import { TokenInfo } from './entities/token-info.entity';
import { TokenRealm } from './entities/token-realm.entity';
import { Token } from './entities/token.entity';
import { generateSerial, SERIAL_PATTERN } from './serial-generator';
import { TokenAccess } from './token-access';
import { newTokenColumns } from './token-defaults';
import { TokenSecrets } from './token-secrets';
import { TokenStore } from './token.store';
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
    const owner = this.access.owner(
      principal,
      dto.user,
      principal.role === 'admin' ? dto.realm : undefined,
    );
    const existing = dto.serial
      ? await this.tokens.findOne({ where: { serial: dto.serial }, relations: { realms: true } })
      : null;
    if (existing) {
      if (!this.access.owns(principal, existing) && existing.userLogin !== null) {
        throw new ResourceNotFoundError();
      }
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
    for (const [key, value] of Object.entries(
      validityInfo(dto.validity_period_start, dto.validity_period_end),
    )) {
      if (value !== '') draft.info.set(key, { value });
    }
    for (const [key, value] of Object.entries(dto.params.raw)) {
      if (
        key.toLowerCase().startsWith(`${meta.type}.`) &&
        (typeof value === 'string' || typeof value === 'number')
      ) {
        draft.info.set(key, { value: String(value).slice(0, 4096) });
      }
    }

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

    try {
      await this.tx.run(async (em) => {
        const saved = await em.save(Token, row);
        await this.writeInfo(em, saved.id, draft);
        await this.addRealms(em, saved.id, realms, draft.isNew);
      });
    } catch (e) {
      if (e instanceof PiError) throw e;
      if (isDuplicate(e))
        throw new TokenAdminError(`init token failed: Token ${row.serial} already exists`);
      throw e;
    }
    return { serial: row.serial, rollout_state: row.rolloutState, ...detail };
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
    const realms = new Set<string>();
    if (ownerRealm) realms.add(ownerRealm);
    else if (dto.realm !== undefined) realms.add(dto.realm.toLowerCase());
    for (const r of dto.params.list('tokenrealm') ?? []) realms.add(r.toLowerCase());
    for (const r of realms) {
      if (!isValidRealm(r)) throw new ParameterError(`Invalid realm: ${r.slice(0, 64)}`);
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
