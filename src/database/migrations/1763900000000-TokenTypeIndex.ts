import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** /token/init numbers generated serials by the count of tokens of a type: index that lookup. */
export class TokenTypeIndex1763900000000 implements MigrationInterface {
  name = 'TokenTypeIndex1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'token',
      new TableIndex({ name: 'ix_token_tokentype', columnNames: ['tokentype'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('token', 'ix_token_tokentype');
  }
}
