import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One open challenge of one token; all challenges of one request share a transaction id. */
@Entity({ name: 'challenge' })
export class Challenge {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('ix_challenge_transaction_id')
  @Column({ name: 'transaction_id', type: 'varchar', length: 64 })
  transactionId!: string;

  /** Type-specific JSON, not visible to clients. */
  @Column({ type: 'text' })
  data!: string;

  /** The question / nonce the token must answer. */
  @Column({ type: 'text' })
  challenge!: string;

  /** '', 'enrollment', 'challenge_declined' or 'challenge_cancelled'. */
  @Column({ type: 'varchar', length: 512, default: '' })
  session!: string;

  @Index('ix_challenge_serial')
  @Column({ type: 'varchar', length: 40 })
  serial!: string;

  @Column({ type: 'datetime' })
  timestamp!: Date;

  @Index('ix_challenge_expiration')
  @Column({ type: 'datetime' })
  expiration!: Date;

  @Column({ name: 'received_count', type: 'integer', default: 0 })
  receivedCount!: number;

  @Column({ name: 'otp_valid', type: 'boolean', default: false })
  otpValid!: boolean;
}
