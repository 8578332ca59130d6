import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Initial schema, written with TypeORM's portable Table API so one migration serves SQLite and
 * MySQL/MariaDB. The drift test (test/e2e/migrations.e2e-spec.ts) keeps it equal to the entities.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment' as const,
    };
    await q.createTable(
      new Table({
        name: 'token',
        columns: [
          id,
          { name: 'serial', type: 'varchar', length: '40' },
          { name: 'tokentype', type: 'varchar', length: '30' },
          { name: 'description', type: 'varchar', length: '80', default: "''" },
          { name: 'key_enc', type: 'text', isNullable: true },
          { name: 'otplen', type: 'integer', default: 6 },
          { name: 'count', type: 'integer', default: 0 },
          { name: 'count_window', type: 'integer', default: 10 },
          { name: 'sync_window', type: 'integer', default: 1000 },
          { name: 'maxfail', type: 'integer', default: 10 },
          { name: 'failcount', type: 'integer', default: 0 },
          { name: 'active', type: 'boolean', default: 1 },
          { name: 'revoked', type: 'boolean', default: 0 },
          { name: 'locked', type: 'boolean', default: 0 },
          { name: 'rollout_state', type: 'varchar', length: '10', default: "''" },
          { name: 'pin_hash', type: 'varchar', length: '255', default: "''" },
          { name: 'user_pin_enc', type: 'text', isNullable: true },
          { name: 'so_pin_enc', type: 'text', isNullable: true },
          { name: 'user_login', type: 'varchar', length: '256', isNullable: true },
          { name: 'user_realm', type: 'varchar', length: '256', isNullable: true },
          { name: 'count_auth', type: 'integer', default: 0 },
          { name: 'count_auth_success', type: 'integer', default: 0 },
        ],
        indices: [
          new TableIndex({ name: 'ux_token_serial', columnNames: ['serial'], isUnique: true }),
          new TableIndex({ name: 'ix_token_owner', columnNames: ['user_login', 'user_realm'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tokeninfo',
        columns: [
          id,
          { name: 'token_id', type: 'integer' },
          { name: 'key', type: 'varchar', length: '255' },
          { name: 'value', type: 'text' },
          { name: 'type', type: 'varchar', length: '100', default: "''" },
        ],
        indices: [
          new TableIndex({
            name: 'ux_tokeninfo_token_key',
            columnNames: ['token_id', 'key'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['token_id'],
            referencedTableName: 'token',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tokenrealm',
        columns: [
          id,
          { name: 'token_id', type: 'integer' },
          { name: 'realm', type: 'varchar', length: '256' },
        ],
        indices: [
          new TableIndex({
            name: 'ux_tokenrealm_token_realm',
            columnNames: ['token_id', 'realm'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_tokenrealm_realm', columnNames: ['realm'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['token_id'],
            referencedTableName: 'token',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'challenge',
        columns: [
          id,
          { name: 'transaction_id', type: 'varchar', length: '64' },
          { name: 'data', type: 'text' },
          { name: 'challenge', type: 'text' },
          { name: 'session', type: 'varchar', length: '512', default: "''" },
          { name: 'serial', type: 'varchar', length: '40' },
          { name: 'timestamp', type: 'datetime' },
          { name: 'expiration', type: 'datetime' },
          { name: 'received_count', type: 'integer', default: 0 },
          { name: 'otp_valid', type: 'boolean', default: 0 },
        ],
        indices: [
          new TableIndex({ name: 'ix_challenge_transaction_id', columnNames: ['transaction_id'] }),
          new TableIndex({ name: 'ix_challenge_serial', columnNames: ['serial'] }),
          new TableIndex({ name: 'ix_challenge_expiration', columnNames: ['expiration'] }),
        ],
      }),
    );
    await this.exactComparisons(q);
  }

  /**
   * MySQL compares with the table's collation: the default *_ci would match serials, logins and
   * transaction ids case-insensitively. Binary collation makes them exact, as on SQLite.
   */
  private async exactComparisons(q: QueryRunner): Promise<void> {
    const type = q.connection.driver.options.type;
    if (type !== 'mysql' && type !== 'mariadb') return;
    for (const table of ['token', 'tokeninfo', 'tokenrealm', 'challenge']) {
      await q.query(
        `ALTER TABLE \`${table}\` CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('challenge');
    await q.dropTable('tokenrealm');
    await q.dropTable('tokeninfo');
    await q.dropTable('token');
  }
}
