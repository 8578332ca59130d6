import { randomBytes } from 'node:crypto';
import { enrollHotp, otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const check = (app: TestApp, params: Record<string, string>) =>
  app.http().post('/validate/check').type('form').send(params);

async function enroll(app: TestApp, fields: Record<string, string>) {
  const res = await app
    .http()
    .post('/token/init')
    .set('Authorization', app.admin)
    .type('form')
    .send({ type: 'hotp', ...fields });
  expect(res.status).toBe(200);
  return res.body.detail.serial as string;
}

describe('otponly (issue 7.2)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is refused by default: the OTP alone never authenticates a PIN-protected token', async () => {
    const serial = await enrollHotp(t, { serial: 'OTPONLY1', pin: 'secret' });
    for (const otponly of ['1', 'true']) {
      const res = await check(t, { serial, otponly, pass: otpAt(RFC_KEY, 0) });
      expect(res.status).toBe(403);
      expect(res.body.result.status).toBe(false);
      expect(res.body.result.error.code).toBe(303);
    }
    // Also as JSON, and nothing was counted or consumed.
    const json = await t
      .http()
      .post('/validate/check')
      .send({ serial, otponly: 1, pass: otpAt(RFC_KEY, 0) });
    expect(json.status).toBe(403);
    const info = await tokenInfo(t, serial);
    expect(info.failcount).toBe(0);
    expect(info.count).toBe(0);
    expect((await check(t, { serial, pass: `secret${otpAt(RFC_KEY, 0)}` })).body.result.value).toBe(
      true,
    );
  });

  it('works with OTPONLY_ALLOWED=true', async () => {
    const app = await startTestApp({ OTPONLY_ALLOWED: 'true' });
    try {
      const serial = await enrollHotp(app, { serial: 'OTPONLY2', pin: 'secret' });
      const ok = await check(app, { serial, otponly: '1', pass: otpAt(RFC_KEY, 0) });
      expect(ok.body.result.value).toBe(true);
      const bad = await check(app, { serial, otponly: '1', pass: otpAt(RFC_KEY, 0) });
      expect(bad.body.result.value).toBe(false);
      expect(bad.body.detail.message).toBe('OTP verification failed.');
    } finally {
      await app.close();
    }
  });
});

describe('bounded PIN hashing per request (issue 7.5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PIN_HASH_MAX_PER_REQUEST: '4' });
  });
  afterAll(() => t.close());

  it('hashes at most PIN_HASH_MAX_PER_REQUEST PINs; tokens left unchecked are not counted', async () => {
    const serials: string[] = [];
    for (let i = 0; i < 8; i++) {
      serials.push(await enroll(t, { user: 'hana', pin: `pin-${i}`, otpkey: RFC_KEY }));
    }
    const res = await check(t, { user: 'hana', pass: 'nope123456' });
    expect(res.status).toBe(200);
    expect(res.body.result.value).toBe(false);
    const counts = [];
    for (const serial of serials) counts.push((await tokenInfo(t, serial)).failcount);
    // Each token costs two verifications (PIN+OTP split, then PIN alone): two tokens fit.
    expect(counts).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('a correct login costs one PIN hash whatever the number of tokens', async () => {
    const app = await startTestApp({ PIN_HASH_MAX_PER_REQUEST: '2' });
    try {
      const keys = Array.from({ length: 6 }, () => randomBytes(20).toString('hex'));
      const serials: string[] = [];
      for (const [i, otpkey] of keys.entries()) {
        serials.push(await enroll(app, { user: 'ivan', pin: `pin-${i}`, otpkey }));
      }
      const res = await check(app, { user: 'ivan', pass: `pin-5${otpAt(keys[5], 0)}` });
      expect(res.body.result.value).toBe(true);
      expect(res.body.detail.serial).toBe(serials[5]);
    } finally {
      await app.close();
    }
  });
});

describe('bounded PIN hash queue (issue 7.5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Slow hashes, one at a time, one waiting: a burst must be refused, not queued.
    t = await startTestApp({
      PIN_HASH_MEMORY_KIB: '32768',
      PIN_HASH_TIME_COST: '4',
      PIN_HASH_CONCURRENCY: '1',
      PIN_HASH_QUEUE_MAX: '1',
    });
  });
  afterAll(() => t.close());

  it('answers 503 in the envelope beyond the queue and does not count those attempts', async () => {
    const serials: string[] = [];
    for (let i = 0; i < 12; i++) {
      serials.push(await enroll(t, { user: `q${i}`, pin: 'right', otpkey: RFC_KEY }));
    }
    const res = await Promise.all(
      serials.map((_, i) => check(t, { user: `q${i}`, pass: `wrong${otpAt(RFC_KEY, 5)}` })),
    );
    const busy = res.filter((r) => r.status === 503);
    expect(res.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.body.result.status).toBe(false);
      expect(r.body.result.error.code).toBe(903);
      expect(JSON.stringify(r.body)).not.toMatch(/stack|argon/i);
    }
    for (const [i, r] of res.entries()) {
      const failcount = (await tokenInfo(t, serials[i])).failcount;
      expect(failcount).toBe(r.status === 503 ? 0 : 1);
    }
    expect((await t.http().get('/healthz')).status).toBe(200);
  });
});

describe('open challenges per token are capped (issue 7.11)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MAX_OPEN_CHALLENGES_PER_TOKEN: '3', DEFAULT_MAX_FAILCOUNT: '1000' });
  });
  afterAll(() => t.close());

  it('creates at most the cap from a burst of PIN-less triggers', async () => {
    const serial = await enrollHotp(t, { user: 'cara' });
    const res = await Promise.all(
      Array.from({ length: 60 }, () => check(t, { user: 'cara', pass: '' })),
    );
    expect(res.every((r) => r.status === 200)).toBe(true);
    const challenged = res.filter((r) => r.body.result.authentication === 'CHALLENGE');
    expect(challenged.length).toBe(3);
    const refused = res.find((r) => r.body.result.authentication !== 'CHALLENGE')!;
    expect(refused.body.result.value).toBe(false);
    expect(refused.body.detail.message).toMatch(/Too many open challenges/);
    const list = await t
      .http()
      .get('/token/challenges/')
      .query({ serial })
      .set('Authorization', t.admin);
    expect(list.body.result.value.count).toBe(3);
    // Answering one frees a slot.
    const tid = challenged[0].body.detail.transaction_id as string;
    const answer = await check(t, { user: 'cara', transaction_id: tid, pass: otpAt(RFC_KEY, 0) });
    expect(answer.body.result.value).toBe(true);
    expect((await check(t, { user: 'cara', pass: '' })).body.result.authentication).toBe(
      'CHALLENGE',
    );
  });
});
