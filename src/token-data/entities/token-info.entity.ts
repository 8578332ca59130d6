import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Token } from './token.entity';

/** Free key/value data per token (privacyIDEA's tokeninfo). type "password" = value encrypted. */
@Entity({ name: 'tokeninfo' })
@Index('ux_tokeninfo_token_key', ['tokenId', 'key'], { unique: true })
export class TokenInfo {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'token_id', type: 'integer' })
  tokenId!: number;

  @Column({ name: 'key', type: 'varchar', length: 255 })
  key!: string;

  @Column({ name: 'value', type: 'text' })
  value!: string;

  @Column({ name: 'type', type: 'varchar', length: 100, default: '' })
  type!: string;

  @ManyToOne('Token', 'info', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'token_id' })
  token?: Token;
}
