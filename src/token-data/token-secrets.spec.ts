import { createCipheriv, randomBytes } from 'node:crypto';
import { ParameterError } from '../common/errors';
import type { AppConfig } from '../config/app-config';
import { SecretBox } from '../crypto/secret-box';
import { TokenKeyUnusableError, TokenSecrets } from './token-secrets';

const KEY = Buffer.from('3132333435363738393031323334353637383930', 'hex');

function secrets(encryptionKey = randomBytes(32), minOtpKeyBytes = 16) {
  const config = { limits: { minOtpKeyBytes } } as AppConfig;
  return { secrets: new TokenSecrets(new SecretBox(encryptionKey), config), encryptionKey };
}

function sealV1(key: Buffer, plain: Buffer | string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return 'v1:' + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

describe('TokenSecrets', () => {
  it("opens a token's own key, and not a key copied from another token, even when cached", () => {
    const { secrets: s } = secrets();
    const keyEnc = s.sealKey('A', KEY);
    expect(s.otpKey({ serial: 'A', keyEnc }).equals(KEY)).toBe(true);
    expect(s.otpKeyObject({ serial: 'A', keyEnc }).export().equals(KEY)).toBe(true);
    expect(() => s.otpKeyObject({ serial: 'B', keyEnc })).toThrow(TokenKeyUnusableError);
    expect(() => s.otpKey({ serial: 'B', keyEnc })).toThrow(TokenKeyUnusableError);
  });

  it('a token without key or with a garbled one is unusable, never an empty HMAC key', () => {
    const { secrets: s } = secrets();
    for (const keyEnc of [null, '', 'v2:', 'v2:AAAA', 'garbage']) {
      expect(() => s.otpKeyObject({ serial: 'A', keyEnc })).toThrow(TokenKeyUnusableError);
      expect(() => s.otpKey({ serial: 'A', keyEnc })).toThrow(TokenKeyUnusableError);
    }
  });

  it('refuses to seal a key shorter than MIN_OTPKEY_BYTES', () => {
    expect(() => secrets().secrets.sealKey('A', Buffer.alloc(15))).toThrow(ParameterError);
    expect(() => secrets().secrets.sealKey('A', Buffer.alloc(0))).toThrow(ParameterError);
    expect(() => secrets(randomBytes(32), 10).secrets.sealKey('A', Buffer.alloc(10))).not.toThrow();
  });

  it('re-seals legacy values for their row and leaves current or broken ones alone', () => {
    const { secrets: s, encryptionKey } = secrets();
    const row = {
      serial: 'A',
      keyEnc: sealV1(encryptionKey, KEY, 'otpkey'),
      userPinEnc: s.seal('A', '1234', 'userpin'),
      soPinEnc: 'v1:' + 'A'.repeat(40),
    };
    expect(s.otpKey(row).equals(KEY)).toBe(true);
    const out = s.resealLegacy(row);
    expect(Object.keys(out)).toEqual(['keyEnc']);
    expect(out.keyEnc).toMatch(/^v2:/);
    expect(s.otpKey({ serial: 'A', keyEnc: out.keyEnc! }).equals(KEY)).toBe(true);
    expect(() => s.otpKey({ serial: 'B', keyEnc: out.keyEnc! })).toThrow(TokenKeyUnusableError);
  });
});
