import { totp } from '../../src/crypto/totp';
import { TotpTokenType } from '../../src/token-types/totp/totp.token-type';
import { RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const KEY = Buffer.from(RFC_KEY, 'hex');
const T0 = 1_800_000_000; // a fixed "now", aligned to a 30 s step

/** TOTP through HTTP with the token type's clock pinned, so windows and drift are exact. */
describe('/validate/check with TOTP', () => {
  let t: TestApp;
  let now = T0;
  beforeAll(async () => {
    t = await startTestApp();
    jest.spyOn(t.app.get(TotpTokenType), 'now').mockImplementation(() => now);
  });
  afterAll(() => t.close());

  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);
  const otpAt = (time: number, step = 30, digits = 6) => totp(KEY, time, step, digits, 'sha1');
  const enroll = async (fields: Record<string, string>) => {
    const res = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'totp', otpkey: RFC_KEY, ...fields });
    expect(res.status).toBe(200);
    return res.body.detail.serial as string;
  };

  it('accepts the current OTP once; an older step is a replay', async () => {
    now = T0;
    const serial = await enroll({ user: 'tom', pin: 'tp' });
    expect((await check({ user: 'tom', pass: `tp${otpAt(now)}` })).body.result.value).toBe(true);
    const replay = await check({ user: 'tom', pass: `tp${otpAt(now)}` });
    expect(replay.body.result.value).toBe(false);
    expect(replay.body.detail.message).toBe('wrong otp value. previous otp used again');
    expect((await check({ user: 'tom', pass: `tp${otpAt(now - 30)}` })).body.result.value).toBe(
      false,
    );
    now += 30;
    expect((await check({ user: 'tom', pass: `tp${otpAt(now)}` })).body.result.value).toBe(true);
    expect((await tokenInfo(t, serial)).count).toBe(Math.floor(now / 30));
  });

  it('accepts a drifted device inside the window (-6 … +5 steps) and tracks the drift', async () => {
    now = T0;
    const serial = await enroll({ user: 'uli' });
    expect((await check({ user: 'uli', pass: otpAt(now + 6 * 30) })).body.result.value).toBe(false);
    expect((await check({ user: 'uli', pass: otpAt(now - 7 * 30) })).body.result.value).toBe(false);
    expect((await check({ user: 'uli', pass: otpAt(now + 5 * 30) })).body.result.value).toBe(true);
    const shift = Number((await tokenInfo(t, serial)).info.timeShift);
    expect(shift).toBe(150);
    // With the drift remembered, the device's next step is found even further ahead.
    now += 30;
    expect((await check({ user: 'uli', pass: otpAt(now + 5 * 30 + 150) })).body.result.value).toBe(
      true,
    );
  });

  it('supports 60 s steps, SHA256 and 8 digits', async () => {
    now = T0;
    await enroll({
      user: 'vera',
      timeStep: '60',
      hashlib: 'sha256',
      otplen: '8',
      otpkey: '3132333435363738393031323334353637383930313233343536373839303132',
    });
    const key = Buffer.from('12345678901234567890123456789012', 'ascii');
    const otp = totp(key, now, 60, 8, 'sha256');
    expect((await check({ user: 'vera', pass: otp })).body.result.value).toBe(true);
  });

  it('resyncs with two consecutive OTPs far off, and the next OTP then works', async () => {
    now = T0;
    const serial = await enroll({ user: 'walt' });
    const far = now + 100 * 30;
    const resync = await t
      .http()
      .post(`/token/resync/${serial}`)
      .set('Authorization', t.admin)
      .send({ otp1: otpAt(far), otp2: otpAt(far + 30) });
    expect(resync.body.result.value).toBe(true);
    const bad = await t
      .http()
      .post(`/token/resync/${serial}`)
      .set('Authorization', t.admin)
      .send({ otp1: otpAt(far), otp2: otpAt(far + 90) });
    expect(bad.body.result.value).toBe(false);
    now += 60;
    expect((await check({ user: 'walt', pass: otpAt(far + 60) })).body.result.value).toBe(true);
  });
});
