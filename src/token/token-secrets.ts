import { Injectable } from '@nestjs/common';
import { SecretBox } from '../crypto/secret-box';
import type { Token } from './entities/token.entity';

const OTPKEY = 'otpkey';

/** Encrypts and decrypts token key material; the only place that sees plain OTP keys at rest. */
@Injectable()
export class TokenSecrets {
  constructor(private readonly box: SecretBox) {}

  sealKey(key: Buffer): string {
    return this.box.seal(key, OTPKEY);
  }

  /** The token's key; an empty buffer for a token without key (never matches an OTP). */
  otpKey(row: Pick<Token, 'keyEnc'>): Buffer {
    return row.keyEnc ? this.box.open(row.keyEnc, OTPKEY) : Buffer.alloc(0);
  }

  seal(value: string, purpose: string): string {
    return this.box.seal(value, purpose);
  }

  open(value: string, purpose: string): string {
    return this.box.open(value, purpose).toString('utf8');
  }
}
