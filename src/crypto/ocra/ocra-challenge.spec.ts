import { createHash } from 'node:crypto';
import { OcraInputError, validateQuestion } from './ocra';
import {
  createOcraChallenge,
  generateQuestion,
  hashChallenge,
  hashChallengeAlgorithm,
  MAX_ADD_RANDOM_CHALLENGE,
  MAX_CHALLENGE_TEXT,
  OCRA_CHALLENGE_MESSAGE,
  parseAddRandomChallenge,
  randomAlphanumeric,
} from './ocra-challenge';
import { OcraSuite } from './ocra-suite';

const sha = (hash: string, text: string) => createHash(hash).update(text, 'utf8').digest('hex');

describe('generateQuestion', () => {
  it.each([
    ['OCRA-1:HOTP-SHA1-6:QN08', /^[0-9]{8}$/],
    ['OCRA-1:HOTP-SHA1-6:QN10', /^[0-9]{10}$/],
    ['OCRA-1:HOTP-SHA1-6:QN64', /^[0-9]{64}$/],
    ['OCRA-1:HOTP-SHA1-8:QH40', /^[0-9a-f]{40}$/],
    ['OCRA-1:HOTP-SHA1-6:QH05', /^[0-9a-f]{5}$/],
    ['OCRA-1:HOTP-SHA1-6:QH63', /^[0-9a-f]{63}$/],
    ['OCRA-1:HOTP-SHA1-6:QA04', /^[A-Za-z0-9]{4}$/],
    ['OCRA-1:HOTP-SHA1-6:qa64', /^[A-Za-z0-9]{64}$/],
  ])('%s gives the maximum length in its alphabet', (text, pattern) => {
    const suite = OcraSuite.parse(text);
    for (let i = 0; i < 20; i++) {
      const question = generateQuestion(suite);
      expect(question).toMatch(pattern);
      expect(() => validateQuestion(suite, question)).not.toThrow();
    }
  });

  it('uses the whole alphabet, leading zeros included', () => {
    const seen = (text: string, rounds: number) => {
      const suite = OcraSuite.parse(text);
      const chars = new Set<string>();
      let leadingZero = false;
      for (let i = 0; i < rounds; i++) {
        const q = generateQuestion(suite);
        if (q.startsWith('0')) leadingZero = true;
        for (const c of q) chars.add(c);
      }
      return { size: chars.size, leadingZero };
    };
    // 6400 draws per alphabet: a missing symbol has probability far below 1e-20.
    expect(seen('OCRA-1:HOTP-SHA1-6:QN64', 100)).toEqual({ size: 10, leadingZero: true });
    expect(seen('OCRA-1:HOTP-SHA1-6:QH64', 100).size).toBe(16);
    expect(seen('OCRA-1:HOTP-SHA1-6:QA64', 100).size).toBe(62);
  });

  it('does not repeat itself', () => {
    const suite = OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN64');
    const questions = new Set(Array.from({ length: 50 }, () => generateQuestion(suite)));
    expect(questions.size).toBe(50);
  });
});

describe('randomAlphanumeric', () => {
  it('returns the requested number of [A-Za-z0-9] characters', () => {
    expect(randomAlphanumeric(0)).toBe('');
    expect(randomAlphanumeric(17)).toMatch(/^[A-Za-z0-9]{17}$/);
  });
});

describe('parseAddRandomChallenge', () => {
  it.each([
    [undefined, 0],
    [null, 0],
    ['', 0],
    ['0', 0],
    [0, 0],
    ['5', 5],
    [' 12 ', 12],
    [8, 8],
    [String(MAX_ADD_RANDOM_CHALLENGE), MAX_ADD_RANDOM_CHALLENGE],
  ])('%p → %p', (value, expected) => {
    expect(parseAddRandomChallenge(value)).toBe(expected);
  });

  it.each(['abc', '-1', '1.5', '1e3', '0x10', -1, 2.5, NaN, MAX_ADD_RANDOM_CHALLENGE + 1])(
    'rejects %p',
    (value) => {
      expect(() => parseAddRandomChallenge(value)).toThrow(OcraInputError);
    },
  );
});

describe('hashChallengeAlgorithm / hashChallenge', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    [false, undefined],
    ['sha256', 'sha256'],
    ['SHA256', 'sha256'],
    ['Sha512', 'sha512'],
    ['sha1', 'sha1'],
    ['1', 'sha1'],
    ['true', 'sha1'],
    ['md5', 'sha1'],
    [true, 'sha1'],
    [1, 'sha1'],
  ])('hashchallenge=%p selects %p', (value, expected) => {
    expect(hashChallengeAlgorithm(value)).toBe(expected);
  });

  it('returns the lower-case hex digest of the UTF-8 text', () => {
    expect(hashChallenge('Überweisung 100 €', 'sha256')).toBe(sha('sha256', 'Überweisung 100 €'));
    expect(hashChallenge('abc', 'yes')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hashChallenge('abc', 'sha512')).toHaveLength(128);
    expect(hashChallenge('abc', undefined)).toBe('abc');
  });
});

describe('createOcraChallenge', () => {
  const QH40 = OcraSuite.parse('OCRA-1:HOTP-SHA1-8:QH40');
  const QH64 = OcraSuite.parse('OCRA-1:HOTP-SHA1-8:QH64');
  const QA20 = OcraSuite.parse('OCRA-1:HOTP-SHA1-8:QA20');

  it('exposes the privacyIDEA message', () => {
    expect(OCRA_CHALLENGE_MESSAGE).toBe('Please answer the challenge');
  });

  it('generates a random question when no challenge is given, ignoring the other options', () => {
    for (const options of [{}, { challenge: '' }, { addRandomChallenge: 5, hashChallenge: '1' }]) {
      const result = createOcraChallenge(QH40, options);
      expect(result.challenge).toMatch(/^[0-9a-f]{40}$/);
      expect(result.originalChallenge).toBeUndefined();
    }
    expect(createOcraChallenge(QH40).challenge).toMatch(/^[0-9a-f]{40}$/);
  });

  it('uses the given challenge as is', () => {
    expect(createOcraChallenge(QA20, { challenge: 'Pay 100 EUR' })).toEqual({
      challenge: 'Pay 100 EUR',
      originalChallenge: 'Pay 100 EUR',
    });
  });

  it('appends addrandomchallenge characters before hashing', () => {
    const result = createOcraChallenge(QH40, {
      challenge: 'Pay 100 EUR',
      addRandomChallenge: '6',
      hashChallenge: '1',
    });
    expect(result.originalChallenge).toMatch(/^Pay 100 EUR[A-Za-z0-9]{6}$/);
    expect(result.challenge).toBe(sha('sha1', result.originalChallenge!));
  });

  it('appends without hashing when only addrandomchallenge is given', () => {
    const result = createOcraChallenge(QA20, { challenge: 'abcd', addRandomChallenge: 4 });
    expect(result.challenge).toMatch(/^abcd[A-Za-z0-9]{4}$/);
    expect(result.originalChallenge).toBe(result.challenge);
  });

  it('hashes with sha256 when the suite has room for 64 hex digits', () => {
    const result = createOcraChallenge(QH64, { challenge: 'Überweisung', hashChallenge: 'sha256' });
    expect(result).toEqual({
      challenge: sha('sha256', 'Überweisung'),
      originalChallenge: 'Überweisung',
    });
  });

  it('rejects challenges the suite cannot answer', () => {
    expect(() => createOcraChallenge(QH40, { challenge: 'hello' })).toThrow(/hex digits only/);
    expect(() => createOcraChallenge(QH40, { challenge: 'x', hashChallenge: 'sha256' })).toThrow(
      /too long: 64 characters/,
    );
    expect(() => createOcraChallenge(QA20, { challenge: 'a'.repeat(21) })).toThrow(/too long/);
    expect(() => createOcraChallenge(QA20, { challenge: 'abc' })).toThrow(/too short/);
    expect(() => createOcraChallenge(QA20, { challenge: 'ab', addRandomChallenge: 'x' })).toThrow(
      OcraInputError,
    );
  });

  it('caps the caller text at 64 characters and the random part at 64, also before hashing', () => {
    expect(MAX_CHALLENGE_TEXT).toBe(64);
    expect(MAX_ADD_RANDOM_CHALLENGE).toBe(64);
    const longest = createOcraChallenge(QH40, {
      challenge: 'x'.repeat(MAX_CHALLENGE_TEXT),
      addRandomChallenge: MAX_ADD_RANDOM_CHALLENGE,
      hashChallenge: '1',
      minRandom: 8,
    });
    expect(longest.originalChallenge).toHaveLength(128);
    for (const challenge of ['x'.repeat(MAX_CHALLENGE_TEXT + 1), 'x'.repeat(1024)]) {
      expect(() => createOcraChallenge(QH40, { challenge, hashChallenge: '1' })).toThrow(
        /challenge must not exceed 64 characters/,
      );
    }
    expect(() =>
      createOcraChallenge(QH40, { challenge: 'x', addRandomChallenge: 1024, hashChallenge: '1' }),
    ).toThrow(OcraInputError);
  });
});
