import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Token } from './token.entity';

/** Realms a token belongs to (lower-case); the owner's realm is always one of them. */
@Entity({ name: 'tokenrealm' })
@Index('ux_tokenrealm_token_realm', ['tokenId', 'realm'], { unique: true })
export class TokenRealm {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ name: 'token_id', type: 'integer' })
  tokenId!: number;

  @Index('ix_tokenrealm_realm')
  @Column({ type: 'varchar', length: 256 })
  realm!: string;

  @ManyToOne('Token', 'realms', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'token_id' })
  token?: Token;
}
