import { computeOcra } from '../../src/crypto/ocra/ocra';
import { OcraSuite } from '../../src/crypto/ocra/ocra-suite';
import { startTestApp, TestApp } from '../helpers/test-app';

const KEY = '3132333435363738393031323334353637383930313233343536373839303132';

/** A phone's TiQR key moved from another server: imported by CSV, it logs in without re-enrolling. */
describe('TiQR tokens by CSV import', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const load = (csv: string) =>
    t
      .http()
      .post('/token/load/tiqr.csv')
      .set('Authorization', t.admin)
      .type('form')
      .send({ type: 'oathcsv', file: csv });

  it('imports an owned TiQR token that answers login QR codes at once', async () => {
    const res = await load(
      '# version: 2\ncarol, , default, TiQR9001, ' + KEY + ', tiqr, OCRA-1:HOTP-SHA1-6:QN10\n',
    );
    expect(res.body.result.value).toEqual({ n_imported: 1, n_not_imported: 0 });
    const list = await t
      .http()
      .get('/token/')
      .query({ serial: 'TiQR9001' })
      .set('Authorization', t.admin);
    const token = list.body.result.value.tokens[0];
    expect(token).toMatchObject({
      tokentype: 'tiqr',
      rollout_state: 'enrolled',
      username: 'carol',
    });
    expect(token.info.ocrasuite).toBe('OCRA-1:HOTP-SHA1-6:QN10');
    expect(JSON.stringify(list.body)).not.toContain(KEY);

    await t
      .http()
      .post('/token/setpin')
      .set('Authorization', t.admin)
      .send({ serial: 'TiQR9001', otppin: 'pw' });
    const trig = await t
      .http()
      .post('/validate/check')
      .type('form')
      .send({ user: 'carol', pass: 'pw' });
    expect(trig.body.result.authentication).toBe('CHALLENGE');
    const uri: string = trig.body.detail.multi_challenge[0].attributes.value;
    const [, , , tid, question] = uri.split('/');
    expect(tid).toBe(trig.body.detail.transaction_id);
    const response = computeOcra(
      OcraSuite.parse('OCRA-1:HOTP-SHA1-6:QN10'),
      Buffer.from(KEY, 'hex'),
      {
        question,
      },
    );
    const login = await t
      .http()
      .post('/ttype/tiqr')
      .type('form')
      .send({ sessionKey: tid, userId: 'carol_default', response, operation: 'login' });
    expect(login.text).toBe('OK');
    const fin = await t
      .http()
      .post('/validate/check')
      .type('form')
      .send({ user: 'carol', transaction_id: tid, pass: '' });
    expect(fin.body.result.value).toBe(true);
  });

  it('refuses TiQR records without a user or with a suite the app cannot answer', async () => {
    const noUser = await load(`TiQR9002, ${KEY}, tiqr\n`);
    expect(noUser.status).toBe(400);
    expect(noUser.body.detail.errors).toEqual([
      expect.objectContaining({
        serial: 'TiQR9002',
        reason: expect.stringMatching(/needs a user/),
      }),
    ]);
    const timeSuite = await load(
      `# version: 2\ndave, , default, TiQR9003, ${KEY}, tiqr, OCRA-1:HOTP-SHA1-6:QN10-T1M\n`,
    );
    expect(timeSuite.status).toBe(400);
    expect(timeSuite.body.detail.errors).toEqual([
      expect.objectContaining({
        serial: 'TiQR9003',
        reason: expect.stringMatching(/no time \(T\)/),
      }),
    ]);
    const none = await t
      .http()
      .get('/token/')
      .query({ serial: 'TiQR9002' })
      .set('Authorization', t.admin);
    expect(none.body.result.value.count).toBe(0);
  });
});
