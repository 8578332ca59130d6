import { createCipheriv, randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from './secret-box';

/** A value in the format of earlier versions: "v1:" + base64(iv || tag || ct), AAD = purpose. */
function sealV1(key: Buffer, plain: string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return 'v1:' + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

function raw(sealed: string): Buffer {
  return Buffer.from(sealed.slice(3), 'base64');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);
  const plain = '3132333435363738393031323334353637383930';

  it('round-trips in the row-bound v2 format and never stores the plaintext', () => {
    const sealed = box.seal(plain, 'otpkey', 'HOTP0001');
    expect(sealed.startsWith('v2:')).toBe(true);
    expect(SecretBox.isLegacy(sealed)).toBe(false);
    expect(sealed).not.toContain('3132333435');
    expect(box.open(sealed, 'otpkey', 'HOTP0001').toString()).toBe(plain);
  });

  it('a value copied to another token (owner) or another field (purpose) does not open', () => {
    const sealed = box.seal(plain, 'otpkey', 'TOKEN-A');
    expect(() => box.open(sealed, 'otpkey', 'TOKEN-B')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'otpkey', 'token-a')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'userpin', 'TOKEN-A')).toThrow(SecretBoxError);
    // The owner and purpose cannot be shifted into each other.
    const shifted = box.seal(plain, 'a', 'b,c');
    expect(() => box.open(shifted, 'a,b', 'c')).toThrow(SecretBoxError);
  });

  it('refuses a tampered value and another key', () => {
    const sealed = box.seal('secret', 'otpkey', 'S1');
    const bytes = raw(sealed);
    bytes[bytes.length - 1] ^= 1;
    expect(() => box.open('v2:' + bytes.toString('base64'), 'otpkey', 'S1')).toThrow(
      SecretBoxError,
    );
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'otpkey', 'S1')).toThrow(
      SecretBoxError,
    );
  });

  it('a short or garbled blob is a SecretBoxError, not a crypto crash', () => {
    const sealed = box.seal(plain, 'otpkey', 'S1');
    const bytes = raw(sealed);
    for (const bad of [
      '',
      'v2:',
      'v2:AAAA',
      'v2:' + bytes.subarray(0, 27).toString('base64'),
      'v2:' + bytes.subarray(0, bytes.length - 1).toString('base64'),
      'v2:not base64!',
      'v2:' + bytes.toString('base64').slice(0, -1),
      'v3:' + bytes.toString('base64'),
      'v1:' + bytes.subarray(0, 10).toString('base64'),
      plain,
    ]) {
      expect(() => box.open(bad, 'otpkey', 'S1')).toThrow(SecretBoxError);
    }
  });

  it('needs the full 16-byte tag: a truncated tag is refused even where GCM would accept it', () => {
    // Empty plaintext: the blob is iv || tag. Its first 4 tag bytes are a valid 4-byte GCM tag,
    // which a decipher without authTagLength accepts; a forger would need only 2^32 tries.
    const sealed = box.seal('', 'userpin', 'S1');
    expect(box.open(sealed, 'userpin', 'S1').length).toBe(0);
    const truncated =
      'v2:' +
      raw(sealed)
        .subarray(0, 12 + 4)
        .toString('base64');
    expect(() => box.open(truncated, 'userpin', 'S1')).toThrow(SecretBoxError);
    const legacy = sealV1(key, '', 'userpin');
    const legacyTruncated =
      'v1:' +
      raw(legacy)
        .subarray(0, 12 + 4)
        .toString('base64');
    expect(() => box.open(legacyTruncated, 'userpin', 'S1')).toThrow(SecretBoxError);
  });

  it('still opens legacy v1 values (purpose-bound only) and recognises them', () => {
    const legacy = sealV1(key, plain, 'otpkey');
    expect(SecretBox.isLegacy(legacy)).toBe(true);
    expect(box.open(legacy, 'otpkey', 'ANY-SERIAL').toString()).toBe(plain);
    expect(() => box.open(legacy, 'userpin', 'ANY-SERIAL')).toThrow(SecretBoxError);
  });

  it('refuses to seal without an owner', () => {
    expect(() => box.seal(plain, 'otpkey', '')).toThrow();
  });
});
