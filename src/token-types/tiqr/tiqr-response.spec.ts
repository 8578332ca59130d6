import { OcraSuite } from '../../crypto/ocra/ocra-suite';
import { tiqrResponseMatches } from './tiqr-response';

const KEY20 = Buffer.from('3132333435363738393031323334353637383930', 'hex');

describe('tiqrResponseMatches (tiqr.md §5.1)', () => {
  const qn10 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN10');

  it('accepts both the RFC and the question-as-hex reading for QN suites', () => {
    expect(tiqrResponseMatches(qn10, KEY20, '086548', '1234567890')).toBe(true);
    expect(tiqrResponseMatches(qn10, KEY20, '642131', '1234567890')).toBe(true);
    expect(tiqrResponseMatches(qn10, KEY20, '642132', '1234567890')).toBe(false);
  });

  it('matches RFC 6287 vectors and refuses non-numeric or mis-sized responses', () => {
    const qn08 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08');
    expect(tiqrResponseMatches(qn08, KEY20, '243178', '11111111')).toBe(true);
    expect(tiqrResponseMatches(qn08, KEY20, '24317', '11111111')).toBe(false);
    expect(tiqrResponseMatches(qn08, KEY20, '24317x', '11111111')).toBe(false);
    expect(tiqrResponseMatches(qn08, KEY20, '', '11111111')).toBe(false);
  });

  it('uses only the hex reading for QH suites (where app and RFC agree)', () => {
    const qh10 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QH10');
    // Values from an independent implementation (Python hmac).
    expect(tiqrResponseMatches(qh10, KEY20, '993059', '1234567890')).toBe(true);
    // What a decimal→hex conversion would give: never accepted for QH.
    expect(tiqrResponseMatches(qh10, KEY20, '808119', '1234567890')).toBe(false);
  });

  it('treats a stored question the suite cannot use as a wrong answer', () => {
    expect(tiqrResponseMatches(qn10, KEY20, '086548', 'not-a-number')).toBe(false);
  });
});
