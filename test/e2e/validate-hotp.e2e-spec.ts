import {
  enrollHotp,
  otpAt,
  RFC_KEY,
  RFC_OTPS,
  startTestApp,
  TestApp,
  tokenInfo,
} from '../helpers/test-app';

describe('/validate/check with HOTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);

  it('accepts PIN+OTP, rejects the replay, and reports the envelope fields RPs read', async () => {
    const serial = await enrollHotp(t, { user: 'alice', pin: 'pin1' });
    const ok = await check({ user: 'alice', pass: `pin1${RFC_OTPS[0]}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      jsonrpc: '2.0',
      id: 2,
      result: { status: true, value: true, authentication: 'ACCEPT' },
      detail: { message: 'matching 1 tokens', serial, type: 'hotp', otplen: 6 },
    });
    expect(typeof ok.body.detail.threadid).toBe('number');
    const replay = await check({ user: 'alice', pass: `pin1${RFC_OTPS[0]}` });
    expect(replay.body.result).toMatchObject({
      status: true,
      value: false,
      authentication: 'REJECT',
    });
    expect(replay.body.detail.message).toBe('wrong otp value. previous otp used again');
  });

  it('rejects a wrong PIN without looking at the OTP and a wrong OTP with the PIN right', async () => {
    const serial = await enrollHotp(t, { user: 'bob', pin: 'secret' });
    const wrongPin = await check({ user: 'bob', pass: `nope${RFC_OTPS[0]}` });
    expect(wrongPin.body.result.value).toBe(false);
    expect(wrongPin.body.detail).toEqual({
      message: 'wrong otp pin',
      threadid: expect.any(Number),
    });
    // The OTP was not consumed by the wrong-PIN attempt.
    const wrongOtp = await check({ user: 'bob', pass: 'secret000000' });
    expect(wrongOtp.body.detail).toMatchObject({
      message: 'wrong otp value',
      serial,
      type: 'hotp',
      otplen: 6,
    });
    expect((await check({ user: 'bob', pass: `secret${RFC_OTPS[0]}` })).body.result.value).toBe(
      true,
    );
    const info = await tokenInfo(t, serial);
    expect(info.failcount).toBe(0); // reset by the success
    expect(info.info.count_auth).toBe('3');
    expect(info.info.count_auth_success).toBe('1');
  });

  it('accepts OTPs inside the look-ahead window only', async () => {
    const serial = await enrollHotp(t, { user: 'carol' });
    expect((await check({ user: 'carol', pass: RFC_OTPS[9] })).body.result.value).toBe(true);
    // counter is now 10: OTP 11 (inside window) works, OTP 25 (outside) does not
    expect((await check({ serial, pass: otpAt(RFC_KEY, 11) })).body.result.value).toBe(true);
    expect((await check({ serial, pass: otpAt(RFC_KEY, 25) })).body.result.value).toBe(false);
    expect((await tokenInfo(t, serial)).count).toBe(12);
  });

  it('resyncs with two consecutive OTPs far ahead', async () => {
    const serial = await enrollHotp(t, { user: 'dave' });
    const resync = (otp1: string, otp2: string) =>
      t
        .http()
        .post('/token/resync')
        .set('Authorization', t.admin)
        .type('form')
        .send({ serial, otp1, otp2 });
    expect((await resync(otpAt(RFC_KEY, 500), otpAt(RFC_KEY, 502))).body.result.value).toBe(false);
    expect((await resync(otpAt(RFC_KEY, 500), otpAt(RFC_KEY, 501))).body.result.value).toBe(true);
    expect((await tokenInfo(t, serial)).count).toBe(502);
    expect((await check({ serial, pass: otpAt(RFC_KEY, 502) })).body.result.value).toBe(true);
  });

  it('disable/enable: a disabled token is not used', async () => {
    const serial = await enrollHotp(t, { user: 'erin' });
    const disable = await t.http().post(`/token/disable/${serial}`).set('Authorization', t.admin);
    expect(disable.body.result.value).toBe(1);
    expect(
      (await t.http().post(`/token/disable/${serial}`).set('Authorization', t.admin)).body.result
        .value,
    ).toBe(0);
    const res = await check({ user: 'erin', pass: RFC_OTPS[0] });
    expect(res.body.result.value).toBe(false);
    expect(res.body.detail.message).toBe('Token is disabled');
    await t.http().post('/token/enable').set('Authorization', t.admin).send({ serial });
    expect((await check({ user: 'erin', pass: RFC_OTPS[0] })).body.result.value).toBe(true);
  });

  it('locks at max fail until /token/reset', async () => {
    const serial = await enrollHotp(t, { user: 'frank' });
    await t
      .http()
      .post('/token/set')
      .set('Authorization', t.admin)
      .send({ serial, max_failcount: '3' });
    for (let i = 0; i < 3; i++) await check({ user: 'frank', pass: '000000' });
    const locked = await check({ user: 'frank', pass: RFC_OTPS[0] });
    expect(locked.body.result.value).toBe(false);
    expect(locked.body.detail.message).toBe('Failcounter exceeded');
    const info = await tokenInfo(t, serial);
    expect(info.failcount).toBe(3);
    expect(info.info.failcounter_exceeded).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{4}$/);
    const reset = await t
      .http()
      .post('/token/reset')
      .set('Authorization', t.admin)
      .send({ serial });
    expect(reset.body.result.value).toBe(1);
    expect((await check({ user: 'frank', pass: RFC_OTPS[0] })).body.result.value).toBe(true);
  });

  it('refuses a revoked token for good', async () => {
    const serial = await enrollHotp(t, { user: 'gina' });
    expect(
      (await t.http().post('/token/revoke').set('Authorization', t.admin).send({ serial })).body
        .result.value,
    ).toBe(1);
    const res = await check({ user: 'gina', pass: RFC_OTPS[0] });
    expect(res.status).toBe(400);
    expect(res.body.result.error).toEqual({
      code: 1007,
      message: 'ERR1007: This action is not possible, since the token is locked',
    });
    const enable = await t
      .http()
      .post('/token/enable')
      .set('Authorization', t.admin)
      .send({ serial });
    expect(enable.body.result.error.code).toBe(1007);
  });

  it('honours the validity period', async () => {
    const serial = await enrollHotp(t, {
      user: 'hank',
      validity_period_end: '2001-01-01T00:00+0000',
    });
    const res = await check({ user: 'hank', pass: RFC_OTPS[0] });
    expect(res.body.detail.message).toBe('Outside validity period');
    await t.http().post('/token/set').set('Authorization', t.admin).send({
      serial,
      validity_period_start: '2001-01-01T00:00+0000',
      validity_period_end: '2999-01-01T00:00+0000',
    });
    expect((await check({ user: 'hank', pass: RFC_OTPS[0] })).body.result.value).toBe(true);
    await t
      .http()
      .post('/token/set')
      .set('Authorization', t.admin)
      .send({ serial, validity_period_start: '2998-01-01' });
    expect((await check({ user: 'hank', pass: RFC_OTPS[1] })).body.detail.message).toBe(
      'Outside validity period',
    );
  });

  it('applies count_auth_max', async () => {
    const serial = await enrollHotp(t, { user: 'ivan' });
    await t
      .http()
      .post('/token/set')
      .set('Authorization', t.admin)
      .send({ serial, count_auth_success_max: '1' });
    expect((await check({ user: 'ivan', pass: RFC_OTPS[0] })).body.result.value).toBe(true);
    const res = await check({ user: 'ivan', pass: RFC_OTPS[1] });
    expect(res.body.detail.message).toBe('Authentication counter exceeded');
  });

  it('answers users without tokens and unknown serials as privacyIDEA does', async () => {
    const none = await check({ user: 'nobody', pass: '123456' });
    expect(none.status).toBe(200);
    expect(none.body.result.value).toBe(false);
    expect(none.body.detail.message).toBe('The user has no tokens assigned');
    const unknown = await check({ serial: 'NOPE0001', pass: '123456' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.result.error.code).toBe(601);
    const missing = await check({ pass: '123456' });
    expect(missing.status).toBe(400);
    expect(missing.body.result.error.message).toBe(
      'ERR905: You need to specify a serial, user or credential_id.',
    );
    const noPass = await check({ user: 'alice' });
    expect(noPass.body.result.error.message).toBe('ERR905: Missing parameter: pass');
  });

  it('checks a serial against the given user', async () => {
    const serial = await enrollHotp(t, { user: 'judy' });
    const res = await check({ user: 'other', serial, pass: RFC_OTPS[0] });
    expect(res.status).toBe(400);
    expect(res.body.result.error.message).toBe(
      'ERR905: Given serial does not belong to given user!',
    );
    expect((await check({ user: 'judy', serial, pass: RFC_OTPS[0] })).body.result.value).toBe(true);
  });

  it('accepts GET with query parameters and JSON bodies', async () => {
    await enrollHotp(t, { user: 'kate', pin: 'p' });
    const get = await t
      .http()
      .get('/validate/check')
      .query({ user: 'kate', pass: `p${RFC_OTPS[0]}` });
    expect(get.body.result.value).toBe(true);
    const json = await t
      .http()
      .post('/validate/check')
      .send({ user: 'kate', pass: `p${RFC_OTPS[1]}` });
    expect(json.body.result.value).toBe(true);
  });
});
