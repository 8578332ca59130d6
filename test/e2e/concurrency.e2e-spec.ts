import { computeOcra } from '../../src/crypto/ocra/ocra';
import { OcraSuite } from '../../src/crypto/ocra/ocra-suite';
import { totp } from '../../src/crypto/totp';
import {
  enrollHotp,
  RFC_KEY,
  RFC_OTPS,
  startTestApp,
  TestApp,
  tokenInfo,
} from '../helpers/test-app';

const PARALLEL = 30;

/** Exactly-once under concurrency (challenge.md §9): one winner, no 5xx, whatever the database. */
describe('concurrent identical requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const burst = (params: Record<string, string>) =>
    Promise.all(
      Array.from({ length: PARALLEL }, () =>
        t.http().post('/validate/check').type('form').send(params),
      ),
    );

  it('30 checks with the same HOTP value give exactly one success', async () => {
    const serial = await enrollHotp(t, { user: 'race1', pin: 'rp' });
    const results = await burst({ user: 'race1', pass: `rp${RFC_OTPS[3]}` });
    expect(results.map((r) => r.status)).toEqual(Array(PARALLEL).fill(200));
    expect(results.filter((r) => r.body.result.value === true)).toHaveLength(1);
    expect((await tokenInfo(t, serial)).count).toBe(4);
  });

  it('30 checks with the same TOTP value give exactly one success', async () => {
    const res = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'totp', otpkey: RFC_KEY, user: 'race2' });
    expect(res.status).toBe(200);
    const otp = totp(Buffer.from(RFC_KEY, 'hex'), Date.now() / 1000, 30, 6, 'sha1');
    const results = await burst({ user: 'race2', pass: otp });
    expect(results.map((r) => r.status)).toEqual(Array(PARALLEL).fill(200));
    expect(results.filter((r) => r.body.result.value === true)).toHaveLength(1);
  });

  it('30 correct answers to one OCRA challenge give exactly one success', async () => {
    const init = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'ocra', otpkey: RFC_KEY, user: 'race3' });
    expect(init.status).toBe(200);
    const trig = await t.http().post('/validate/check').send({ user: 'race3', pass: '' });
    const { transaction_id, multi_challenge } = trig.body.detail;
    const question = multi_challenge[0].attributes.challenge as string;
    const response = computeOcra(
      OcraSuite.parse('OCRA-1:HOTP-SHA1-8:QH40'),
      Buffer.from(RFC_KEY, 'hex'),
      { question },
    );
    const results = await burst({ user: 'race3', transaction_id, pass: response });
    expect(results.map((r) => r.status)).toEqual(Array(PARALLEL).fill(200));
    expect(results.filter((r) => r.body.result.value === true)).toHaveLength(1);
    const listed = await t
      .http()
      .get('/token/challenges/')
      .query({ transaction_id })
      .set('Authorization', t.admin);
    expect(listed.body.result.value.count).toBe(0);
  });

  it('24 concurrent enrollments all succeed (no lock conflicts between new tokens)', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        t
          .http()
          .post('/token/init')
          .set('Authorization', t.admin)
          .send({ otpkey: RFC_KEY, user: `enroll${i}`, pin: 'p' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(new Set(results.map((r) => r.body.detail.serial)).size).toBe(24);
  });

  it('30 concurrent assignments of one token: one wins, the rest get 1103', async () => {
    const serial = await enrollHotp(t);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        t
          .http()
          .post('/token/assign')
          .set('Authorization', t.admin)
          .send({ serial, user: `owner${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 400).every((r) => r.body.result.error.code === 1103),
    ).toBe(true);
  });
});
