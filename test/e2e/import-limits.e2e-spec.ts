import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectClean, expectError, expectOk, tokenCount } from '../helpers/envelope-assert';
import { otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
/** RFC 6030 Figure 7: PBKDF2 (1000 iterations) from the password "qwerty". */
const figure7 = (iterations: number) =>
  readFileSync(join(FIXTURES, 'rfc6030-figure7.xml'), 'utf8').replace(
    '<IterationCount>1000</IterationCount>',
    `<IterationCount>${iterations}</IterationCount>`,
  );

/**
 * Bounded work and bounded values in /token/load (issue 7, points 15 and 19): PBKDF2 iterations
 * are capped (PSKC_MAX_PBKDF2_ITERATIONS) and run asynchronously; numeric fields are
 * range-checked per record, so a counter that does not fit the INT column never reaches
 * MySQL/MariaDB (it used to answer 500).
 */
describe('/token/load limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PSKC_MAX_PBKDF2_ITERATIONS: '5000' });
  });
  afterAll(() => t.close());

  const load = (name: string, file: string, fields: Record<string, string>) => {
    let req = t
      .http()
      .post(`/token/load/${name}`)
      .set('Authorization', `Bearer ${t.admin}`)
      .attach('file', Buffer.from(file), name);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req;
  };

  describe('CSV numeric ranges (point 19)', () => {
    const reason = 'counter must be an integer from 0 to 2000000000, got "2147483648"';

    it('refuses a counter of 2^31 as a record error, with or without partial, importing nothing', async () => {
      const before = await tokenCount(t);
      const csv = `big001, ${RFC_KEY}, hotp, 6, 2147483648\n`;
      const res = await load('big.csv', csv, { type: 'oathcsv' });
      expectError(res, 400, 304, /^ERR304: Import failed: 1 of 1 records are invalid/);
      expect(res.body.detail.errors).toEqual([{ record: 1, serial: 'big001', reason }]);
      const partial = await load('big.csv', csv, { type: 'oathcsv', partial: '1' });
      expectOk(partial, { n_imported: 0, n_not_imported: 1 });
      expect(partial.body.detail.errors).toEqual([{ record: 1, serial: 'big001', reason }]);
      expect(await tokenCount(t)).toBe(before);
    });

    it('refuses every out-of-range value in a mixed file and names each record', async () => {
      const before = await tokenCount(t);
      const csv = [
        `ok001, ${RFC_KEY}, hotp, 6, 12`,
        `big002, ${RFC_KEY}, hotp, 6, 99999999999999999999`,
        `big003, ${RFC_KEY}, totp, 6, 2147483648`,
        `big004, ${RFC_KEY}, hotp, 2147483648, 0`,
      ].join('\n');
      const res = await load('mixed.csv', csv, { type: 'oathcsv' });
      expectError(res, 400, 304);
      expect(res.body.detail.errors.map((e: { serial: string }) => e.serial)).toEqual([
        'big002',
        'big003',
        'big004',
      ]);
      expect(await tokenCount(t)).toBe(before);
    });

    it('imports the largest allowed counter, and the token still counts up', async () => {
      const res = await load('max.csv', `max001, ${RFC_KEY}, hotp, 6, 2000000000\n`, {
        type: 'oathcsv',
      });
      expectOk(res, { n_imported: 1, n_not_imported: 0 });
      expect((await tokenInfo(t, 'max001')).count).toBe(2_000_000_000);
      const check = await t
        .http()
        .post('/validate/check')
        .send({ serial: 'max001', pass: otpAt(RFC_KEY, 2_000_000_000) });
      expectClean(check);
      expect(check.body.result.value).toBe(true);
      expect((await tokenInfo(t, 'max001')).count).toBe(2_000_000_001);
    });
  });

  describe('PSKC Counter range (point 19)', () => {
    it('refuses a Counter of 2^31 as a record error, importing nothing', async () => {
      const before = await tokenCount(t);
      const secret = Buffer.from(RFC_KEY, 'hex').toString('base64');
      const xml = `<?xml version="1.0"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage><DeviceInfo><SerialNo>PSKCBIG1</SerialNo></DeviceInfo>
    <Key Id="PSKCBIG1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Data><Secret><PlainValue>${secret}</PlainValue></Secret>
        <Counter><PlainValue>2147483648</PlainValue></Counter></Data>
    </Key></KeyPackage>
</KeyContainer>`;
      for (const partial of ['0', '1']) {
        const res = await load('big.xml', xml, { type: 'pskc', partial });
        expectClean(res);
        expect(res.body.detail.errors).toEqual([
          {
            record: 1,
            serial: 'PSKCBIG1',
            reason: 'Counter must be an integer from 0 to 2000000000, got "2147483648"',
          },
        ]);
      }
      expect(await tokenCount(t)).toBe(before);
    });
  });

  describe('PSKC PBKDF2 iterations (point 15)', () => {
    it('refuses a file asking for more iterations than PSKC_MAX_PBKDF2_ITERATIONS, importing nothing', async () => {
      const before = await tokenCount(t);
      for (const iterations of [5001, 1_000_000]) {
        const res = await load('pbkdf2.xml', figure7(iterations), {
          type: 'pskc',
          password: 'qwerty',
          partial: '1',
        });
        expectError(
          res,
          400,
          304,
          'ERR304: Import failed: PSKC import: PBKDF2 iteration count must be 1 to 5000 ' +
            '(PSKC_MAX_PBKDF2_ITERATIONS); the file was not imported',
        );
      }
      expect(await tokenCount(t)).toBe(before);
    });

    it('derives keys up to the cap and imports a file within it', async () => {
      const res = await load('pbkdf2.xml', figure7(5000), { type: 'pskc', password: 'qwerty' });
      // Derived (not refused), but the fixture was encrypted under the 1000-iteration key.
      expectError(res, 400, 304, /wrong pre-shared key or password/);
      const ok = await load('pbkdf2.xml', figure7(1000), { type: 'pskc', password: 'qwerty' });
      expectOk(ok, { n_imported: 1, n_not_imported: 0 });
      expect(ok.body.detail.imported).toEqual(['987654321']);
    });
  });
});

describe('/token/load and MAX_TOKENS_PER_USER', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_TOKENS_PER_USER: '3' });
  });
  afterAll(() => t.close());

  it('refuses records that would give a user more tokens than the cap', async () => {
    const init = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'hotp', otpkey: RFC_KEY, user: 'capped', serial: 'CAPPED00' });
    expect(init.status).toBe(200);
    const rows = ['# version: 2'];
    for (let i = 1; i <= 4; i++)
      rows.push(`capped, , default, CAPPED0${i}, ${RFC_KEY}, hotp, 6, 0`);
    rows.push(`other, , default, OTHER001, ${RFC_KEY}, hotp, 6, 0`);
    const res = await t
      .http()
      .post('/token/load/capped.csv')
      .set('Authorization', t.admin)
      .attach('file', Buffer.from(rows.join('\n')), 'capped.csv')
      .field('type', 'oathcsv')
      .field('partial', '1');
    expectOk(res, { n_imported: 3, n_not_imported: 2 });
    expect(res.body.detail.errors.map((e: { serial: string }) => e.serial)).toEqual([
      'CAPPED03',
      'CAPPED04',
    ]);
    const owned = await t
      .http()
      .get('/token/')
      .query({ user: 'capped' })
      .set('Authorization', t.admin);
    expect(owned.body.result.value.count).toBe(3);
  });
});
