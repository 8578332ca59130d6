import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChallengeWaiter } from '../../src/challenge/challenge-waiter';
import { cachedPhoneKey, PushApp } from '../clients/push-app';
import { enrollHotp, otpAt, RFC_KEY, startTestApp, TestApp } from '../helpers/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * push_wait (push.md §7): a relying party that cannot poll sends the PIN and gets the phone's
 * decision in the same /validate/check. Two replicas share one database: the check waits on one,
 * the phone answers at the other.
 */
describe('push_wait: the check waits for the phone', () => {
  let dir: string | undefined;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env: Record<string, string> = { PUSH_WAIT: '4', PUSH_SERVER_KEY_BITS: '2048' };
    if ((process.env.DB_TYPE ?? 'sqlite').toLowerCase() === 'sqlite') {
      dir = mkdtempSync(join(tmpdir(), 'mfa-pushwait-'));
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

  // `.then` sends at once (supertest sends lazily): the check must be waiting before the phone acts.
  const check = (t: TestApp, params: Record<string, string>) =>
    t
      .http()
      .post('/validate/check')
      .type('form')
      .send(params)
      .then((r) => r);

  /** A push token of `user` (PIN 1234), rolled out by a phone that talks to replica b. */
  async function enrolled(user: string): Promise<{ app: PushApp; serial: string }> {
    const init = await a
      .http()
      .post('/token/init')
      .set('Authorization', a.admin)
      .send({ type: 'push', genkey: '1', user, pin: '1234' });
    expect(init.status).toBe(200);
    const app = new PushApp({ newKey: () => cachedPhoneKey() });
    // The phone talks to the other replica: the URI names replica a's URL, so rewrite it.
    const rollout = await app.enroll(
      init.body.detail.pushurl.value.replaceAll(pyPort(a), pyPort(b)),
    );
    expect(rollout.ok).toBe(true);
    return { app, serial: init.body.detail.serial as string };
  }
  const pyPort = (t: TestApp) => `%3A${new URL(t.url).port}/`;

  /** Polls from the phone until the waiting check's challenge shows up. */
  async function nextRequest(app: PushApp, serial: string) {
    for (let i = 0; i < 50; i++) {
      const polled = await app.poll(serial);
      if (polled.requests.length > 0) return polled.requests[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no challenge arrived');
  }

  it('accepted on the phone (at the other replica) → ACCEPT in the same call, once', async () => {
    const { app, serial } = await enrolled('wait-accept');
    const pending = check(a, { user: 'wait-accept', pass: '1234' });
    const req = await nextRequest(app, serial);
    expect((await app.accept(req)).value).toBe(true);
    const res = await pending;
    expect(res.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(res.body.detail).toMatchObject({ serial, type: 'push' });
    // The transaction's rows are gone: nothing is left to finalize a second time.
    const rows = await a
      .http()
      .get('/token/challenges/')
      .query({ serial })
      .set('Authorization', a.admin);
    expect(rows.status).toBe(200);
    expect(rows.body.result.value.count).toBe(0);
  });

  it('declined on the phone → DECLINED with challenge_status, nothing counted', async () => {
    const { app, serial } = await enrolled('wait-decline');
    const pending = check(a, { user: 'wait-decline', pass: '1234' });
    const req = await nextRequest(app, serial);
    expect((await app.decline(req)).value).toBe(true);
    const res = await pending;
    expect(res.body.result).toMatchObject({ value: false, authentication: 'DECLINED' });
    expect(res.body.detail.challenge_status).toBe('declined');
    const list = await a.http().get('/token/').query({ serial }).set('Authorization', a.admin);
    expect(list.body.result.value.tokens[0].failcount).toBe(0);
  });

  it('no answer → REJECT "wrong otp value" after PUSH_WAIT, counted once', async () => {
    const { serial } = await enrolled('wait-timeout');
    const res = await check(a, { user: 'wait-timeout', pass: '1234' });
    expect(res.body.result).toMatchObject({ value: false, authentication: 'REJECT' });
    expect(res.body.detail).toMatchObject({ message: 'wrong otp value', serial });
    const list = await a.http().get('/token/').query({ serial }).set('Authorization', a.admin);
    expect(list.body.result.value.tokens[0].failcount).toBe(1);
  });

  it('a relying party that hangs up ends the wait: nothing counted, the answer comes too late', async () => {
    const { app, serial } = await enrolled('wait-hangup');
    const waiter = a.app.get(ChallengeWaiter);
    const before = waiter.size;
    const req = request(`${a.url}/validate/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    req.on('error', () => undefined);
    req.end('user=wait-hangup&pass=1234');
    const pushReq = await nextRequest(app, serial);
    req.destroy();
    for (let i = 0; i < 100 && waiter.size > before; i++) await sleep(20);
    expect(waiter.size).toBe(before);
    // The transaction is gone: the phone's late answer changes nothing.
    await sleep(100);
    expect((await app.accept(pushReq)).value).toBe(false);
    const list = await a.http().get('/token/').query({ serial }).set('Authorization', a.admin);
    expect(list.body.result.value.tokens[0].failcount).toBe(0);
  });

  it('a shutting-down replica ends its waits at once instead of holding the shutdown', async () => {
    await enrolled('wait-shutdown');
    const env: Record<string, string> = { PUSH_WAIT: '60', PUSH_SERVER_KEY_BITS: '2048' };
    if (dir) env.DB_PATH = join(dir, 'shared.sqlite');
    const c = await startTestApp(env, [], { freshDatabase: false });
    const waiter = c.app.get(ChallengeWaiter);
    const pending = check(c, { user: 'wait-shutdown', pass: '1234' });
    for (let i = 0; i < 100 && waiter.size === 0; i++) await sleep(20);
    expect(waiter.size).toBe(1);
    const closed = c.close();
    const res = await pending;
    await closed;
    expect(res.body.result).toMatchObject({ value: false, authentication: 'REJECT' });
    expect(res.body.detail.message).toBe('The wait for the phone ended early');
  });

  it('200 waiting checks hold nothing: other users authenticate while they wait', async () => {
    // 20 users × 10 checks each (MAX_OPEN_CHALLENGES_PER_TOKEN is 10), tokens without a PIN.
    const users = Array.from({ length: 20 }, (_, i) => `w${i}`);
    for (const user of users) await enrolledWithoutPin(user);
    await enrollHotp(a, { user: 'bystander', pin: 'pw' });
    const waiter = a.app.get(ChallengeWaiter);
    const waits = users.flatMap((user) =>
      Array.from({ length: 10 }, () => check(a, { user, pass: '' })),
    );
    for (let i = 0; i < 100 && waiter.size < 200; i++) await new Promise((r) => setTimeout(r, 50));
    expect(waiter.size).toBe(200);
    // While every one of them waits, a normal check for another user completes.
    const ok = await check(a, { user: 'bystander', pass: `pw${otpAt(RFC_KEY, 0)}` });
    expect(ok.body.result.value).toBe(true);
    expect(waiter.size).toBe(200);
    const done = await Promise.all(waits);
    expect(done.every((r) => r.status === 200 && r.body.detail.message === 'wrong otp value')).toBe(
      true,
    );
    expect(waiter.size).toBe(0);
  });

  async function enrolledWithoutPin(user: string): Promise<void> {
    const init = await a
      .http()
      .post('/token/init')
      .set('Authorization', a.admin)
      .send({ type: 'push', genkey: '1', user });
    expect(init.status).toBe(200);
    const app = new PushApp({ newKey: () => cachedPhoneKey() });
    expect((await app.enroll(init.body.detail.pushurl.value)).ok).toBe(true);
  }
});
