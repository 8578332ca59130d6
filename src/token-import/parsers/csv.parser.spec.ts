import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvTokens } from './csv.parser';
import { ImportFormatError } from './imported-token';

const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../../test/fixtures/import', name), 'utf8');

// RFC 4226 / RFC 6238 test keys ("1234567890…" in ASCII), 20, 32 and 64 bytes.
const K20 = '3132333435363738393031323334353637383930';
const K32 = `${K20}313233343536373839303132`;
const K64 = `${K20}${K20}${K20}31323334`;

describe('parseCsvTokens', () => {
  it('reads tokens.csv (HOTP, TOTP, OCRA, comments, hash from key length)', () => {
    const result = parseCsvTokens(fixture('tokens.csv'));
    expect(result.errors).toEqual([]);
    expect(result.tokens).toEqual([
      { serial: 'hotp001', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1', counter: 0 },
      { serial: 'hotp002', type: 'hotp', otpkey: K20, otplen: 8, hashlib: 'sha1', counter: 345 },
      { serial: 'hotp003', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1' },
      { serial: 'totp001', type: 'totp', otpkey: K20, otplen: 6, timeStep: 60, hashlib: 'sha1' },
      { serial: 'totp002', type: 'totp', otpkey: K32, otplen: 8, timeStep: 30, hashlib: 'sha256' },
      { serial: 'totp003', type: 'totp', otpkey: K64, otplen: 8, timeStep: 30, hashlib: 'sha512' },
      {
        serial: 'ocra001',
        type: 'ocra',
        otpkey: K20,
        otplen: 6,
        hashlib: 'sha1',
        ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08',
      },
      {
        serial: 'ocra002',
        type: 'ocra',
        otpkey: K32,
        otplen: 8,
        hashlib: 'sha256',
        ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1',
      },
      {
        serial: 'ocra003',
        type: 'ocra',
        otpkey: K20,
        otplen: 8,
        hashlib: 'sha1',
        ocrasuite: 'OCRA-1:HOTP-SHA1-8:QH40',
      },
    ]);
  });

  it('reports every bad row of tokens-bad.csv with its line number', () => {
    const result = parseCsvTokens(fixture('tokens-bad.csv'));
    expect(result.tokens).toEqual([
      { serial: 'good001', type: 'hotp', otpkey: K20, otplen: 6, hashlib: 'sha1' },
    ]);
    expect(result.errors).toEqual([
      { record: 3, serial: 'badkey01', reason: 'key is not hexadecimal' },
      {
        record: 4,
        serial: 'badtype01',
        reason: 'unsupported token type "tan" (expected hotp, totp, ocra or tiqr)',
      },
      {
        record: 5,
        serial: 'bad serial!',
        reason:
          'invalid serial: only letters, digits, "-" and "_" are allowed (at most 40 characters)',
      },
      { record: 6, serial: 'oddkey01', reason: 'key has an odd number of hex digits' },
      { record: 7, serial: 'otplen01', reason: 'otplen must be 6 or 8, got "7"' },
      {
        record: 8,
        serial: 'counter01',
        reason: 'counter must be an integer from 0 to 2000000000, got "-1"',
      },
      {
        record: 9,
        serial: 'step01',
        reason: 'timeStep must be an integer from 1 to 3600, got "0"',
      },
      {
        record: 10,
        serial: 'sha224key',
        reason: 'a 28-byte key implies sha224, which is not supported',
      },
      {
        record: 11,
        serial: 'ocrabad01',
        reason: 'invalid OCRA suite "OCRA-1:HOTP-SHA3-6:QH10": unsupported hash SHA3',
      },
      { record: 12, serial: 'nokey01', reason: 'missing key' },
      { record: 13, reason: 'missing serial' },
      { record: 14, serial: 'good001', reason: 'duplicate serial (also in line 2)' },
    ]);
  });

  it('refuses sha384-length keys but accepts them for OCRA, where the suite names the hash', () => {
    const k48 = K32 + '3132333435363738' + '3930313233343536';
    const result = parseCsvTokens(`h1, ${k48}, hotp\no1, ${k48}, ocra, OCRA-1:HOTP-SHA512-8:QN08`);
    expect(result.errors).toEqual([
      { record: 1, serial: 'h1', reason: 'a 48-byte key implies sha384, which is not supported' },
    ]);
    expect(result.tokens).toEqual([
      {
        serial: 'o1',
        type: 'ocra',
        otpkey: k48,
        otplen: 8,
        hashlib: 'sha512',
        ocrasuite: 'OCRA-1:HOTP-SHA512-8:QN08',
      },
    ]);
  });

  it('lower-cases hex keys, handles CRLF, a BOM, tabs and an empty type column', () => {
    const result = parseCsvTokens(
      `\uFEFFt1,\t${K20.toUpperCase()} , ,8\r\nt2, ${K20}, totp, , \r\n`,
    );
    expect(result.errors).toEqual([]);
    expect(result.tokens).toEqual([
      { serial: 't1', type: 'hotp', otpkey: K20, otplen: 8, hashlib: 'sha1' },
      { serial: 't2', type: 'totp', otpkey: K20, otplen: 6, timeStep: 30, hashlib: 'sha1' },
    ]);
  });

  it('reads user and realm from a "# version: 2" file', () => {
    const csv = [
      '# version: 2',
      `alice, resolver1, realm1, tok1, ${K20}, hotp`,
      '# an empty serial is an error',
      `bob, resolver2, realm2, , ${K20}, hotp`,
      `, , realm3, tok3, ${K20}, totp, 8, 60`,
      'carol, resolver4, realm4',
    ].join('\n');
    const result = parseCsvTokens(csv);
    expect(result.tokens).toEqual([
      {
        serial: 'tok1',
        type: 'hotp',
        otpkey: K20,
        otplen: 6,
        hashlib: 'sha1',
        user: 'alice',
        realm: 'realm1',
      },
      {
        serial: 'tok3',
        type: 'totp',
        otpkey: K20,
        otplen: 8,
        timeStep: 60,
        hashlib: 'sha1',
        realm: 'realm3',
      },
    ]);
    expect(result.errors).toEqual([
      { record: 4, reason: 'missing serial' },
      { record: 6, reason: 'a version 2 row needs user, resolver, realm, serial and key' },
    ]);
  });

  it('checks OCRA suites against the RFC 6287 grammar', () => {
    const suites = [
      'OCRA-1:HOTP-SHA1-3:QN08',
      'OCRA-1:HOTP-SHA1-6:QN65',
      'OCRA-2:HOTP-SHA1-6:QN08',
      'OCRA-1:HOTP-SHA1-6',
      'OCRA-1:HOTP-SHA1-6:QN08-T60M',
      'OCRA-1:HOTP-SHA1-6:QN08-S100',
    ];
    const csv = suites.map((s, i) => `o${i}, ${K20}, ocra, ${s}`).join('\n');
    const result = parseCsvTokens(`${csv}\nok1, ${K20}, ocra, ocra-1:hotp-sha256-6:qa10-s064-t1h`);
    expect(result.errors.map((e) => e.reason)).toEqual([
      'invalid OCRA suite "OCRA-1:HOTP-SHA1-3:QN08": truncation must be 4 to 10 digits',
      'invalid OCRA suite "OCRA-1:HOTP-SHA1-6:QN65": question length must be 04 to 64',
      'invalid OCRA suite "OCRA-2:HOTP-SHA1-6:QN08": algorithm must be OCRA-1',
      'invalid OCRA suite "OCRA-1:HOTP-SHA1-6": expected three ":"-separated parts',
      'invalid OCRA suite "OCRA-1:HOTP-SHA1-6:QN08-T60M": time step out of range',
      'invalid OCRA suite "OCRA-1:HOTP-SHA1-6:QN08-S100": malformed data input',
    ]);
    // The suite is kept as written (it is part of the OCRA DataInput).
    expect(result.tokens).toEqual([
      {
        serial: 'ok1',
        type: 'ocra',
        otpkey: K20,
        otplen: 6,
        hashlib: 'sha256',
        ocrasuite: 'ocra-1:hotp-sha256-6:qa10-s064-t1h',
      },
    ]);
  });

  it('range-checks numeric columns so that no value overflows a database column', () => {
    const result = parseCsvTokens(
      [
        `max,${K20},hotp,6,2000000000`,
        `int31,${K20},hotp,6,2147483648`,
        `int32,${K20},hotp,6,4294967296`,
        `huge,${K20},hotp,6,${'9'.repeat(30)}`,
        `frac,${K20},hotp,6,1.5`,
        `step,${K20},totp,6,86400`,
        `digits,${K20},hotp,10,0`,
      ].join('\n'),
    );
    expect(result.tokens.map((t) => [t.serial, t.counter])).toEqual([['max', 2_000_000_000]]);
    const range = (v: string) => `counter must be an integer from 0 to 2000000000, got "${v}"`;
    expect(result.errors).toEqual([
      { record: 2, serial: 'int31', reason: range('2147483648') },
      { record: 3, serial: 'int32', reason: range('4294967296') },
      { record: 4, serial: 'huge', reason: range('9'.repeat(20)) },
      { record: 5, serial: 'frac', reason: range('1.5') },
      {
        record: 6,
        serial: 'step',
        reason: 'timeStep must be an integer from 1 to 3600, got "86400"',
      },
      { record: 7, serial: 'digits', reason: 'otplen must be 6 or 8, got "10"' },
    ]);
  });

  it('rejects serials longer than 40 characters', () => {
    const long = 'a'.repeat(41);
    const result = parseCsvTokens(`${'b'.repeat(40)}, ${K20}\n${long}, ${K20}`);
    expect(result.tokens.map((t) => t.serial)).toEqual(['b'.repeat(40)]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        record: 2,
        serial: long,
        reason: expect.stringMatching(/^invalid serial/),
      }),
    ]);
  });

  it.each([
    ['an empty file', ''],
    ['a file with only comments', '# nothing here\n\n   \n# still nothing\n'],
  ])('throws ImportFormatError for %s', (_name, text) => {
    expect(() => parseCsvTokens(text)).toThrow(ImportFormatError);
    expect(() => parseCsvTokens(text)).toThrow('CSV import: the file contains no token rows');
  });

  it('throws ImportFormatError for binary data and unknown versions', () => {
    expect(() => parseCsvTokens(`t1, ${K20}\u0000`)).toThrow(
      'CSV import: the file contains binary data',
    );
    expect(() => parseCsvTokens(`# version: 3\nt1, ${K20}`)).toThrow(
      'CSV import: unsupported file version 3 (expected 1 or 2)',
    );
  });
});
