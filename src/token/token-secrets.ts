import { Injectable } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { LruCache } from '../crypto/lru-cache';
import { SecretBox } from '../crypto/secret-box';
import type { Token } from './entities/token.entity';

const OTPKEY = 'otpkey';

// Decrypted keys of recently used tokens, keyed by their ciphertext (a new key is a new entry).
// The process holds the encryption key anyway, so this adds no exposure, and it saves an AES-GCM
// decryption and an HMAC key import per check.
const KEY_CACHE_SIZE = 10_000;

/** Encrypts and decrypts token key material; the only place that sees plain OTP keys at rest. */
@Injectable()
export class TokenSecrets {
  private readonly keys = new LruCache<string, KeyObject>(KEY_CACHE_SIZE);

  constructor(private readonly box: SecretBox) {}

  sealKey(key: Buffer): string {
    return this.box.seal(key, OTPKEY);
  }

  /** The token's key; an empty buffer for a token without key (never matches an OTP). */
  otpKey(row: Pick<Token, 'keyEnc'>): Buffer {
    return row.keyEnc ? this.box.open(row.keyEnc, OTPKEY) : Buffer.alloc(0);
  }

  /** The token's OTP key as an HMAC key object, cached; undefined for a token without key. */
  otpKeyObject(row: Pick<Token, 'keyEnc'>): KeyObject | undefined {
    if (!row.keyEnc) return undefined;
    let key = this.keys.get(row.keyEnc);
    if (!key) {
      key = createSecretKey(this.box.open(row.keyEnc, OTPKEY));
      this.keys.set(row.keyEnc, key);
    }
    return key;
  }

  seal(value: string, purpose: string): string {
    return this.box.seal(value, purpose);
  }

  open(value: string, purpose: string): string {
    return this.box.open(value, purpose).toString('utf8');
  }
}
