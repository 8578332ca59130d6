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

  it('rejects an OTP of the wrong length before computing', () => {
    expect(findHotpCounter(RFC4226_KEY, '75522', 0, 10, 6, 'sha1')).toBe(-1);
    expect(findHotpCounter(RFC4226_KEY, '0755224', 0, 10, 6, 'sha1')).toBe(-1);
  });
});
