import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { enrollHotp, otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const MAXFAIL = 10;
const LOCKED = 'Failcounter exceeded';
/** Messages of an attempt that was evaluated (PIN and/or OTP actually checked). */
const EVALUATED = ['wrong otp value', 'wrong otp pin', 'wrong otp value. previous otp used again'];

/** Six-digit guesses that are none of the OTPs in the token's window (counters 0..99). */
function wrongOtps(n: number, key = RFC_KEY): string[] {
  const window = new Set(Array.from({ length: 100 }, (_, c) => otpAt(key, c)));
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const guess = String(100000 + i * 7919).padStart(6, '0');
    if (!window.has(guess)) out.push(guess);
  }
  return out;
}

function tally(responses: Response[]) {
  const statuses = responses.map((r) => r.status);
  const messages = responses.map((r) => r.body?.detail?.message as string);
  return {
    statuses,
    accepted: responses.filter((r) => r.body?.result?.value === true).length,
    evaluated: messages.filter((m) => EVALUATED.includes(m)).length,
    locked: messages.filter((m) => m === LOCKED).length,
    revealedPin: messages.filter((m) => m.startsWith('wrong otp value')).length,
  };
}

describe('fail-counter lockout under bursts (issue 7.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CHALLENGE_RESPONSE_TYPES: '' });
  });
  afterAll(() => t.close());

  const check = (app: TestApp, params: Record<string, string>) =>
    app.http().post('/validate/check').type('form').send(params);

  it('evaluates at most maxfail of 200 concurrent OTP guesses, then refuses the right OTP', async () => {
    const serial = await enrollHotp(t, { serial: 'BURST001' });
    const res = await Promise.all(wrongOtps(200).map((pass) => check(t, { serial, pass })));
    const r = tally(res);
    expect(r.statuses.every((s) => s === 200)).toBe(true);
    expect(r.accepted).toBe(0);
    expect(r.evaluated).toBeGreaterThan(0);
    expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
    expect(r.evaluated + r.locked).toBe(200);
    const info = await tokenInfo(t, serial);
    expect(info.failcount).toBe(MAXFAIL);
    expect(info.info.failcounter_exceeded).toEqual(expect.any(String));
    // The right OTP after the limit: locked, not accepted.
    const right = await check(t, { serial, pass: otpAt(RFC_KEY, 0) });
    expect(right.body.result.value).toBe(false);
    expect(right.body.detail.message).toBe(LOCKED);
  });

  it('evaluates at most maxfail of 200 concurrent PIN guesses and does not reveal the PIN', async () => {
    const serial = await enrollHotp(t, { serial: 'BURST002', pin: '1337' });
    const otp = wrongOtps(1)[0];
    // PINs 1200..1399 include the right one.
    const guesses = Array.from({ length: 200 }, (_, i) => `${1200 + i}${otp}`);
    const res = await Promise.all(guesses.map((pass) => check(t, { serial, pass })));
    const r = tally(res);
    expect(r.statuses.every((s) => s === 200)).toBe(true);
    expect(r.accepted).toBe(0);
    expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
    expect(r.evaluated + r.locked).toBe(200);
    // Only an evaluated guess can tell "wrong otp value" (right PIN) from "wrong otp pin".
    const rightPin = res[137].body.detail.message as string;
    expect([LOCKED, 'wrong otp value']).toContain(rightPin);
    expect((await tokenInfo(t, serial)).failcount).toBe(MAXFAIL);
    const right = await check(t, { serial, pass: `1337${otpAt(RFC_KEY, 0)}` });
    expect(right.body.detail.message).toBe(LOCKED);
  });

  it('300 concurrent guesses followed by the right OTP: the right one comes too late', async () => {
    const serial = await enrollHotp(t, { serial: 'BURST003' });
    const burst = [...wrongOtps(300), otpAt(RFC_KEY, 0)];
    const r = tally(await Promise.all(burst.map((pass) => check(t, { serial, pass }))));
    expect(r.accepted).toBe(0);
    expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
    expect(r.evaluated + r.locked).toBe(301);
    // Already locked: a later burst is not evaluated at all.
    const again = tally(
      await Promise.all(
        [...wrongOtps(50), otpAt(RFC_KEY, 0)].map((pass) => check(t, { serial, pass })),
      ),
    );
    expect(again.accepted).toBe(0);
    expect(again.locked).toBe(51);
  });

  it('a success resets the counter; a disabled token never succeeds', async () => {
    const serial = await enrollHotp(t, { serial: 'BURST004' });
    for (const pass of wrongOtps(3)) await check(t, { serial, pass });
    expect((await tokenInfo(t, serial)).failcount).toBe(3);
    expect((await check(t, { serial, pass: otpAt(RFC_KEY, 0) })).body.result.value).toBe(true);
    expect((await tokenInfo(t, serial)).failcount).toBe(0);
    await t.http().post('/token/disable').set('Authorization', t.admin).send({ serial });
    const off = await check(t, { serial, pass: otpAt(RFC_KEY, 1) });
    expect(off.body.result.value).toBe(false);
    expect(off.body.detail.message).toBe('Token is disabled');
  });

  it('count_auth_success_max holds under concurrent different valid OTPs', async () => {
    const serial = await enrollHotp(t, { serial: 'ONCEONLY' });
    const set = await t
      .http()
      .post('/token/set')
      .set('Authorization', t.admin)
      .send({ serial, count_auth_success_max: '1' });
    expect(set.status).toBe(200);
    // Ten different OTPs, all inside the counter window: only one use is allowed.
    const res = await Promise.all(
      Array.from({ length: 10 }, (_, i) => check(t, { serial, pass: otpAt(RFC_KEY, i) })),
    );
    expect(res.filter((r) => r.body.result.value === true)).toHaveLength(1);
  });

  it('clears an expired lockout once, not once per request (failcounter_clear_timeout)', async () => {
    const app = await startTestApp({
      CHALLENGE_RESPONSE_TYPES: '',
      FAILCOUNTER_CLEAR_TIMEOUT: '1',
    });
    try {
      const serial = await enrollHotp(app, { serial: 'BURST005' });
      await Promise.all(wrongOtps(MAXFAIL).map((pass) => check(app, { serial, pass })));
      expect((await tokenInfo(app, serial)).failcount).toBe(MAXFAIL);
      // Move the lockout two minutes into the past.
      const ds = app.app.get(DataSource);
      const old = new Date(Date.now() - 120_000).toISOString().slice(0, 16) + '+0000';
      await ds.query(
        "UPDATE tokeninfo SET `value` = ? WHERE `key` = 'failcounter_exceeded' AND token_id = " +
          '(SELECT id FROM token WHERE serial = ?)',
        [old, serial],
      );
      const r = tally(
        await Promise.all(wrongOtps(100).map((pass) => check(app, { serial, pass }))),
      );
      expect(r.evaluated).toBeGreaterThan(0);
      expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
      expect((await tokenInfo(app, serial)).failcount).toBe(MAXFAIL);
    } finally {
      await app.close();
    }
  });
});

describe('fail-counter lockout with challenge-response enabled (default settings)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PIN_HASH_MAX_PER_REQUEST: '3' });
  });
  afterAll(() => t.close());

  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);

  it('200 concurrent PIN guesses on a challenge-capable token: at most maxfail evaluated', async () => {
    const serial = await enrollHotp(t, { serial: 'BURSTCR1', pin: '1337' });
    const otp = wrongOtps(1)[0];
    const guesses = Array.from({ length: 200 }, (_, i) => `${1200 + i}${otp}`);
    const r = tally(await Promise.all(guesses.map((pass) => check({ serial, pass }))));
    expect(r.statuses.every((s) => s === 200)).toBe(true);
    expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
    expect(r.evaluated + r.locked).toBe(200);
    expect((await tokenInfo(t, serial)).failcount).toBe(MAXFAIL);
  });

  it('a short hash budget never lets a later token be checked for free', async () => {
    // Each wrong guess costs two hashes per token (PIN part, then the PIN alone): with a budget
    // of 3 only the first token is checked until it locks, then only the second.
    const first = await enrollHotp(t, { user: 'bud', pin: 'first-pin', serial: 'BUDGET01' });
    const second = await enrollHotp(t, { user: 'bud', pin: 'second-pin', serial: 'BUDGET02' });
    const otp = wrongOtps(1)[0];
    const answers: string[] = [];
    for (let i = 0; i < 25; i++) {
      // Guess 3 is the second token's right PIN: while the first token takes the budget, the
      // second is not checked at all, so its answer cannot tell (old code: "wrong otp value").
      const pin = i === 3 ? 'second-pin' : `guess-${i}`;
      const res = await check({ user: 'bud', pass: `${pin}${otp}` });
      answers.push(res.body.detail.message as string);
      if (i === 3) expect((await tokenInfo(t, second)).failcount).toBe(0);
    }
    expect(answers[3]).toBe('wrong otp pin');
    expect((await tokenInfo(t, first)).failcount).toBe(MAXFAIL);
    expect((await tokenInfo(t, second)).failcount).toBe(MAXFAIL);
    expect(answers.filter((m) => m === 'wrong otp pin')).toHaveLength(2 * MAXFAIL);
    // The second token's right PIN is no longer evaluated.
    const late = await check({ user: 'bud', pass: `second-pin${otp}` });
    expect(late.body.detail.message).toBe(LOCKED);
  });
});

describe('fail-counter lockout across two replicas on one database (issue 7.1)', () => {
  let dir: string | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env: Record<string, string> = { CHALLENGE_RESPONSE_TYPES: '' };
    if ((process.env.DB_TYPE ?? 'sqlite').toLowerCase() === 'sqlite') {
      dir = mkdtempSync(join(tmpdir(), 'mfa-replicas-'));
      env.DB_PATH = join(dir, 'shared.sqlite');
    }
    a = await startTestApp(env);
    b = await startTestApp(env, [], { freshDatabase: false });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('evaluates at most maxfail of 200 guesses split over both replicas', async () => {
    const serial = await enrollHotp(a, { serial: 'REPLICA1', pin: '4711' });
    const otp = wrongOtps(1)[0];
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b)
          .http()
          .post('/validate/check')
          .type('form')
          .send({ serial, pass: `${4600 + i}${otp}` }),
      ),
    );
    const r = tally(res);
    expect(r.statuses.every((s) => s === 200)).toBe(true);
    expect(r.accepted).toBe(0);
    expect(r.evaluated).toBeLessThanOrEqual(MAXFAIL);
    expect(r.evaluated + r.locked).toBe(200);
    expect((await tokenInfo(b, serial)).failcount).toBe(MAXFAIL);
  });
});
