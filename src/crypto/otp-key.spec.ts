import { createHash } from 'node:crypto';
import { base32Encode } from './base32';
import { decodeOtpKey, OtpKeyError } from './otp-key';

describe('decodeOtpKey', () => {
  it('accepts hex of either case', () => {
    expect(decodeOtpKey('3132ABcd', undefined).toString('hex')).toBe('3132abcd');
  });

  it.each(['', 'abc', '0x3132', '31 32', 'zz', 'a'.repeat(514)])('refuses hex %p', (bad) => {
    expect(() => decodeOtpKey(bad, 'hex')).toThrow(OtpKeyError);
  });

  it('decodes base32check and verifies the checksum', () => {
    const payload = Buffer.from('0102030405060708', 'hex');
    const check = createHash('sha1').update(payload).digest().subarray(0, 4);
    const text = base32Encode(Buffer.concat([check, payload])).toLowerCase();
    expect(decodeOtpKey(text, 'base32check').equals(payload)).toBe(true);
    const broken = base32Encode(Buffer.concat([Buffer.alloc(4), payload]));
    expect(() => decodeOtpKey(broken, 'base32check')).toThrow('Incorrect checksum');
    expect(() => decodeOtpKey('!!!', 'base32check')).toThrow('Invalid base32');
    expect(() => decodeOtpKey('AE', 'base32check')).toThrow('Too short');
  });

  it('refuses unknown formats', () => {
    expect(() => decodeOtpKey('00', 'base64')).toThrow("Unknown OTP key format: 'base64'");
  });
});
