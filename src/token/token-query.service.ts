import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../auth/principal';
import { ParameterError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isValidLogin, isValidRealm } from '../users/user-ref';
import type { ListTokensDto } from './dto/token-params.dto';
import { TokenInfo } from '../token-data/entities/token-info.entity';
import { TokenRealm } from '../token-data/entities/token-realm.entity';
import { Token } from '../token-data/entities/token.entity';
import { TokenAccess } from './token-access';
import { serializeToken } from './token.serializer';

const SORTABLE: Record<string, string> = {
  id: 't.id',
  serial: 't.serial',
  tokentype: 't.tokentype',
  description: 't.description',
  active: 't.active',
  revoked: 't.revoked',
  locked: 't.locked',
  failcount: 't.failcount',
  maxfail: 't.maxfail',
  count: 't.count',
  otplen: 't.otplen',
  rollout_state: 't.rolloutState',
  username: 't.userLogin',
  user_realm: 't.userRealm',
};

const MAX_PAGE_SIZE = 1000;

/** `*` as a LIKE wildcard; '!' escapes LIKE's own metacharacters on SQLite and MySQL alike. */
function likePattern(text: string): string {
  return text.replace(/[!%_]/g, (c) => '!' + c).replace(/\*/g, '%');
}

/** GET /token/: filters, sorting, pagination (api-token.md §2). */
@Injectable()
export class TokenQueryService {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: TokenAccess,
  ) {}

  async list(principal: Principal, dto: ListTokensDto) {
    const page = Math.max(dto.params.int('page', { min: 1 }) ?? 1, 1);
    const pageSize = Math.min(dto.params.int('pagesize', { min: 1 }) ?? 15, MAX_PAGE_SIZE);
    const qb = this.tokens.createQueryBuilder('t');
    this.applyFilters(qb, principal, dto);
    const sort = SORTABLE[dto.sortby ?? 'serial'] ?? 't.serial';
    qb.orderBy(sort, dto.sortdir?.toLowerCase() === 'desc' ? 'DESC' : 'ASC').addOrderBy(
      't.id',
      'ASC',
    );
    const [rows, count] = await qb
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    const tokens = await this.withRelations(rows);
    return {
      tokens: tokens.map((t) => serializeToken(t)),
      count,
      prev: page > 1 ? page - 1 : null,
      next: page * pageSize < count ? page + 1 : null,
      current: page,
    };
  }

  private applyFilters(
    qb: SelectQueryBuilder<Token>,
    principal: Principal,
    dto: ListTokensDto,
  ): void {
    // Filters are compared in SQL: on MariaDB "default " would match "default".
    for (const realm of [dto.realm, dto.tokenrealm]) {
      if (realm !== undefined && !isValidRealm(realm)) throw new ParameterError('Invalid realm');
    }
    if (dto.userid !== undefined && !isValidLogin(dto.userid)) {
      throw new ParameterError('Invalid user or realm');
    }
    const owner = this.access.owner(principal, dto.user, dto.realm);
    if (owner) {
      qb.andWhere('t.userLogin = :login AND t.userRealm = :realm', {
        login: owner.login,
        realm: owner.realm,
      });
    } else if (dto.realm !== undefined && principal.role === 'admin') {
      qb.andWhere(`t.id IN (SELECT r.token_id FROM tokenrealm r WHERE r.realm = :frealm)`, {
        frealm: dto.realm.toLowerCase(),
      });
    }
    if (dto.serial !== undefined) {
      const serials = dto.serial
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      qb.andWhere(
        new Brackets((b) => {
          serials.forEach((s, i) => {
            if (s.includes('*'))
              b.orWhere(`t.serial LIKE :s${i} ESCAPE '!'`, { [`s${i}`]: likePattern(s) });
            else b.orWhere(`t.serial = :s${i}`, { [`s${i}`]: s });
          });
        }),
      );
    }
    const types = dto.type_list
      ? dto.type_list
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean)
      : dto.type
        ? [dto.type.toLowerCase()]
        : undefined;
    if (types) qb.andWhere('t.tokentype IN (:...types)', { types: types.length ? types : [''] });
    if (dto.tokenrealm !== undefined) {
      qb.andWhere(`t.id IN (SELECT tr.token_id FROM tokenrealm tr WHERE tr.realm = :trealm)`, {
        trealm: dto.tokenrealm.toLowerCase(),
      });
    }
    if (dto.userid !== undefined) qb.andWhere('t.userLogin = :userid', { userid: dto.userid });
    // No resolvers in this service: every owner's resolver is "".
    if (dto.resolver !== undefined && dto.resolver !== '') qb.andWhere('1 = 0');
    if (dto.assigned !== undefined) {
      qb.andWhere(
        dto.assigned.toLowerCase() === 'true' ? 't.userLogin IS NOT NULL' : 't.userLogin IS NULL',
      );
    }
    if (dto.active !== undefined) {
      qb.andWhere('t.active = :active', { active: dto.active.toLowerCase() === 'true' });
    }
    if (dto.rollout_state !== undefined)
      qb.andWhere('t.rolloutState = :rs', { rs: dto.rollout_state });
    if (dto.description !== undefined) {
      qb.andWhere(`t.description LIKE :desc ESCAPE '!'`, { desc: likePattern(dto.description) });
    }
    if (dto.infokey !== undefined) {
      const value = dto.infovalue ?? '*';
      qb.andWhere(
        `t.id IN (SELECT ti.token_id FROM tokeninfo ti WHERE ti.${this.quote('key')} = :ikey AND ti.${this.quote('value')} LIKE :ival ESCAPE '!')`,
        { ikey: dto.infokey, ival: likePattern(value) },
      );
    }
  }

  private quote(column: string): string {
    return this.tokens.manager.connection.driver.escape(column);
  }

  private async withRelations(rows: Token[]): Promise<Token[]> {
    if (rows.length === 0) return rows;
    const ids = rows.map((r) => r.id);
    const [infos, realms] = await Promise.all([
      this.tokens.manager
        .getRepository(TokenInfo)
        .createQueryBuilder('i')
        .where('i.tokenId IN (:...ids)', { ids })
        .getMany(),
      this.tokens.manager
        .getRepository(TokenRealm)
        .createQueryBuilder('r')
        .where('r.tokenId IN (:...ids)', { ids })
        .getMany(),
    ]);
    for (const row of rows) {
      row.info = infos.filter((i) => i.tokenId === row.id);
      row.realms = realms.filter((r) => r.tokenId === row.id);
    }
    return rows;
  }
}
