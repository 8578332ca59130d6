import type { Token } from './entities/token.entity';

/** A token row together with its tokeninfo, as the validation and type code see it. */
export class TokenRecord {
  constructor(
    readonly row: Token,
    readonly info: Map<string, string>,
  ) {}

  get id(): number {
    return this.row.id;
  }

  get serial(): string {
    return this.row.serial;
  }

  get type(): string {
    return this.row.tokentype;
  }

  infoValue(key: string): string | undefined {
    return this.info.get(key);
  }

  infoInt(key: string, fallback = 0): number {
    const v = this.info.get(key);
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : fallback;
  }

  static fromRow(row: Token): TokenRecord {
    const info = new Map<string, string>();
    for (const i of row.info ?? []) info.set(i.key, i.value);
    return new TokenRecord(row, info);
  }
}
