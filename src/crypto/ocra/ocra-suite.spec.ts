import { OcraSuite, OcraSuiteError } from './ocra-suite';

function fields(suite: OcraSuite) {
  return {
    hash: suite.hash,
    digits: suite.digits,
    counter: suite.counter,
    questionType: suite.questionType,
    questionLength: suite.questionLength,
    pinHash: suite.pinHash,
    sessionLength: suite.sessionLength,
    timeStep: suite.timeStep,
  };
}

const plain = {
  counter: false,
  pinHash: undefined,
  sessionLength: undefined,
  timeStep: undefined,
};

describe('OcraSuite.parse', () => {
  it.each([
    [
      'OCRA-1:HOTP-SHA1-6:QN08',
      { ...plain, hash: 'sha1', digits: 6, questionType: 'N', questionLength: 8 },
    ],
    [
      'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1',
      {
        ...plain,
        hash: 'sha256',
        digits: 8,
        counter: true,
        questionType: 'N',
        questionLength: 8,
        pinHash: 'sha1',
      },
    ],
    [
      'OCRA-1:HOTP-SHA512-8:QN08-T1M',
      { ...plain, hash: 'sha512', digits: 8, questionType: 'N', questionLength: 8, timeStep: 60 },
    ],
    [
      'OCRA-1:HOTP-SHA1-6:QH10-S128',
      {
        ...plain,
        hash: 'sha1',
        digits: 6,
        questionType: 'H',
        questionLength: 10,
        sessionLength: 128,
      },
    ],
    [
      'OCRA-1:HOTP-SHA512-10:C-QA64-PSHA512-S512-T48H',
      {
        hash: 'sha512',
        digits: 10,
        counter: true,
        questionType: 'A',
        questionLength: 64,
        pinHash: 'sha512',
        sessionLength: 512,
        timeStep: 48 * 3600,
      },
    ],
    [
      'OCRA-1:HOTP-SHA1-4:QA04-PSHA256-T59S',
      {
        ...plain,
        hash: 'sha1',
        digits: 4,
        questionType: 'A',
        questionLength: 4,
        pinHash: 'sha256',
        timeStep: 59,
      },
    ],
    [
      'OCRA-1:HOTP-SHA1-7:C-QH40-S064',
      {
        ...plain,
        hash: 'sha1',
        digits: 7,
        counter: true,
        questionType: 'H',
        questionLength: 40,
        sessionLength: 64,
      },
    ],
    [
      'OCRA-1:HOTP-SHA256-9:QN10-S256-T30S',
      {
        ...plain,
        hash: 'sha256',
        digits: 9,
        questionType: 'N',
        questionLength: 10,
        sessionLength: 256,
        timeStep: 30,
      },
    ],
    [
      'OCRA-1:HOTP-SHA1-5:C-QN08-PSHA1-T05M',
      {
        ...plain,
        hash: 'sha1',
        digits: 5,
        counter: true,
        questionType: 'N',
        questionLength: 8,
        pinHash: 'sha1',
        timeStep: 300,
      },
    ],
    [
      'OCRA-1:HOTP-SHA1-6:QN08-T0H',
      { ...plain, hash: 'sha1', digits: 6, questionType: 'N', questionLength: 8, timeStep: 0 },
    ],
  ])('parses %s', (text, expected) => {
    const suite = OcraSuite.parse(text);
    expect(suite.suite).toBe(text);
    expect(fields(suite)).toEqual(expected);
  });

  it('parses case-insensitively but keeps the original string', () => {
    const text = 'ocra-1:hotp-Sha256-8:c-qn08-psha1-s064-t1m';
    const suite = OcraSuite.parse(text);
    expect(suite.suite).toBe(text);
    expect(String(suite)).toBe(text);
    expect(fields(suite)).toEqual({
      hash: 'sha256',
      digits: 8,
      counter: true,
      questionType: 'N',
      questionLength: 8,
      pinHash: 'sha1',
      sessionLength: 64,
      timeStep: 60,
    });
  });

  it('accepts every truncation 4..10 and every question length 04..64', () => {
    for (let d = 4; d <= 10; d++) {
      expect(OcraSuite.parse(`OCRA-1:HOTP-SHA1-${d}:QN08`).digits).toBe(d);
    }
    for (let n = 4; n <= 64; n++) {
      const length = String(n).padStart(2, '0');
      expect(OcraSuite.parse(`OCRA-1:HOTP-SHA1-6:QH${length}`).questionLength).toBe(n);
    }
  });

  it('accepts the whole time-step ranges 1-59 S, 1-59 M, 0-48 H', () => {
    expect(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T1S').timeStep).toBe(1);
    expect(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T59S').timeStep).toBe(59);
    expect(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T59M').timeStep).toBe(59 * 60);
    expect(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T0H').timeStep).toBe(0);
    expect(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08-T1H').timeStep).toBe(3600);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN08'))).toBe(true);
  });

  it.each([
    // structure
    ['', 'empty suite'],
    ['garbage', "expected 3 ':'-separated parts, got 1"],
    ['OCRA-1:HOTP-SHA1-6', "expected 3 ':'-separated parts, got 2"],
    ['OCRA-1:HOTP-SHA1-6:QN08:X', "expected 3 ':'-separated parts, got 4"],
    ['OCRA-1:HOTP-SHA1-6:QN08 ', 'suite must be printable ASCII without spaces'],
    [' OCRA-1:HOTP-SHA1-6:QN08', 'suite must be printable ASCII without spaces'],
    ['OCRA-1:HOTP-ſHA1-6:QN08', 'suite must be printable ASCII without spaces'],
    // algorithm
    ['OCRA-2:HOTP-SHA1-6:QN08', "unsupported algorithm 'OCRA-2'"],
    ['OCRA:HOTP-SHA1-6:QN08', "unsupported algorithm 'OCRA'"],
    // crypto function
    [
      'OCRA-1:TOTP-SHA1-6:QN08',
      "invalid crypto function 'TOTP-SHA1-6', expected HOTP-<hash>-<digits>",
    ],
    ['OCRA-1:HOTP-SHA1:QN08', "invalid crypto function 'HOTP-SHA1', expected HOTP-<hash>-<digits>"],
    [
      'OCRA-1:HOTP-SHA1-6-1:QN08',
      "invalid crypto function 'HOTP-SHA1-6-1', expected HOTP-<hash>-<digits>",
    ],
    ['OCRA-1:HOTP-SHA3-6:QH10-S128', "unknown hash function 'SHA3'"],
    ['OCRA-1:HOTP-MD5-6:QN08', "unknown hash function 'MD5'"],
    ['OCRA-1:HOTP-SHA1-0:QN08', 'truncation 0 is not supported'],
    ['OCRA-1:HOTP-SHA1-1:QN08', "invalid truncation '1', expected 4-10"],
    ['OCRA-1:HOTP-SHA1-2:QN08', "invalid truncation '2', expected 4-10"],
    ['OCRA-1:HOTP-SHA1-3:QN08', "invalid truncation '3', expected 4-10"],
    ['OCRA-1:HOTP-SHA1-11:QN08', "invalid truncation '11', expected 4-10"],
    ['OCRA-1:HOTP-SHA1-06:QN08', "invalid truncation '06', expected 4-10"],
    ['OCRA-1:HOTP-SHA1-X:QN08', "invalid truncation 'X', expected 4-10"],
    // question
    ['OCRA-1:HOTP-SHA1-6:', 'empty data input field'],
    ['OCRA-1:HOTP-SHA1-6:C', 'missing question (Q) field'],
    ['OCRA-1:HOTP-SHA1-6:C-', 'empty data input field'],
    ['OCRA-1:HOTP-SHA1-6:QN08-', 'empty data input field'],
    ['OCRA-1:HOTP-SHA1-6:PSHA1', "expected question field Q…, got 'PSHA1'"],
    ['OCRA-1:HOTP-SHA1-6:QX08', "unknown question type 'QX'"],
    ['OCRA-1:HOTP-SHA1-6:Q08', "unknown question type 'Q0'"],
    ['OCRA-1:HOTP-SHA1-6:QN03', 'question length 03 is outside 04-64'],
    ['OCRA-1:HOTP-SHA1-6:QN00', 'question length 00 is outside 04-64'],
    ['OCRA-1:HOTP-SHA256-8:C-QN65-PSHA1', 'question length 65 is outside 04-64'],
    ['OCRA-1:HOTP-SHA1-6:QN8', "invalid question length '8', expected 2 digits"],
    ['OCRA-1:HOTP-SHA1-6:QN008', "invalid question length '008', expected 2 digits"],
    ['OCRA-1:HOTP-SHA1-6:QN', "invalid question length '', expected 2 digits"],
    // P
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA3', "unknown PIN hash function 'SHA3'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-P', "unknown PIN hash function ''"],
    // S
    ['OCRA-1:HOTP-SHA1-6:QN08-S', "invalid session length '', expected 064, 128, 256 or 512"],
    ['OCRA-1:HOTP-SHA1-6:QN08-S64', "invalid session length '64', expected 064, 128, 256 or 512"],
    ['OCRA-1:HOTP-SHA1-6:QN08-S100', "invalid session length '100', expected 064, 128, 256 or 512"],
    [
      'OCRA-1:HOTP-SHA1-6:QN08-S1024',
      "invalid session length '1024', expected 064, 128, 256 or 512",
    ],
    // T
    ['OCRA-1:HOTP-SHA1-6:QN08-T1D', "unknown time step unit 'D', expected S, M or H"],
    ['OCRA-1:HOTP-SHA1-6:QN08-T0S', 'time step 0S is outside 1-59S'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60S', 'time step 60S is outside 1-59S'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T0M', 'time step 0M is outside 1-59M'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60M', 'time step 60M is outside 1-59M'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T49H', 'time step 49H is outside 0-48H'],
    ['OCRA-1:HOTP-SHA1-6:QN08-T', "invalid timestamp field 'T'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-TM', "invalid timestamp field 'TM'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-T100S', "invalid timestamp field 'T100S'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1', "invalid timestamp field 'T1'"],
    // order and repetition
    ['OCRA-1:HOTP-SHA1-6:QN08-C', "misplaced or repeated data input field 'C'"],
    ['OCRA-1:HOTP-SHA1-6:C-C-QN08', "expected question field Q…, got 'C'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-QN08', "misplaced or repeated data input field 'QN08'"],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1', "data input field 'PSHA1' is out of order or repeated"],
    ['OCRA-1:HOTP-SHA1-6:QN08-S064-PSHA1', "data input field 'PSHA1' is out of order or repeated"],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-S064', "data input field 'S064' is out of order or repeated"],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1', "data input field 'PSHA1' is out of order or repeated"],
    ['OCRA-1:HOTP-SHA1-6:QN08-X1', "unknown data input field 'X1'"],
  ])('rejects %p: %s', (text, reason) => {
    expect(() => OcraSuite.parse(text)).toThrow(new OcraSuiteError(reason));
  });

  it('throws OcraSuiteError instances', () => {
    let error: unknown;
    try {
      OcraSuite.parse('OCRA-1:HOTP-SHA3-6:QH10-S128');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OcraSuiteError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('OcraSuiteError');
  });

  it('rejects non-string input at run time', () => {
    expect(() => OcraSuite.parse(undefined as unknown as string)).toThrow(OcraSuiteError);
  });
});
