import { Inject, Injectable, Logger } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { ParameterError, TokenAdminError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LruCache } from '../crypto/lru-cache';
import { otpKeyLengthProblem } from '../crypto/otp-key';
import { SecretBox, SecretBoxError } from '../crypto/secret-box';
import type { Token } from './entities/token.entity';

const OTPKEY = 'otpkey';

/** Encrypted columns of the token row and the purpose each is sealed for. */
const SEALED_COLUMNS = [
  ['keyEnc', OTPKEY],
  ['userPinEnc', 'userpin'],
  ['soPinEnc', 'sopin'],
] as const;

type SealedColumn = (typeof SEALED_COLUMNS)[number][0];

// Decrypted keys of recently used tokens, keyed by serial and ciphertext (a new key is a new
// entry; the same ciphertext in another row is not a hit, so it still has to pass the row-bound
// decryption). The process holds the encryption key anyway, so this adds no exposure, and it saves
// an AES-GCM decryption and an HMAC key import per check.
const KEY_CACHE_SIZE = 10_000;

/** The stored key of a token is missing or does not decrypt for this token: it cannot be used. */
export class TokenKeyUnusableError extends TokenAdminError {
  constructor(serial: string) {
    super(`The key of token ${serial} is missing or invalid; the token cannot be used`);
  }
}

/**
 * Encrypts and decrypts token key material; the only place that sees plain OTP keys at rest.
 * Every value is bound to its token's serial (see SecretBox).
 */
@Injectable()
export class TokenSecrets {
  private readonly keys = new LruCache<string, KeyObject>(KEY_CACHE_SIZE);
  private readonly logger = new Logger('TokenSecrets');

  constructor(
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Seals a token's OTP key, refusing keys shorter than MIN_OTPKEY_BYTES (ParameterError): this
   * is the one way keys reach the database, so no path can store an empty or tiny key.
   */
  sealKey(serial: string, key: Buffer): string {
    const problem = otpKeyLengthProblem(key.length, this.config.limits.minOtpKeyBytes);
    if (problem) throw new ParameterError(problem);
    return this.box.seal(key, OTPKEY, serial);
  }

  /** The token's key; `TokenKeyUnusableError` when it has none or it is not this token's. */
  otpKey(row: Pick<Token, 'serial' | 'keyEnc'>): Buffer {
    if (!row.keyEnc) throw new TokenKeyUnusableError(row.serial);
    return this.openKey(row.serial, row.keyEnc);
  }

  /** The token's OTP key as an HMAC key object, cached; errors as `otpKey`. */
  otpKeyObject(row: Pick<Token, 'serial' | 'keyEnc'>): KeyObject {
    if (!row.keyEnc) throw new TokenKeyUnusableError(row.serial);
    const cacheKey = `${row.serial}\n${row.keyEnc}`;
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = createSecretKey(this.openKey(row.serial, row.keyEnc));
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  seal(serial: string, value: string, purpose: string): string {
    return this.box.seal(value, purpose, serial);
  }

  open(serial: string, value: string, purpose: string): string {
    return this.box.open(value, purpose, serial).toString('utf8');
  }

  /**
   * The row's encrypted columns that are still in the legacy (not row-bound) format, re-sealed
   * for the row. A legacy value that does not open is left alone (and stays unusable).
   */
  resealLegacy(row: Pick<Token, 'serial' | SealedColumn>): Partial<Pick<Token, SealedColumn>> {
    const out: Partial<Pick<Token, SealedColumn>> = {};
    for (const [column, purpose] of SEALED_COLUMNS) {
      const value = row[column];
      if (!value || !SecretBox.isLegacy(value)) continue;
      try {
        out[column] = this.box.seal(this.box.open(value, purpose, row.serial), purpose, row.serial);
      } catch (e) {
        if (!(e instanceof SecretBoxError)) throw e;
        this.logger.warn(
          `token ${row.serial}: legacy ${purpose} value does not decrypt; left as is`,
        );
      }
    }
    return out;
  }

  private openKey(serial: string, sealed: string): Buffer {
    try {
      return this.box.open(sealed, OTPKEY, serial);
    } catch (e) {
      if (!(e instanceof SecretBoxError)) throw e;
      // Wrong ENCRYPTION_KEY, or a value copied or altered in the database.
      this.logger.warn(`token ${serial}: stored key does not decrypt (${e.message})`);
      throw new TokenKeyUnusableError(serial);
    }
  }
}
