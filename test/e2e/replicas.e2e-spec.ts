import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChallengeJanitor } from '../../src/challenge/challenge-janitor';
import { cachedPhoneKey, PushApp, type PushRequest } from '../clients/push-app';
import { TiqrApp } from '../clients/tiqr-app';
import {
  enrollHotp,
  isMysql,
  otpAt,
  RFC_KEY,
  RFC_OTPS,
  startTestApp,
  TestApp,
  tokenInfo,
} from '../helpers/test-app';

/**
 * Several replicas, one database (issue "Deploy and scale out", item 4): every piece of state a
 * login needs lives in the database, so any step of any flow may land on any replica. Two
 * instances (A, B) share one MariaDB database or, on SQLite, one database file; a third and a
 * fourth (C, D) join the same database with a one-second challenge janitor.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PIN = '4711';

describe('several replicas on one database', () => {
  let dir: string | undefined;
  let a: TestApp;
  let b: TestApp;
  let aClosed = false;
  const env: Record<string, string> = { PUSH_SERVER_KEY_BITS: '2048' };

  beforeAll(async () => {
    if (!isMysql()) {
      dir = mkdtempSync(join(tmpdir(), 'mfa-replicas-'));
      env.DB_PATH = join(dir, 'shared.sqlite');
    }
    a = await startTestApp(env);
    b = await startTestApp(env, [], { freshDatabase: false });
  });
  afterAll(async () => {
    if (!aClosed) await a.close();
    await b.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The relying party's /validate/check at one replica (sent at once, see push-wait). */
  const check = (t: TestApp, params: Record<string, string>) =>
    t
      .http()
      .post('/validate/check')
      .type('form')
      .send(params)
      .then((r) => r);

  const pollTransaction = async (t: TestApp, tid: string) => {
    const res = await t.http().get('/validate/polltransaction').query({ transaction_id: tid });
    expect(res.status).toBe(200);
    return res.body.result.value as boolean;
  };

  const challengeRows = async (t: TestApp, tid: string) => {
    const res = await t
      .http()
      .get('/token/challenges/')
      .query({ transaction_id: tid })
      .set('Authorization', t.admin);
    expect(res.status).toBe(200);
    return res.body.result.value.count as number;
  };

  /** A URL served by one replica, pointed at another (as a load balancer would route it). */
  const steer = (url: string, from: TestApp, to: TestApp) => {
    expect(url).toContain(from.url);
    return url.replaceAll(from.url, to.url);
  };

  /** A `pushurl` names the serving replica python-quoted (`%3A<port>/`). */
  const pyPort = (t: TestApp) => `%3A${new URL(t.url).port}/`;

  /** TiQR token of `user`: init at `initAt`, the app scans the QR code but talks to `appAt`. */
  async function tiqrEnrolled(user: string, initAt: TestApp, appAt: TestApp) {
    const init = await initAt
      .http()
      .post('/token/init')
      .set('Authorization', initAt.admin)
      .type('form')
      .send({ type: 'tiqr', user, pin: PIN });
    expect(init.status).toBe(200);
    const app = new TiqrApp();
    const uri = steer(init.body.detail.tiqrenroll.value as string, initAt, appAt);
    const r = await app.enroll(uri);
    expect({ ok: r.ok, raw: r.raw }).toEqual({ ok: true, raw: 'OK' });
    // The identity provider is the replica the app enrolled at.
    expect(r.identity!.service.authenticationUrl).toBe(`${appAt.url}/ttype/tiqr`);
    return { app, serial: init.body.detail.serial as string };
  }

  async function tiqrTrigger(t: TestApp, user: string) {
    const res = await check(t, { user, pass: PIN });
    expect(res.status).toBe(200);
    expect(res.body.result.authentication).toBe('CHALLENGE');
    const c = (res.body.detail.multi_challenge as { type: string; attributes: { value: string } }[])
      .filter((x) => x.type === 'tiqr')
      .map((x) => x.attributes.value);
    expect(c).toHaveLength(1);
    return { tid: res.body.detail.transaction_id as string, uri: c[0] };
  }

  /** Push token of `user`: init at `initAt`, rolled out by a phone that talks to `phoneAt`. */
  async function pushEnrolled(user: string, initAt: TestApp, phoneAt: TestApp) {
    const init = await initAt
      .http()
      .post('/token/init')
      .set('Authorization', initAt.admin)
      .send({ type: 'push', genkey: '1', user, pin: PIN });
    expect(init.status).toBe(200);
    const phone = new PushApp({ newKey: () => cachedPhoneKey() });
    const uri = (init.body.detail.pushurl.value as string).replaceAll(
      pyPort(initAt),
      pyPort(phoneAt),
    );
    const rollout = await phone.enroll(uri);
    expect(rollout.ok).toBe(true);
    return { phone, serial: init.body.detail.serial as string };
  }

  async function pushTrigger(t: TestApp, user: string) {
    const res = await check(t, { user, pass: PIN });
    expect(res.status).toBe(200);
    expect(res.body.result.authentication).toBe('CHALLENGE');
    return res.body.detail.transaction_id as string;
  }

  /** The phone polls `serial` (at the replica it was rolled out at) until its challenge shows. */
  async function phoneRequest(phone: PushApp, serial: string): Promise<PushRequest> {
    for (let i = 0; i < 50; i++) {
      const polled = await phone.poll(serial);
      expect(polled.status).toBe(200);
      const req = polled.requests.find((r) => r.serial === serial);
      if (req) return req;
      await sleep(100);
    }
    throw new Error(`no push challenge for ${serial} reached the phone`);
  }

  it('enroll on A, authenticate on B; a value used on B is spent on A; admin changes on B hold on A', async () => {
    const serial = await enrollHotp(a, { user: 'across', pin: PIN });
    const ok = await check(b, { user: 'across', pass: `${PIN}${RFC_OTPS[0]}` });
    expect(ok.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    const replay = await check(a, { user: 'across', pass: `${PIN}${RFC_OTPS[0]}` });
    expect(replay.body.result).toMatchObject({ value: false, authentication: 'REJECT' });
    expect(
      (await check(a, { user: 'across', pass: `${PIN}${RFC_OTPS[1]}` })).body.result.value,
    ).toBe(true);
    // Disabled on B: refused on A at once (no replica caches token state).
    const off = await b
      .http()
      .post('/token/disable')
      .set('Authorization', b.admin)
      .send({ serial });
    expect(off.status).toBe(200);
    expect(
      (await check(a, { user: 'across', pass: `${PIN}${RFC_OTPS[2]}` })).body.result.value,
    ).toBe(false);
    const on = await b.http().post('/token/enable').set('Authorization', b.admin).send({ serial });
    expect(on.status).toBe(200);
    expect(
      (await check(a, { user: 'across', pass: `${PIN}${RFC_OTPS[3]}` })).body.result.value,
    ).toBe(true);
    expect((await tokenInfo(b, serial)).count).toBe(4);
  });

  it('TiQR: triggered on B, answered on A, polled on B, finalized on A, spent on B', async () => {
    const user = 'tiqr-across';
    // Init on B; the app fetches the metadata from A, so A is its identity provider.
    const { app } = await tiqrEnrolled(user, b, a);
    const { tid, uri } = await tiqrTrigger(b, user);
    expect(await pollTransaction(b, tid)).toBe(false);
    const reply = await app.login(uri);
    expect({ status: reply.status, raw: reply.raw }).toEqual({ status: 200, raw: 'OK' });
    expect(await pollTransaction(b, tid)).toBe(true);
    const fin = await check(a, { user, transaction_id: tid, pass: '' });
    expect(fin.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    // Finalized once: the transaction is spent for every replica.
    const again = await check(b, { user, transaction_id: tid, pass: '' });
    expect(again.body.result.value).toBe(false);
    expect(await pollTransaction(a, tid)).toBe(false);
  });

  it('Push: triggered on A, polled and answered on B, finalized on A, spent on B', async () => {
    const user = 'push-across';
    const { phone, serial } = await pushEnrolled(user, a, b);
    const tid = await pushTrigger(a, user);
    const req = await phoneRequest(phone, serial);
    // The phone answers where it polls (the token's URL, B), not at the replica that triggered.
    expect(req.url).toBe(`${b.url}/ttype/push`);
    const answered = await phone.accept(req);
    expect(answered.status).toBe(200);
    expect(answered.value).toBe(true);
    expect(await pollTransaction(a, tid)).toBe(true);
    const fin = await check(a, { user, transaction_id: tid, pass: '' });
    expect(fin.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(fin.body.detail).toMatchObject({ serial, type: 'push' });
    const again = await check(b, { user, transaction_id: tid, pass: '' });
    expect(again.body.result.value).toBe(false);
  });

  it('30 concurrent replays of one OTP spread over both replicas: exactly one success', async () => {
    const serial = await enrollHotp(a, { user: 'replay', pin: PIN });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        check(i % 2 ? a : b, { user: 'replay', pass: `${PIN}${RFC_OTPS[3]}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(results.filter((r) => r.body.result.value === true)).toHaveLength(1);
    expect((await tokenInfo(a, serial)).count).toBe(4);
    expect((await tokenInfo(b, serial)).count).toBe(4);
  });

  it('two janitors sweeping every second remove expired challenges, never those of logins in flight', async () => {
    // Two more replicas on the same database, sweeping every second, with short validities.
    const fast = {
      ...env,
      CHALLENGE_CLEANUP_INTERVAL: '1',
      HOTP_CHALLENGE_VALIDITY_TIME: '2',
      TIQR_CHALLENGE_VALIDITY_TIME: '3',
    };
    const c = await startTestApp(fast, [], { freshDatabase: false });
    const d = await startTestApp(fast, [], { freshDatabase: false });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await enrollHotp(c, { user: 'jan-hotp', pin: PIN });
      const { app } = await tiqrEnrolled('jan-tiqr', c, d);
      const { phone, serial: pushSerial } = await pushEnrolled('jan-push', d, c);

      // An HOTP challenge nobody answers (2 s).
      const hotp = await check(c, { user: 'jan-hotp', pass: PIN });
      expect(hotp.body.result.authentication).toBe('CHALLENGE');
      const hotpTid = hotp.body.detail.transaction_id as string;
      // A TiQR login answered at once (3 s, then the finalize grace) and one nobody answers.
      const started = Date.now();
      const answeredLogin = await tiqrTrigger(c, 'jan-tiqr');
      expect((await app.login(answeredLogin.uri)).raw).toBe('OK');
      const idleLogin = await tiqrTrigger(d, 'jan-tiqr');
      // A push login the user has not reached yet (120 s).
      const pushTid = await pushTrigger(d, 'jan-push');

      // Both janitors, and a few extra sweeps racing them, remove the expired rows.
      const sweeps = await Promise.all(
        [c, d, c, d].map((t) => t.app.get(ChallengeJanitor).sweep()),
      );
      expect(sweeps.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      for (let i = 0; i < 100; i++) {
        if ((await challengeRows(d, hotpTid)) + (await challengeRows(c, idleLogin.tid)) === 0)
          break;
        await sleep(100);
      }
      expect(await challengeRows(d, hotpTid)).toBe(0);
      expect(await challengeRows(c, idleLogin.tid)).toBe(0);
      // The answered TiQR login outlives its 3 s validity, the push login its slow user.
      await sleep(Math.max(0, started + 4000 - Date.now()));
      expect(await challengeRows(c, answeredLogin.tid)).toBeGreaterThan(0);
      expect(await challengeRows(c, pushTid)).toBeGreaterThan(0);

      const tiqrDone = await check(d, {
        user: 'jan-tiqr',
        transaction_id: answeredLogin.tid,
        pass: '',
      });
      expect(tiqrDone.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
      const req = await phoneRequest(phone, pushSerial);
      expect(req.url).toBe(`${c.url}/ttype/push`);
      expect((await phone.accept(req)).value).toBe(true);
      const pushDone = await check(c, { user: 'jan-push', transaction_id: pushTid, pass: '' });
      expect(pushDone.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
      // The expired ones are over: answering them now fails.
      const late = await check(d, {
        user: 'jan-hotp',
        transaction_id: hotpTid,
        pass: otpAt(RFC_KEY, 0),
      });
      expect(late.body.result.value).toBe(false);
      expect(warn.mock.calls.filter((call) => String(call[0]).includes('cleanup'))).toEqual([]);
    } finally {
      warn.mockRestore();
      await c.close();
      await d.close();
    }
  });

  it('A shuts down under a steady stream of checks to both: every request answered, B keeps serving', async () => {
    const WORKERS = 6;
    const users = Array.from({ length: WORKERS }, (_, i) => `load${i}`);
    for (const user of users) await enrollHotp(a, { user, pin: PIN });
    const ports = { a: new URL(a.url).port, b: new URL(b.url).port };

    // What A's HTTP server itself sees: requests it has read, and those it answered while closing.
    let activeAtA = 0;
    let seenByA = 0;
    let sentToA = 0;
    let closeBegan = false;
    let finishedAtAWhileClosing = 0;
    const serverA: Server = a.app.getHttpServer();
    serverA.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      activeAtA++;
      seenByA++;
      res.on('close', () => {
        activeAtA--;
        if (closeBegan && res.writableFinished) finishedAtAWhileClosing++;
      });
    });

    type Outcome = { at: 'a' | 'b'; status: number; value: unknown };
    const outcomes: Outcome[] = [];
    const failures: string[] = [];
    let closing = false;
    let stop = false;

    /** One check over a fresh connection (no keep-alive, like a plain proxy). */
    const send = (at: 'a' | 'b', body: string) =>
      new Promise<{ status: number; value: unknown }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: ports[at],
            method: 'POST',
            path: '/validate/check',
            agent: false,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              let value: unknown;
              try {
                value = (JSON.parse(text) as { result?: { value?: unknown } }).result?.value;
              } catch {
                value = `not JSON: ${text.slice(0, 80)}`;
              }
              if (res.statusCode !== 200) {
                value = `${res.statusCode} ${text.slice(0, 300)}`;
              }
              resolve({ status: res.statusCode ?? 0, value });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    /** A load balancer's view: round robin while A is up, B only once A is shutting down. */
    const counters = users.map(() => 0);
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const body = `user=${users[w]}&pass=${PIN}${otpAt(RFC_KEY, counters[w])}`;
        const at: 'a' | 'b' = !closing && (n + w) % 2 === 0 ? 'a' : 'b';
        let res;
        if (at === 'a') sentToA++;
        try {
          res = await send(at, body);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          failures.push(`${at}: ${code}`);
          return;
        }
        outcomes.push({ at, status: res.status, value: res.value });
        if (res.value !== true) {
          failures.push(`${users[w]} counter ${counters[w]} at ${at}: ${String(res.value)}`);
          return;
        }
        counters[w]++;
      }
    };

    const running = Array.from({ length: WORKERS }, (_, w) => worker(w));
    // Let the stream settle. Then, as a load balancer does before a pod stops, route nothing
    // new to A and wait until A has read every request sent to it; shut A down as soon as that
    // moment finds A in the middle of answering checks. (A request that reaches A only after
    // app.close() began is refused or gets Fastify's 503: draining before the close is the
    // process-level shutdown's job, tested with it.)
    await sleep(300);
    const tick = () => new Promise(setImmediate);
    for (let attempt = 0; attempt < 200 && !closeBegan; attempt++) {
      closing = true;
      for (let i = 0; i < 10_000 && seenByA < sentToA; i++) await tick();
      if (seenByA === sentToA && activeAtA > 0) closeBegan = true;
      else {
        closing = false;
        await sleep(5);
      }
    }
    expect(closeBegan).toBe(true);
    const countBeforeClose = outcomes.length;
    await a.close();
    aClosed = true;
    // B alone carries the stream for a while.
    await sleep(300);
    stop = true;
    await Promise.all(running);

    expect(failures).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 200 || o.value !== true)).toEqual([]);
    // A answered the checks it was working on when the shutdown began.
    expect(finishedAtAWhileClosing).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.at === 'a').length).toBeGreaterThan(WORKERS);
    expect(outcomes.length - countBeforeClose).toBeGreaterThan(WORKERS);
    // Nothing was lost or counted twice: each token moved exactly as far as its successes.
    for (const [w, user] of users.entries()) {
      expect(counters[w]).toBeGreaterThan(1);
      const list = await b.http().get('/token/').query({ user }).set('Authorization', b.admin);
      expect(list.body.result.value.tokens[0]).toMatchObject({ count: counters[w], failcount: 0 });
    }
    // B keeps answering after A is gone.
    const next = await check(b, { user: 'load0', pass: `${PIN}${otpAt(RFC_KEY, counters[0])}` });
    expect(next.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
  });
});
