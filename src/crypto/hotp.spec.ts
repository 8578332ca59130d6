import { findHotpCounter, hotp } from './hotp';

// RFC 4226 Appendix D: key "12345678901234567890", SHA-1, 6 digits, counters 0..9.
const RFC4226_KEY = Buffer.from('3132333435363738393031323334353637383930', 'hex');
const RFC4226_OTPS = [
  '755224',
  '287082',
  '359152',
  '969429',
  '338314',
  '254676',
  '287922',
  '162583',
  '399871',
  '520489',
];

describe('hotp (RFC 4226 Appendix D)', () => {
  it.each(RFC4226_OTPS.map((otp, counter) => [counter, otp]))(
    'counter %i gives %s',
    (counter, otp) => {
      expect(hotp(RFC4226_KEY, counter, 6, 'sha1')).toBe(otp);
    },
  );

  it('finds a counter inside the look-ahead window and not outside it', () => {
    expect(findHotpCounter(RFC4226_KEY, '162583', 0, 10, 6, 'sha1')).toBe(7);
    expect(findHotpCounter(RFC4226_KEY, '162583', 0, 7, 6, 'sha1')).toBe(-1);
    expect(findHotpCounter(RFC4226_KEY, '162583', 8, 10, 6, 'sha1')).toBe(-1);
  });

  it('agrees with hotp() for every counter and OTP spelling', () => {
    // Integer comparison: only the exact zero-padded decimal string matches.
    for (let c = 0; c < 10; c++) {
      expect(findHotpCounter(RFC4226_KEY, RFC4226_OTPS[c], c, 1, 6, 'sha1')).toBe(c);
    }
    for (const otp of ['+55224', ' 55224', '7552.4', '7e5224', '７５５２２４', '-75522']) {
      expect(findHotpCounter(RFC4226_KEY, otp, 0, 10, 6, 'sha1')).toBe(-1);
    }
    // Counters beyond 2^32 and 8 digits: same values as the BigInt-based hotp().
    const big = 2 ** 32 + 5;
    const otp8 = hotp(RFC4226_KEY, big, 8, 'sha256');
    expect(findHotpCounter(RFC4226_KEY, otp8, big - 3, 10, 8, 'sha256')).toBe(big);
    const leadingZero = Array.from({ length: 2000 }, (_, c) => [c, hotp(RFC4226_KEY, c, 6, 'sha1')])
      .filter(([, v]) => String(v).startsWith('0'))
      .slice(0, 3);
    for (const [c, v] of leadingZero) {
      expect(findHotpCounter(RFC4226_KEY, v as string, c as number, 1, 6, 'sha1')).toBe(c);
      expect(findHotpCounter(RFC4226_KEY, String(Number(v)), c as number, 1, 6, 'sha1')).toBe(-1);
    }
  });

  it('rejects an OTP of the wrong length before computing', () => {
    expect(findHotpCounter(RFC4226_KEY, '75522', 0, 10, 6, 'sha1')).toBe(-1);
    expect(findHotpCounter(RFC4226_KEY, '0755224', 0, 10, 6, 'sha1')).toBe(-1);
  });
});
