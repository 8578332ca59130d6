import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A sealed value that cannot be opened: unknown format, malformed, truncated or not authentic. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = IV_BYTES + TAG_BYTES;
const CURRENT = 'v2:';
const LEGACY = 'v1:';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * AES-256-GCM for secrets at rest: "v2:" + base64(iv || 16-byte tag || ciphertext).
 *
 * The associated data binds a value to its purpose ("otpkey", "userpin" …) and to its owner (the
 * token serial: unique, never changed, and known before the row is inserted), so a value copied
 * into another field or another token's row fails authentication instead of lending that token
 * someone else's key. "v1:" values (purpose only, no owner) written by earlier versions are still
 * opened; `isLegacy` lets the start-up upgrade find and rewrite them.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  static isLegacy(sealed: string): boolean {
    return sealed.startsWith(LEGACY);
  }

  seal(plain: string | Buffer, purpose: string, owner: string): string {
    if (!owner) throw new Error('SecretBox.seal needs an owner');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(boundAad(purpose, owner));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return CURRENT + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  /** The plaintext; `SecretBoxError` for anything that is not an authentic value of this owner. */
  open(sealed: string, purpose: string, owner: string): Buffer {
    let aad: Buffer;
    if (sealed.startsWith(CURRENT)) aad = boundAad(purpose, owner);
    else if (sealed.startsWith(LEGACY)) aad = Buffer.from(purpose, 'utf8');
    else throw new SecretBoxError('unknown secret format');
    const body = sealed.slice(CURRENT.length);
    if (!BASE64.test(body)) throw new SecretBoxError('malformed secret');
    const raw = Buffer.from(body, 'base64');
    // A short blob would hand GCM a truncated (forgeable) tag, or none at all.
    if (raw.length < HEADER_BYTES) throw new SecretBoxError('secret is too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad);
      decipher.setAuthTag(raw.subarray(IV_BYTES, HEADER_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      throw new SecretBoxError('secret is not authentic for this token and purpose');
    }
  }
}

/** JSON keeps purpose and owner apart whatever characters they hold. */
function boundAad(purpose: string, owner: string): Buffer {
  return Buffer.from(JSON.stringify(['v2', purpose, owner]), 'utf8');
}
