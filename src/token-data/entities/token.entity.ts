import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { TokenInfo } from './token-info.entity';
import { TokenRealm } from './token-realm.entity';

/**
 * One authentication token. The owner is a (login, realm) pair: the SSO gateway owns the user
 * store. count_auth / count_auth_success live here rather than in tokeninfo so that a successful
 * check is one conditional UPDATE.
 */
@Entity({ name: 'token' })
@Index('ix_token_owner', ['userLogin', 'userRealm'])
export class Token {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('ux_token_serial', { unique: true })
  @Column({ type: 'varchar', length: 40 })
  serial!: string;

  @Index('ix_token_tokentype')
  @Column({ type: 'varchar', length: 30 })
  tokentype!: string;

  @Column({ type: 'varchar', length: 80, default: '' })
  description!: string;

  /** Encrypted key material (SecretBox), null until a key is set. */
  @Column({ name: 'key_enc', type: 'text', nullable: true })
  keyEnc!: string | null;

  @Column({ type: 'integer', default: 6 })
  otplen!: number;

  @Column({ type: 'integer', default: 0 })
  count!: number;

  @Column({ name: 'count_window', type: 'integer', default: 10 })
  countWindow!: number;

  @Column({ name: 'sync_window', type: 'integer', default: 1000 })
  syncWindow!: number;

  @Column({ type: 'integer', default: 10 })
  maxfail!: number;

  @Column({ type: 'integer', default: 0 })
  failcount!: number;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'boolean', default: false })
  revoked!: boolean;

  @Column({ type: 'boolean', default: false })
  locked!: boolean;

  @Column({ name: 'rollout_state', type: 'varchar', length: 10, default: '' })
  rolloutState!: string;

  /** argon2id PHC string, or '' for "no PIN" (the PIN is then the empty string). */
  @Column({ name: 'pin_hash', type: 'varchar', length: 255, default: '' })
  pinHash!: string;

  @Column({ name: 'user_pin_enc', type: 'text', nullable: true })
  userPinEnc!: string | null;

  @Column({ name: 'so_pin_enc', type: 'text', nullable: true })
  soPinEnc!: string | null;

  @Column({ name: 'user_login', type: 'varchar', length: 256, nullable: true })
  userLogin!: string | null;

  @Column({ name: 'user_realm', type: 'varchar', length: 256, nullable: true })
  userRealm!: string | null;

  @Column({ name: 'count_auth', type: 'integer', default: 0 })
  countAuth!: number;

  @Column({ name: 'count_auth_success', type: 'integer', default: 0 })
  countAuthSuccess!: number;

  @OneToMany(() => TokenInfo, (info) => info.token)
  info?: TokenInfo[];

  @OneToMany(() => TokenRealm, (realm) => realm.token)
  realms?: TokenRealm[];
}
