import { request as httpRequest } from 'node:http';
import { threadId } from 'node:worker_threads';
import { expectClean, expectOk, expectTooLarge } from '../helpers/envelope-assert';
import { enrollHotp, otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const TOO_LARGE = 'ERR905: Request body too large';
/** Over the default /validate/* and /ttype/* limit (32 KiB), far below the global 1 MiB. */
const KIB_40 = 40 * 1024;

/**
 * Request parsing of issue 7: small body limit for unauthenticated routes (6), inert
 * `__proto__`/`constructor` parameters (9), a threadid that is not the process id (17).
 */
describe('request hardening', () => {
  let t: TestApp;
  let next = 0;
  const otp = () => otpAt(RFC_KEY, next++);

  beforeAll(async () => {
    // otponly honoured here, so a smuggled otponly would really skip the PIN.
    t = await startTestApp({ OTPONLY_ALLOWED: 'true' });
    await enrollHotp(t, { serial: 'RH-PIN', pin: 'rhpin', user: 'rhuser' });
  });
  afterAll(() => t.close());

  const check = () => t.http().post('/validate/check');

  describe('body limit of /validate/* and /ttype/* (point 6)', () => {
    const padding = 'x'.repeat(KIB_40);

    it('refuses a 40 KiB form body to /validate/check with the 413 envelope', async () => {
      await expectTooLarge(check().type('form').send(`user=rhuser&pass=${padding}`));
    });

    it('refuses it as JSON, text/plain and multipart too, and on /ttype/*', async () => {
      await expectTooLarge(check().send({ user: 'rhuser', pass: padding }));
      await expectTooLarge(
        check()
          .set('Content-Type', 'text/plain')
          .send(JSON.stringify({ user: 'rhuser', pass: padding })),
      );
      await expectTooLarge(check().field('user', 'rhuser').field('pass', padding));
      await expectTooLarge(t.http().post('/ttype/push').type('form').send(`pass=${padding}`));
      await expectTooLarge(
        t
          .http()
          .post('/validate/triggerchallenge')
          .set('Authorization', `Bearer ${t.admin}`)
          .type('form')
          .send(`user=rhuser&data=${padding}`),
      );
    });

    it('counts the bytes of a chunked body without a Content-Length', async () => {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          `${t.url}/validate/check`,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          },
          (r) => {
            let body = '';
            r.on('data', (c: Buffer) => (body += c.toString()));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write('user=rhuser&pass=');
        for (let i = 0; i < 40; i++) req.write('x'.repeat(1024));
        req.end();
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({
        result: { status: false, error: { code: 905, message: TOO_LARGE } },
      });
    });

    it('still accepts a normal check', async () => {
      const res = await check()
        .type('form')
        .send({ user: 'rhuser', pass: `rhpin${otp()}` });
      expectClean(res);
      expect(res.body.result.value).toBe(true);
    });

    it('keeps the 1 MiB limit for authenticated routes (a 40 KiB /token/init is not a 413)', async () => {
      const res = await t
        .http()
        .post('/token/init')
        .set('Authorization', `Bearer ${t.admin}`)
        .type('form')
        .send(`type=hotp&genkey=1&serial=RH-BIG&padding=${padding}`);
      expectOk(res);
    });

    it('makes the limit configurable (VALIDATE_BODY_LIMIT)', async () => {
      // A second instance on the same database (MySQL: not reset under the first one).
      const wide = await startTestApp({ VALIDATE_BODY_LIMIT: String(64 * 1024) }, [], {
        freshDatabase: false,
      });
      try {
        const res = await wide
          .http()
          .post('/validate/check')
          .type('form')
          .send(`user=nobody&pass=x&padding=${padding}`);
        expectClean(res);
        expect(res.status).toBe(200);
        await expectTooLarge(
          wide
            .http()
            .post('/validate/check')
            .type('form')
            .send(`user=nobody&pass=${'x'.repeat(65 * 1024)}`),
        );
      } finally {
        await wide.close();
      }
    });
  });

  describe('__proto__, constructor and prototype in parameters (point 9)', () => {
    const smuggled = () =>
      `{"__proto__": {"otponly": "1"}, "serial": "RH-PIN", "pass": "${otp()}"}`;

    it('a smuggled otponly never skips the PIN (text/plain and application/json)', async () => {
      for (const type of ['text/plain', 'application/json']) {
        const res = await check().set('Content-Type', type).send(smuggled());
        expectClean(res);
        expect(res.body.result.value).not.toBe(true);
        expect(res.body.result.authentication).not.toBe('ACCEPT');
      }
      // The token is PIN-protected: only PIN + OTP authenticates.
      const ok = await check()
        .type('form')
        .send({ serial: 'RH-PIN', pass: `rhpin${otp()}` });
      expect(ok.body.result.value).toBe(true);
    });

    it('a smuggled enrollment parameter is ignored', async () => {
      // Before: the prototype's otplen reached the token type past the DTO.
      const body =
        '{"__proto__": {"otplen": "8"}, "constructor": {"x": 1}, "prototype": "p", ' +
        `"type": "hotp", "serial": "RH-PROTO", "otpkey": "${RFC_KEY}"}`;
      const res = await t
        .http()
        .post('/token/init')
        .set('Authorization', `Bearer ${t.admin}`)
        .set('Content-Type', 'text/plain')
        .send(body);
      expectOk(res);
      expect((await tokenInfo(t, 'RH-PROTO')).otplen).toBe(6);
    });

    it('constructor, prototype and __proto__ as form or query keys do nothing', async () => {
      const res = await check()
        .query('constructor=1&prototype=2&__proto__=3')
        .type('form')
        .send({ user: 'rhuser', pass: `rhpin${otp()}`, constructor: 'x', toString: 'y' });
      expectClean(res);
      expect(res.body.result.value).toBe(true);
    });
  });

  describe('detail.threadid (point 17)', () => {
    it('is a per-process random number, not the process id', async () => {
      const ids: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await check().type('form').send({ user: 'rhuser', pass: 'wrong' });
        expect(res.status).toBe(200);
        ids.push(res.body.detail.threadid);
      }
      const id = ids[0] as number;
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(new Set(ids).size).toBe(1);
      expect(id).not.toBe(process.pid);
      expect(id).not.toBe(process.pid * 1000 + threadId);
      expect(Math.floor(id / 1000)).not.toBe(process.pid);
    });
  });
});
