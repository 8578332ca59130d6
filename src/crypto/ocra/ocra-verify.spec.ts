import { computeOcra, OcraInputError, verifyOcra } from './ocra';
import { OcraSuite } from './ocra-suite';

const KEY20 = Buffer.from('12345678901234567890', 'ascii');
const KEY32 = Buffer.from('12345678901234567890123456789012', 'ascii');
const KEY64 = Buffer.from(
  '1234567890123456789012345678901234567890123456789012345678901234',
  'ascii',
);
const T = 0x132d0b6;

describe('verifyOcra', () => {
  describe('without counter or time', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08');

    it('accepts the right response and nothing else', () => {
      expect(verifyOcra(suite, KEY20, '237653', { question: '00000000' })).toEqual({ ok: true });
      expect(verifyOcra(suite, KEY20, '237654', { question: '00000000' })).toEqual({ ok: false });
      expect(verifyOcra(suite, KEY20, '243178', { question: '00000000' })).toEqual({ ok: false });
    });

    it('rejects responses of the wrong length or type without throwing', () => {
      expect(verifyOcra(suite, KEY20, '', { question: '00000000' }).ok).toBe(false);
      expect(verifyOcra(suite, KEY20, '2376530', { question: '00000000' }).ok).toBe(false);
      expect(verifyOcra(suite, KEY20, ' 237653', { question: '00000000' }).ok).toBe(false);
      expect(
        verifyOcra(suite, KEY20, undefined as unknown as string, { question: '00000000' }).ok,
      ).toBe(false);
    });

    it('still throws for an invalid question', () => {
      expect(() => verifyOcra(suite, KEY20, '237653', { question: 'abcdefgh' })).toThrow(
        OcraInputError,
      );
    });

    it('checks the TiQR hex interpretation only when asked', () => {
      const qn10 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN10');
      const input = { question: '1234567890' };
      expect(verifyOcra(qn10, KEY20, '086548', input).ok).toBe(true);
      expect(verifyOcra(qn10, KEY20, '642131', input).ok).toBe(false);
      expect(verifyOcra(qn10, KEY20, '642131', { ...input, questionAsHex: true }).ok).toBe(true);
    });

    it('verifies the mutual and PIN vectors', () => {
      const qa08 = OcraSuite.parse('OCRA-1:HOTP-SHA256-8:QA08');
      expect(verifyOcra(qa08, KEY32, '28247970', { question: 'CLI22220SRV11110' }).ok).toBe(true);
      const pin = OcraSuite.parse('OCRA-1:HOTP-SHA512-8:QA08-PSHA1');
      expect(
        verifyOcra(pin, KEY64, '18806276', { question: 'SRV11110CLI22220', pin: '1234' }).ok,
      ).toBe(true);
      expect(
        verifyOcra(pin, KEY64, '18806276', { question: 'SRV11110CLI22220', pin: '4321' }).ok,
      ).toBe(false);
    });
  });

  describe('counter suites', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1');
    const input = (counter: number) => ({ question: '12345678', pin: '1234', counter });

    it('returns the matched counter inside the forward window (default 10 counters)', () => {
      expect(verifyOcra(suite, KEY32, '65347737', input(0))).toEqual({ ok: true, counter: 0 });
      expect(verifyOcra(suite, KEY32, '75011558', input(0))).toEqual({ ok: true, counter: 8 });
      expect(verifyOcra(suite, KEY32, '08522129', input(0))).toEqual({ ok: true, counter: 9 });
      expect(verifyOcra(suite, KEY32, '08522129', input(5))).toEqual({ ok: true, counter: 9 });
    });

    it('does not look back or beyond the window', () => {
      expect(verifyOcra(suite, KEY32, '65347737', input(1))).toEqual({ ok: false });
      expect(verifyOcra(suite, KEY32, '08522129', input(0), { counter: 9 })).toEqual({
        ok: false,
      });
      expect(verifyOcra(suite, KEY32, '86775851', input(1), { counter: 1 })).toEqual({
        ok: true,
        counter: 1,
      });
      expect(verifyOcra(suite, KEY32, '86775851', input(1), { counter: 0 })).toEqual({
        ok: false,
      });
    });

    it('requires a counter and a sane window', () => {
      expect(() =>
        verifyOcra(suite, KEY32, '65347737', { question: '12345678', pin: '1234' }),
      ).toThrow(/requires a counter/);
      expect(() => verifyOcra(suite, KEY32, '65347737', input(0), { counter: -1 })).toThrow(
        OcraInputError,
      );
    });

    it('stops at the largest safe counter', () => {
      const max = Number.MAX_SAFE_INTEGER;
      const otp = computeOcra(suite, KEY32, input(max));
      expect(verifyOcra(suite, KEY32, otp, input(max - 1))).toEqual({ ok: true, counter: max });
    });
  });

  describe('time suites', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA512-8:QN08-T1M');
    const q = { question: '00000000' };

    it('accepts the expected step and ±1 step by default, returning the matched step', () => {
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T })).toEqual({
        ok: true,
        timestamp: T,
      });
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T + 1 })).toEqual({
        ok: true,
        timestamp: T,
      });
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T - 1 })).toEqual({
        ok: true,
        timestamp: T,
      });
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T + 2 })).toEqual({
        ok: false,
      });
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T - 2 })).toEqual({
        ok: false,
      });
    });

    it('honours a wider or a zero window', () => {
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T + 3 }, { time: 3 })).toEqual(
        { ok: true, timestamp: T },
      );
      expect(verifyOcra(suite, KEY64, '95209754', { ...q, timestamp: T + 1 }, { time: 0 })).toEqual(
        { ok: false },
      );
    });

    it('derives the step from the clock when no timestamp is given', () => {
      expect(verifyOcra(suite, KEY64, '95209754', q, { now: T * 60 + 10 })).toEqual({
        ok: true,
        timestamp: T,
      });
      expect(verifyOcra(suite, KEY64, '95209754', q, { now: (T + 1) * 60 })).toEqual({
        ok: true,
        timestamp: T,
      });
      expect(verifyOcra(suite, KEY64, '95209754', q, { now: (T + 2) * 60 })).toEqual({
        ok: false,
      });
    });

    it('uses the real clock by default', () => {
      const s30 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T30S');
      const now = Math.floor(Date.now() / 1000 / 30);
      const otp = computeOcra(s30, KEY20, { ...q, timestamp: now });
      expect(verifyOcra(s30, KEY20, otp, q).ok).toBe(true);
    });

    it('prefers the nearest step when several steps match', () => {
      // With 4 digits, steps 5018 and 5021 give the same response (found by search).
      const short = OcraSuite.parse('OCRA-1:HOTP-SHA1-4:QN08-T1M');
      const at = (timestamp: number) => computeOcra(short, KEY20, { ...q, timestamp });
      expect(at(5018)).toBe('2024');
      expect(at(5021)).toBe('2024');
      // From 5020 the step 5021 is one away and 5018 two, so 5021 is the likelier one.
      expect(verifyOcra(short, KEY20, '2024', { ...q, timestamp: 5020 }, { time: 2 })).toEqual({
        ok: true,
        timestamp: 5021,
      });
      expect(verifyOcra(short, KEY20, '2024', { ...q, timestamp: 5019 }, { time: 2 })).toEqual({
        ok: true,
        timestamp: 5018,
      });
    });

    it('does not search below step 0', () => {
      const s30 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T30S');
      const otp = computeOcra(s30, KEY20, { ...q, timestamp: 0 });
      expect(verifyOcra(s30, KEY20, otp, { ...q, timestamp: 0 }, { time: 5 })).toEqual({
        ok: true,
        timestamp: 0,
      });
    });
  });

  describe('counter and time together', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA1-8:C-QA10-T30S');

    it('searches both dimensions and reports both', () => {
      const otp = computeOcra(suite, KEY20, { question: 'SIGN-12345', counter: 3, timestamp: 99 });
      expect(
        verifyOcra(suite, KEY20, otp, { question: 'SIGN-12345', counter: 1, timestamp: 100 }),
      ).toEqual({ ok: true, counter: 3, timestamp: 99 });
    });
  });
});
