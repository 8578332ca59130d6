import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionRunner } from './transaction-runner';

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number };
}

/**
 * One conditional UPDATE that also reports a new column value: SQLite through `RETURNING <col>`,
 * MySQL/MariaDB (no UPDATE … RETURNING) through `col = LAST_INSERT_ID(<expr>)`, whose value the
 * server returns as the statement's insert id on the same round trip.
 */
export interface CountingUpdate {
  sqlite: string;
  mysql: string;
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/**
 * Runs fixed SQL statements (constant text, `?` placeholders) with the least overhead each driver
 * allows: on SQLite straight on better-sqlite3's prepared statements, cached by text; on MySQL
 * through the pool. Used by the authentication hot path; everything else goes through the ORM.
 */
@Injectable()
export class SqlRunner {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly sqlite: boolean;
  /** Which SQL dialect fixed statements must be written in. */
  readonly dialect: 'sqlite' | 'mysql';

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {
    this.sqlite = dataSource.options.type === 'better-sqlite3';
    this.dialect = this.sqlite ? 'sqlite' : 'mysql';
  }

  async select<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (this.sqlite) return this.statement(sql).all(...params) as T[];
    return this.dataSource.query<T[]>(sql, params);
  }

  /** A single write, never inside another request's open SQLite transaction; affected rows. */
  write(sql: string, params: unknown[]): Promise<number> {
    return this.tx.exclusive(async () => {
      if (this.sqlite) return this.statement(sql).run(...params).changes;
      const raw = await this.dataSource.query<{ affectedRows?: number }>(sql, params);
      return Number(raw?.affectedRows ?? 0);
    });
  }

  /** Runs a CountingUpdate: undefined when no row matched, else the new counter value. */
  writeCounting(sql: CountingUpdate, params: unknown[]): Promise<number | undefined> {
    return this.tx.exclusive(async () => {
      if (this.sqlite) {
        const row = this.statement(sql.sqlite).get(...params) as
          Record<string, unknown> | undefined;
        return row === undefined ? undefined : Number(Object.values(row)[0]);
      }
      const raw = await this.dataSource.query<{ affectedRows?: number; insertId?: number }>(
        sql.mysql,
        params,
      );
      return Number(raw?.affectedRows ?? 0) === 1 ? Number(raw.insertId) : undefined;
    });
  }

  private statement(sql: string): SqliteStatement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection })
        .databaseConnection;
      stmt = db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
