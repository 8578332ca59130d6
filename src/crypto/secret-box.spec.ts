import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('3132333435363738393031323334353637383930', 'otpkey');
    expect(sealed).not.toContain('3132333435');
    expect(box.open(sealed, 'otpkey').toString()).toBe('3132333435363738393031323334353637383930');
  });

  it('refuses a value sealed for another purpose, a tampered value or another key', () => {
    const sealed = box.seal('secret', 'otpkey');
    expect(() => box.open(sealed, 'userpin')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => box.open('v1:' + raw.toString('base64'), 'otpkey')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'otpkey')).toThrow();
  });
});
