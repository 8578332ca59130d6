import { HashAlgorithm } from './hash-algorithm';
import { totp } from './totp';

// RFC 6238 Appendix B: T0 = 0, step 30 s, 8 digits.
const KEYS: Record<HashAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('totp (RFC 6238 Appendix B)', () => {
  it.each(VECTORS)('time %i', (time, sha1, sha256, sha512) => {
    expect(totp(KEYS.sha1, time, 30, 8, 'sha1')).toBe(sha1);
    expect(totp(KEYS.sha256, time, 30, 8, 'sha256')).toBe(sha256);
    expect(totp(KEYS.sha512, time, 30, 8, 'sha512')).toBe(sha512);
  });

  it('changes with the step length', () => {
    expect(totp(KEYS.sha1, 59, 60, 8, 'sha1')).not.toBe(totp(KEYS.sha1, 59, 30, 8, 'sha1'));
    expect(totp(KEYS.sha1, 59, 60, 8, 'sha1')).toBe(totp(KEYS.sha1, 0, 30, 8, 'sha1'));
  });
});
