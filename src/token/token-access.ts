import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Not, Repository } from 'typeorm';
import type { Principal } from '../auth/principal';
import { ParameterError, PolicyError, ResourceNotFoundError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { knownRealm, resolveUser, UserRef } from '../users/user-ref';
import { Token } from '../token-data/entities/token.entity';
import { hasOuterWhitespace } from '../token-data/token-limits';

export interface Selector {
  serial?: string;
  user?: string;
  realm?: string;
}

/**
 * Which tokens a management caller may touch. Admins reach every token; a user only its own,
 * and someone else's token looks exactly like a missing one (404).
 */
@Injectable()
export class TokenAccess {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The owner a request means: the caller itself for role user, else user/realm parameters. */
  owner(principal: Principal, user?: string, realm?: string): UserRef | undefined {
    if (principal.role === 'user') return { login: principal.username, realm: principal.realm };
    // A realm alone selects a token realm, not an owner.
    if (user === undefined) return undefined;
    const owner = resolveUser(user, realm, this.config.users, 'manage');
    if (realm !== undefined) knownRealm(owner.realm, this.config.users, 'realm');
    return owner;
  }

  owns(principal: Principal, token: Token): boolean {
    return (
      principal.role === 'admin' ||
      (token.userLogin === principal.username && token.userRealm === principal.realm)
    );
  }

  async one(
    principal: Principal,
    serial: string,
    relations: ('info' | 'realms')[] = [],
  ): Promise<Token> {
    const token = await this.bySerial(serial, relations);
    if (!token || !this.owns(principal, token)) throw new ResourceNotFoundError();
    return token;
  }

  /**
   * The token with exactly this serial. A serial with outer whitespace is refused: MariaDB's PAD
   * SPACE collations would otherwise let "X " address token "X".
   */
  async bySerial(serial: string, relations: ('info' | 'realms')[] = []): Promise<Token | null> {
    if (hasOuterWhitespace(serial)) throw new ParameterError('Invalid serial');
    const token = await this.tokens.findOne({
      where: { serial },
      relations: Object.fromEntries(relations.map((r) => [r, true])),
    });
    return token && token.serial === serial ? token : null;
  }

  /** Tokens of `owner` (other than `exceptId`) as `em` sees them. */
  ownedCount(em: EntityManager, owner: UserRef, exceptId?: number): Promise<number> {
    return em.count(Token, {
      where: {
        userLogin: owner.login,
        userRealm: owner.realm,
        ...(exceptId !== undefined ? { id: Not(exceptId) } : {}),
      },
    });
  }

  /** MAX_TOKENS_PER_USER: refuses giving `owner` one more token. */
  async checkOwnerCapacity(em: EntityManager, owner: UserRef, exceptId?: number): Promise<void> {
    if ((await this.ownedCount(em, owner, exceptId)) >= this.config.limits.maxTokensPerUser) {
      throw tooManyTokens(this.config.limits.maxTokensPerUser);
    }
  }

  /** Tokens named by serial or by owner (privacyIDEA's "serial or user" endpoints). */
  async select(principal: Principal, sel: Selector): Promise<Token[]> {
    if (sel.serial !== undefined) return [await this.one(principal, sel.serial)];
    const owner =
      principal.role === 'user'
        ? this.owner(principal)
        : sel.user !== undefined
          ? this.owner(principal, sel.user, sel.realm)
          : undefined;
    if (!owner) throw new ParameterError('Missing parameter: serial or user');
    return this.tokens.find({
      where: { userLogin: owner.login, userRealm: owner.realm },
      order: { id: 'ASC' },
    });
  }
}

export function tooManyTokens(max: number): PolicyError {
  return new PolicyError(`A user may have at most ${max} tokens.`);
}
