import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, FindOptionsWhere, Repository } from 'typeorm';
import { Token } from './entities/token.entity';
import { TokenSecrets } from './token-secrets';

const BATCH = 500;

/**
 * Rewrites secrets sealed in the legacy "v1:" format (bound to the purpose only) into the
 * row-bound format at start-up, before the service takes requests. It needs the encryption key,
 * which the migration CLI does not have, hence a start-up step rather than a migration. Every
 * UPDATE is conditional on the old value, so replicas starting together, or a re-enrollment
 * racing with it, never overwrite a newer value. Once done, a start-up costs one table scan.
 */
@Injectable()
export class LegacySecretsUpgrade implements OnApplicationBootstrap {
  private readonly logger = new Logger('LegacySecretsUpgrade');

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly secrets: TokenSecrets,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const rewritten = await this.run();
    if (rewritten > 0)
      this.logger.log(`rewrote ${rewritten} tokens' secrets in the row-bound format`);
  }

  /** Number of token rows rewritten. */
  async run(): Promise<number> {
    let lastId = 0;
    let rewritten = 0;
    for (;;) {
      const rows = await this.tokens
        .createQueryBuilder('t')
        .select(['t.id', 't.serial', 't.keyEnc', 't.userPinEnc', 't.soPinEnc'])
        .where('t.id > :lastId', { lastId })
        .andWhere(
          new Brackets((q) =>
            q
              .where('t.key_enc LIKE :legacy')
              .orWhere('t.user_pin_enc LIKE :legacy')
              .orWhere('t.so_pin_enc LIKE :legacy'),
          ),
          { legacy: 'v1:%' },
        )
        .orderBy('t.id', 'ASC')
        .take(BATCH)
        .getMany();
      if (rows.length === 0) return rewritten;
      for (const row of rows) {
        lastId = row.id;
        const set = this.secrets.resealLegacy(row);
        const columns = Object.keys(set) as (keyof typeof set)[];
        if (columns.length === 0) continue;
        const where: FindOptionsWhere<Token> = { id: row.id };
        for (const c of columns) where[c] = row[c] as string;
        const result = await this.tokens.update(where, set);
        rewritten += result.affected ?? 0;
      }
    }
  }
}
