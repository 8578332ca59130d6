import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const PSK = '12345678901234567890123456789012';

describe('/token/load (CSV and PSKC import)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REALMS: 'default,imported' });
  });
  afterAll(() => t.close());

  const upload = (name: string, fields: Record<string, string>) => {
    let req = t
      .http()
      .post(`/token/load/${name}`)
      .set('Authorization', t.admin)
      .attach('file', fixture(name), name);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req;
  };
  const count = async () =>
    (await t.http().get('/token/').set('Authorization', t.admin)).body.result.value.count as number;

  it('refuses a CSV with an unusable record as a whole, naming the record and the reason', async () => {
    const before = await count();
    const res = await upload('tokens.csv', { type: 'oathcsv' });
    expect(res.status).toBe(400);
    expect(res.body.result.error.code).toBe(304);
    expect(res.body.result.error.message).toMatch(
      /^ERR304: Import failed: 1 of 9 records are invalid; nothing was imported$/,
    );
    expect(res.body.detail.errors).toEqual([
      expect.objectContaining({
        record: 14,
        serial: 'ocra002',
        reason: expect.stringContaining('Invalid OCRA suite'),
      }),
    ]);
    expect(await count()).toBe(before);
  });

  it('imports the valid CSV records with partial=1, and the imported tokens authenticate', async () => {
    const res = await upload('tokens.csv', {
      type: 'oathcsv',
      partial: '1',
      tokenrealms: 'imported',
    });
    expect(res.status).toBe(200);
    expect(res.body.result.value).toEqual({ n_imported: 8, n_not_imported: 1 });
    expect(res.body.detail.imported).toContain('hotp002');
    const hotp002 = await tokenInfo(t, 'hotp002');
    expect(hotp002).toMatchObject({
      tokentype: 'hotp',
      otplen: 8,
      count: 345,
      realms: ['imported'],
    });
    expect(hotp002.info).toMatchObject({ hashlib: 'sha1', tokenkind: 'hardware' });
    expect(JSON.stringify(hotp002)).not.toContain(RFC_KEY);
    expect((await tokenInfo(t, 'totp001')).info.timeStep).toBe('60');
    expect((await tokenInfo(t, 'totp002')).info.hashlib).toBe('sha256');
    expect((await tokenInfo(t, 'ocra001')).info.ocrasuite).toBe('OCRA-1:HOTP-SHA1-6:QN08');
    const check = await t
      .http()
      .post('/validate/check')
      .send({ serial: 'hotp002', pass: otpAt(RFC_KEY, 345, 8) });
    expect(check.body.result.value).toBe(true);
  });

  it('reports every bad CSV record', async () => {
    const res = await upload('tokens-bad.csv', { type: 'oathcsv' });
    expect(res.status).toBe(400);
    const records = res.body.detail.errors.map((e: { record: number }) => e.record);
    expect(records.length).toBeGreaterThanOrEqual(10);
    expect(res.body.detail.errors[0]).toMatchObject({
      serial: 'badkey01',
      reason: expect.any(String),
    });
    expect(
      (await t.http().get('/token/').query({ serial: 'good001' }).set('Authorization', t.admin))
        .body.result.value.count,
    ).toBe(0);
  });

  it('imports a plain PSKC file with owners and counters', async () => {
    const res = await upload('pskc-plain.xml', { type: 'pskc' });
    expect(res.status).toBe(200);
    expect(res.body.result.value.n_imported).toBe(3);
    const hotp = await tokenInfo(t, 'HOTP0001');
    expect(hotp).toMatchObject({ username: 'alice', user_realm: 'default', tokentype: 'hotp' });
    const ok = await t
      .http()
      .post('/validate/check')
      .send({ user: 'alice', pass: otpAt(RFC_KEY, 0) });
    expect(ok.body.result.value).toBe(true);
  });

  it('imports an encrypted PSKC file with the pre-shared key and refuses it without', async () => {
    const noKey = await upload('pskc-encrypted.xml', { type: 'pskc' });
    expect(noKey.status).toBe(400);
    expect(noKey.body.result.error.code).toBe(304);
    const wrongKey = await upload('pskc-encrypted.xml', { type: 'pskc', psk: 'ff'.repeat(16) });
    expect(wrongKey.status).toBe(400);
    expect(await count()).toBeGreaterThan(0);
    const res = await upload('pskc-encrypted.xml', { type: 'pskc', psk: PSK });
    expect(res.status).toBe(200);
    expect(res.body.result.value).toEqual({ n_imported: 3, n_not_imported: 0 });
    const ok = await t
      .http()
      .post('/validate/check')
      .send({ serial: 'ENC0001', pass: otpAt(RFC_KEY, 5) });
    expect(ok.body.result.value).toBe(true);
  });

  it('refuses a PSKC file whose MAC does not verify, and imports nothing', async () => {
    const before = await count();
    const res = await upload('pskc-corrupted.xml', { type: 'pskc', psk: PSK });
    expect(res.status).toBe(400);
    expect(res.body.detail.errors).toContainEqual(
      expect.objectContaining({ serial: 'ENC0002', reason: 'MAC check failed' }),
    );
    expect(await count()).toBe(before);
  });

  it('refuses XML with entity declarations (XXE, billion laughs)', async () => {
    const res = await upload('pskc-xxe.xml', { type: 'pskc' });
    expect(res.status).toBe(400);
    expect(res.body.result.error.code).toBe(304);
  });

  it('accepts the file as a plain form field, and is admin only', async () => {
    const csv = 'plain001, 3132333435363738393031323334353637383930, hotp, 6\n';
    const res = await t
      .http()
      .post('/token/load/x.csv')
      .set('Authorization', t.admin)
      .type('form')
      .send({ type: 'oathcsv', file: csv });
    expect(res.body.result.value).toEqual({ n_imported: 1, n_not_imported: 0 });
    const user = await t.tokenFor('user', 'alice');
    const denied = await t
      .http()
      .post('/token/load/x.csv')
      .set('Authorization', user)
      .type('form')
      .send({ type: 'oathcsv', file: csv });
    expect(denied.status).toBe(401);
    expect(denied.body.result.error.code).toBe(4306);
    const noFile = await t
      .http()
      .post('/token/load/x.csv')
      .set('Authorization', t.admin)
      .send({ type: 'oathcsv' });
    expect(noFile.body.result.error.message).toBe('ERR905: Missing parameter: file');
    const badType = await t
      .http()
      .post('/token/load/x.csv')
      .set('Authorization', t.admin)
      .send({ type: 'aladdin-xml', file: csv });
    expect(badType.status).toBe(400);
  });
});
