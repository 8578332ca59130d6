import { createHash, createHmac } from 'node:crypto';
import { dynamicTruncate } from '../hotp';
import {
  computeOcra,
  OcraInput,
  OcraInputError,
  ocraDataInput,
  timeStepCounter,
  validateQuestion,
} from './ocra';
import { OcraSuite } from './ocra-suite';

const KEY20 = Buffer.from('12345678901234567890', 'ascii');
const KEY32 = Buffer.from('12345678901234567890123456789012', 'ascii');
const KEY64 = Buffer.from(
  '1234567890123456789012345678901234567890123456789012345678901234',
  'ascii',
);
const PIN = '1234';
const PIN_SHA1 = '7110eda4d09e062aa5e4a390b0a572ac0d2c0220';
const T = 0x132d0b6;

type Vector = [suite: string, key: Buffer, input: OcraInput, expected: string];

function ocra(suite: string, key: Buffer, input: OcraInput): string {
  return computeOcra(OcraSuite.parse(suite), key, input);
}

function repeated(digit: number): string {
  return String(digit).repeat(8);
}

describe('RFC 6287 Appendix C test vectors', () => {
  describe('C.1 one-way challenge-response', () => {
    const qn08 = [
      '237653',
      '243178',
      '653583',
      '740991',
      '608993',
      '388898',
      '816933',
      '224598',
      '750600',
      '294470',
    ];
    const cqn08psha1 = [
      '65347737',
      '86775851',
      '78192410',
      '71565254',
      '10104329',
      '65983500',
      '70069104',
      '91771096',
      '75011558',
      '08522129',
    ];
    const qn08psha1 = ['83238735', '01501458', '17957585', '86776967', '86807031'];
    const sha512cqn08 = [
      '07016083',
      '63947962',
      '70123924',
      '25341727',
      '33203315',
      '34205738',
      '44343969',
      '51946085',
      '20403879',
      '31409299',
    ];
    const sha512qn08t1m = ['95209754', '55907591', '22048402', '24218844', '36209546'];

    const vectors: Vector[] = [
      ...qn08.map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA1-6:QN08',
        KEY20,
        { question: repeated(i) },
        otp,
      ]),
      ...cqn08psha1.map((otp, c): Vector => [
        'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1',
        KEY32,
        { question: '12345678', counter: c, pin: PIN },
        otp,
      ]),
      ...qn08psha1.map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA256-8:QN08-PSHA1',
        KEY32,
        { question: repeated(i), pin: PIN },
        otp,
      ]),
      ...sha512cqn08.map((otp, c): Vector => [
        'OCRA-1:HOTP-SHA512-8:C-QN08',
        KEY64,
        { question: repeated(c), counter: c },
        otp,
      ]),
      ...sha512qn08t1m.map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA512-8:QN08-T1M',
        KEY64,
        { question: repeated(i), timestamp: T },
        otp,
      ]),
    ];

    it.each(vectors)('%s %j → %s', (suite, key, input, expected) => {
      expect(ocra(suite, key, input)).toBe(expected);
    });

    it('gives the same result for a PIN and its SHA-1 hash', () => {
      for (const [c, otp] of cqn08psha1.entries()) {
        expect(
          ocra('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', KEY32, {
            question: '12345678',
            counter: c,
            pinHash: PIN_SHA1,
          }),
        ).toBe(otp);
      }
    });

    it('derives T = 0x132d0b6 for T1M from the Unix time of the vectors', () => {
      const suite = OcraSuite.parse('OCRA-1:HOTP-SHA512-8:QN08-T1M');
      expect(timeStepCounter(suite, T * 60)).toBe(T);
      expect(timeStepCounter(suite, T * 60 + 59.9)).toBe(T);
      const timestamp = timeStepCounter(suite, T * 60 + 30);
      expect(computeOcra(suite, KEY64, { question: '00000000', timestamp })).toBe('95209754');
    });
  });

  describe('C.2 mutual challenge-response', () => {
    const server = (i: number) => `CLI2222${i}SRV1111${i}`;
    const client = (i: number) => `SRV1111${i}CLI2222${i}`;
    const vectors: Vector[] = [
      ...['28247970', '01984843', '65387857', '03351211', '83412541'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA256-8:QA08',
        KEY32,
        { question: server(i) },
        otp,
      ]),
      ...['15510767', '90175646', '33777207', '95285278', '28934924'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA256-8:QA08',
        KEY32,
        { question: client(i) },
        otp,
      ]),
      ...['79496648', '76831980', '12250499', '90856481', '12761449'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA512-8:QA08',
        KEY64,
        { question: server(i) },
        otp,
      ]),
      ...['18806276', '70020315', '01600026', '18951020', '32528969'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA512-8:QA08-PSHA1',
        KEY64,
        { question: client(i), pin: PIN },
        otp,
      ]),
    ];

    it.each(vectors)('%s %j → %s', (suite, key, input, expected) => {
      expect(ocra(suite, key, input)).toBe(expected);
    });
  });

  describe('C.3 plain signature', () => {
    const vectors: Vector[] = [
      ...['53095496', '04110475', '31331128', '76028668', '46554205'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA256-8:QA08',
        KEY32,
        { question: `SIG1${i}000` },
        otp,
      ]),
      ...['77537423', '31970405', '10235557', '95213541', '65360607'].map((otp, i): Vector => [
        'OCRA-1:HOTP-SHA512-8:QA10-T1M',
        KEY64,
        { question: `SIG1${i}00000`, timestamp: T },
        otp,
      ]),
    ];

    it.each(vectors)('%s %j → %s', (suite, key, input, expected) => {
      expect(ocra(suite, key, input)).toBe(expected);
    });
  });
});

describe('project vectors (ocra.md §6)', () => {
  it('QN10 question 1234567890: RFC decimal→hex gives 086548', () => {
    expect(ocra('OCRA-1:HOTP-SHA1-6:QN10', KEY20, { question: '1234567890' })).toBe('086548');
  });

  it('QN10 question 1234567890 taken as hex (TiQR app ≥ v2) gives 642131', () => {
    expect(
      ocra('OCRA-1:HOTP-SHA1-6:QN10', KEY20, { question: '1234567890', questionAsHex: true }),
    ).toBe('642131');
  });

  it('QH10 question 0123456789 gives 435930 in both interpretations', () => {
    expect(ocra('OCRA-1:HOTP-SHA1-6:QH10', KEY20, { question: '0123456789' })).toBe('435930');
    expect(
      ocra('OCRA-1:HOTP-SHA1-6:QH10', KEY20, { question: '0123456789', questionAsHex: true }),
    ).toBe('435930');
  });
});

describe('ocraDataInput', () => {
  it('is suite + 0x00 + 128 question bytes for OCRA-1:HOTP-SHA1-8:QH40', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA1-8:QH40');
    const data = ocraDataInput(suite, { question: 'ab'.repeat(20) });
    expect(data.length).toBe(suite.suite.length + 1 + 128);
    expect(data.subarray(0, suite.suite.length).toString('latin1')).toBe(suite.suite);
    expect(data[suite.suite.length]).toBe(0);
    expect(data.subarray(suite.suite.length + 1, suite.suite.length + 21)).toEqual(
      Buffer.alloc(20, 0xab),
    );
    expect(data.subarray(suite.suite.length + 21)).toEqual(Buffer.alloc(108));
  });

  it('lays out C, Q, P, S and T in RFC order with their sizes', () => {
    const text = 'OCRA-1:HOTP-SHA512-8:C-QN08-PSHA256-S064-T30S';
    const suite = OcraSuite.parse(text);
    const data = ocraDataInput(suite, {
      question: '0255',
      counter: 0x0102,
      pin: PIN,
      session: 'abc',
      timestamp: 0x0a0b,
    });
    let at = text.length + 1;
    const take = (n: number) => data.subarray(at, (at += n));
    expect(take(8)).toEqual(Buffer.from('0000000000000102', 'hex'));
    expect(take(128)).toEqual(Buffer.concat([Buffer.from([0xff]), Buffer.alloc(127)]));
    expect(take(32)).toEqual(createHash('sha256').update(PIN).digest());
    expect(take(64)).toEqual(Buffer.concat([Buffer.alloc(62), Buffer.from([0x0a, 0xbc])]));
    expect(take(8)).toEqual(Buffer.from('0000000000000a0b', 'hex'));
    expect(at).toBe(data.length);
  });

  it('uses the original suite bytes, so a lower-case suite gives a different response', () => {
    const lower = 'ocra-1:hotp-sha1-6:qn08';
    const data = ocraDataInput(OcraSuite.parse(lower), { question: '00000000' });
    expect(data.subarray(0, lower.length).toString('latin1')).toBe(lower);
    const expected = dynamicTruncate(createHmac('sha1', KEY20).update(data).digest(), 6);
    expect(ocra(lower, KEY20, { question: '00000000' })).toBe(expected);
    expect(expected).not.toBe('237653');
  });

  describe('question encoding', () => {
    const block = (suite: string, input: OcraInput) => {
      const data = ocraDataInput(OcraSuite.parse(suite), input);
      return data.subarray(suite.length + 1, suite.length + 1 + 128);
    };
    const padded = (hex: string) => {
      const out = Buffer.alloc(128);
      Buffer.from(hex, 'hex').copy(out);
      return out;
    };

    it('QN: decimal value as hex, odd digit count padded with a 0 nibble on the right', () => {
      expect(block('OCRA-1:HOTP-SHA1-6:QN08', { question: '00000000' })).toEqual(padded('00'));
      expect(block('OCRA-1:HOTP-SHA1-6:QN08', { question: '11111111' })).toEqual(padded('a98ac70'));
      expect(block('OCRA-1:HOTP-SHA1-6:QN08', { question: '00004096' })).toEqual(padded('1000'));
    });

    it('QN: a 64-digit question fits the block', () => {
      const q = '9'.repeat(64);
      const hex = BigInt(q).toString(16);
      expect(block('OCRA-1:HOTP-SHA1-6:QN64', { question: q })).toEqual(
        padded(hex.length % 2 ? `${hex}0` : hex),
      );
    });

    it('QH: hex digits (either case), odd count padded with a 0 nibble on the right', () => {
      expect(block('OCRA-1:HOTP-SHA1-6:QH10', { question: 'ABCDEF' })).toEqual(padded('abcdef'));
      expect(block('OCRA-1:HOTP-SHA1-6:QH10', { question: 'abcde' })).toEqual(padded('abcde0'));
    });

    it('QA: ASCII bytes, right-padded with 0x00', () => {
      expect(block('OCRA-1:HOTP-SHA1-6:QA10', { question: 'Ab 1~' })).toEqual(
        padded(Buffer.from('Ab 1~').toString('hex')),
      );
    });

    it('questionAsHex decodes QN digits as hex', () => {
      expect(block('OCRA-1:HOTP-SHA1-6:QN10', { question: '12345', questionAsHex: true })).toEqual(
        padded('123450'),
      );
    });
  });
});

describe('computeOcra inputs', () => {
  const C = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:C-QN08');
  const P1 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-PSHA1');
  const P512 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-PSHA512');
  const S = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QH10-S128');
  const TS = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T30S');
  const q = '12345678';

  it('requires a counter for C suites and accepts 0', () => {
    expect(() => computeOcra(C, KEY20, { question: q })).toThrow(
      new OcraInputError('OCRA-1:HOTP-SHA1-6:C-QN08 requires a counter (C)'),
    );
    expect(computeOcra(C, KEY20, { question: q, counter: 0 })).toMatch(/^\d{6}$/);
  });

  it.each([-1, 1.5, NaN, Number.MAX_SAFE_INTEGER + 1])('rejects counter %p', (counter) => {
    expect(() => computeOcra(C, KEY20, { question: q, counter })).toThrow(OcraInputError);
  });

  it('requires a PIN or PIN hash for P suites; an empty PIN is a value', () => {
    expect(() => computeOcra(P1, KEY20, { question: q })).toThrow(/requires a PIN/);
    expect(computeOcra(P1, KEY20, { question: q, pin: '' })).toBe(
      computeOcra(P1, KEY20, { question: q, pinHash: createHash('sha1').digest('hex') }),
    );
  });

  it('hashes the PIN with the P hash and checks the size of a given hash', () => {
    const digest = createHash('sha512').update(PIN).digest('hex');
    expect(computeOcra(P512, KEY20, { question: q, pin: PIN })).toBe(
      computeOcra(P512, KEY20, { question: q, pinHash: digest.toUpperCase() }),
    );
    expect(() => computeOcra(P512, KEY20, { question: q, pinHash: PIN_SHA1 })).toThrow(
      /PIN hash must be 128 hex digits/,
    );
    expect(() => computeOcra(P1, KEY20, { question: q, pinHash: 'z'.repeat(40) })).toThrow(
      OcraInputError,
    );
    expect(() => computeOcra(P1, KEY20, { question: q, pin: PIN, pinHash: PIN_SHA1 })).toThrow(
      /either a PIN or a PIN hash/,
    );
  });

  it('left-pads session information to the S length', () => {
    const full = 'abc'.padStart(256, '0');
    const expected = computeOcra(S, KEY20, { question: '0123456789', session: full });
    expect(computeOcra(S, KEY20, { question: '0123456789', session: 'abc' })).toBe(expected);
    expect(computeOcra(S, KEY20, { question: '0123456789', session: '0ABC' })).toBe(expected);
  });

  it('rejects missing, empty, non-hex and over-long session information', () => {
    const q10 = '0123456789';
    expect(() => computeOcra(S, KEY20, { question: q10 })).toThrow(/requires session/);
    expect(() => computeOcra(S, KEY20, { question: q10, session: '' })).toThrow(/requires session/);
    expect(() => computeOcra(S, KEY20, { question: q10, session: 'xyz' })).toThrow(/must be hex/);
    expect(() => computeOcra(S, KEY20, { question: q10, session: '1'.repeat(257) })).toThrow(
      /longer than 128 bytes/,
    );
    expect(() => computeOcra(S, KEY20, { question: q10, session: '1'.repeat(256) })).not.toThrow();
  });

  it('requires a timestamp for T suites', () => {
    expect(() => computeOcra(TS, KEY20, { question: q })).toThrow(/requires a timestamp \(T\)/);
    expect(() => computeOcra(TS, KEY20, { question: q, timestamp: -1 })).toThrow(OcraInputError);
  });

  it('ignores inputs the suite does not use', () => {
    const plain = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08');
    expect(
      computeOcra(plain, KEY20, { question: q, counter: 5, pin: 'x', session: 'ab', timestamp: 1 }),
    ).toBe(computeOcra(plain, KEY20, { question: q }));
  });

  it('accepts a mutual question longer than the suite length as long as it fits 128 bytes', () => {
    const qa08 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QA08');
    expect(computeOcra(qa08, KEY20, { question: 'x'.repeat(128) })).toMatch(/^\d{6}$/);
    expect(() => computeOcra(qa08, KEY20, { question: 'x'.repeat(129) })).toThrow(
      /does not fit into 128 bytes/,
    );
    const qh08 = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QH08');
    expect(() => computeOcra(qh08, KEY20, { question: 'a'.repeat(256) })).not.toThrow();
    expect(() => computeOcra(qh08, KEY20, { question: 'a'.repeat(257) })).toThrow(OcraInputError);
  });

  it('validates the question before computing', () => {
    expect(() => computeOcra(P1, KEY20, { question: '12ab5678', pin: PIN })).toThrow(
      OcraInputError,
    );
    const qn = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN10');
    expect(() => computeOcra(qn, KEY20, { question: '12345g', questionAsHex: true })).toThrow(
      /hex/,
    );
  });
});

describe('validateQuestion', () => {
  const suite = (text: string) => OcraSuite.parse(text);

  it.each([
    ['OCRA-1:HOTP-SHA1-6:QN08', '1234'],
    ['OCRA-1:HOTP-SHA1-6:QN08', '00000000'],
    ['OCRA-1:HOTP-SHA1-6:QH40', 'a'.repeat(40)],
    ['OCRA-1:HOTP-SHA1-6:QH40', 'DEADbeef1'],
    ['OCRA-1:HOTP-SHA1-6:QA08', 'SIG10000'],
    ['OCRA-1:HOTP-SHA1-6:QA08', 'a b~!'],
    ['OCRA-1:HOTP-SHA1-6:QA64', 'x'.repeat(64)],
  ])('%s accepts %p', (text, question) => {
    expect(() => validateQuestion(suite(text), question)).not.toThrow();
  });

  it.each([
    ['OCRA-1:HOTP-SHA1-6:QN08', '123', /too short: 3 characters, at least 4/],
    ['OCRA-1:HOTP-SHA1-6:QN08', '123456789', /too long: 9 characters, .* allows 8/],
    ['OCRA-1:HOTP-SHA1-6:QN08', '1234567a', /decimal digits only/],
    ['OCRA-1:HOTP-SHA1-6:QN08', ' 1234', /decimal digits only/],
    ['OCRA-1:HOTP-SHA1-6:QN08', '-1234', /decimal digits only/],
    ['OCRA-1:HOTP-SHA1-6:QH40', '0x1234', /hex digits only/],
    ['OCRA-1:HOTP-SHA1-6:QH40', 'a'.repeat(41), /too long/],
    ['OCRA-1:HOTP-SHA1-6:QA08', 'abc\n', /printable ASCII/],
    ['OCRA-1:HOTP-SHA1-6:QA08', 'äbcd', /printable ASCII/],
    ['OCRA-1:HOTP-SHA1-6:QA08', '', /too short/],
  ])('%s rejects %p', (text, question, message) => {
    expect(() => validateQuestion(suite(text), question)).toThrow(OcraInputError);
    expect(() => validateQuestion(suite(text), question)).toThrow(message);
  });
});

describe('timeStepCounter', () => {
  it.each([
    ['OCRA-1:HOTP-SHA1-6:QN08-T30S', 89, 2],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M', 120, 2],
    ['OCRA-1:HOTP-SHA1-6:QN08-T59M', 59 * 60 * 3 - 1, 2],
    ['OCRA-1:HOTP-SHA1-6:QN08-T48H', 48 * 3600 * 5, 5],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1S', 1234.9, 1234],
  ])('%s at %d s is step %d', (text, seconds, step) => {
    expect(timeStepCounter(OcraSuite.parse(text), seconds)).toBe(step);
  });

  it('rejects suites without T, a zero step and negative times', () => {
    expect(() => timeStepCounter(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08'), 1)).toThrow(
      /no timestamp/,
    );
    expect(() => timeStepCounter(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T0H'), 1)).toThrow(
      OcraInputError,
    );
    expect(() => timeStepCounter(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T1M'), -1)).toThrow(
      OcraInputError,
    );
  });
});
