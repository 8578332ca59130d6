import { createHash } from 'node:crypto';
import { base32Encode } from './base32';
import { decodeOtpKey, otpKeyLengthProblem, OtpKeyError, requireOtpKeyLength } from './otp-key';

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

describe('OTP key length', () => {
  it('accepts keys of at least the minimum and refuses shorter ones', () => {
    expect(otpKeyLengthProblem(16, 16)).toBeUndefined();
    expect(otpKeyLengthProblem(20, 16)).toBeUndefined();
    expect(otpKeyLengthProblem(15, 16)).toBe('Invalid otpkey: 15 bytes, at least 16 required');
    expect(otpKeyLengthProblem(10, 10)).toBeUndefined();
    expect(otpKeyLengthProblem(9, 10)).toBeDefined();
  });

  it('never accepts an empty key, whatever the configured minimum', () => {
    for (const min of [0, -1, 0.5, NaN]) expect(otpKeyLengthProblem(0, min)).toBeDefined();
    expect(otpKeyLengthProblem(1, 0)).toBeUndefined();
  });

  it('a base32check value holding only the checksum decodes to an empty key, which is refused', () => {
    const check = createHash('sha1').update(Buffer.alloc(0)).digest().subarray(0, 4);
    const key = decodeOtpKey(base32Encode(check), 'base32check');
    expect(key.length).toBe(0);
    expect(() => requireOtpKeyLength(key, 16)).toThrow(OtpKeyError);
    const full = Buffer.alloc(16, 7);
    expect(requireOtpKeyLength(full, 16)).toBe(full);
  });
});
