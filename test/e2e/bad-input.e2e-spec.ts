import type { Response, Test } from 'supertest';
import {
  bodyText,
  expectClean,
  expectError,
  expectOk,
  expectTooLarge,
  tokenCount,
} from '../helpers/envelope-assert';
import { enrollHotp, otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

/**
 * Hostile and malformed input (README "Transport", "Parameter parsing", "Type and content
 * checks"): never a 5xx, never internals in the body, always the JSON error envelope with a
 * numeric code, and nothing written.
 */
describe('bad input', () => {
  let t: TestApp;
  /** Next unused RFC 4226 counter of the token of user "biuser" (PIN "bp"). */
  let next = 0;
  const otp = () => otpAt(RFC_KEY, next++);

  beforeAll(async () => {
    t = await startTestApp();
    await enrollHotp(t, { serial: 'BI-1', user: 'biuser', pin: 'bp' });
  });
  afterAll(() => t.close());

  /** Sends, then checks the README rules every response must meet. */
  async function send(req: Test): Promise<Response> {
    const res = await req;
    expectClean(res);
    return res;
  }
  const init = () => t.http().post('/token/init').set('Authorization', `Bearer ${t.admin}`);
  const check = () => t.http().post('/validate/check');

  /** /token/init answered `status`/`code` and wrote no token. */
  async function initRefused(
    build: (req: Test) => Test,
    status: number,
    code: number,
    message?: string | RegExp,
  ): Promise<Response> {
    const before = await tokenCount(t);
    const res = await send(build(init()));
    expectError(res, status, code, message);
    expect(await tokenCount(t)).toBe(before);
    return res;
  }

  /** A processed /validate/check that did not authenticate. */
  function expectRejected(res: Response, message?: string) {
    expectClean(res);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ status: true, value: false, authentication: 'REJECT' });
    if (message) expect(res.body.detail.message).toBe(message);
  }

  const NO_TOKENS = 'The user has no tokens assigned';
  const NO_PARAMS =
    /^ERR905: (Missing parameter: pass|You need to specify a serial, user or credential_id\.)$/;
  const RFC_OTP0 = otpAt(RFC_KEY, 0);
  const resetBI = async () =>
    expectOk(await send(t.http().post('/token/reset/BI-1').set('Authorization', t.admin)), 1);
  const UNICODE = {
    emoji: 'u\u{1F600}\u{1F4A9}',
    rtl: '\u202Eevil\u202C\u05D0\u05D1',
    combining: 'e\u0301\u0327\u0308',
    zeroWidth: 'a\u200Bb\uFEFF',
  };
  const CONTROL = {
    nul: 'a\u0000b',
    crlf: 'a\r\nb',
    lf: 'a\nSet-Cookie: x=1',
    tab: 'a\tb',
    esc: 'a\u001bb',
  };
  const SQLISH = ["' OR 1=1 --", '"; DROP TABLE token; --', "admin'/*", '%', '*', '_'];

  describe('/token/init', () => {
    it('unknown type → 1610', async () => {
      await initRefused(
        (r) => r.type('form').send({ type: 'foo' }),
        400,
        1610,
        'ERR1610: init token failed. Unknown token type: foo',
      );
      for (const type of ['../hotp', 'hotp;', 'hotp ', 'h%otp', 'password', 'hotp\u{1F600}']) {
        await initRefused(
          (r) => r.send({ type }),
          400,
          1610,
          `ERR1610: init token failed. Unknown token type: ${type}`,
        );
      }
      for (const type of [CONTROL.nul, CONTROL.crlf])
        await initRefused((r) => r.send({ type }), 400, 905);
    });

    it('otpkey that is not an even-length plain hex string of at most 512 digits → 905', async () => {
      for (const otpkey of [
        'zz'.repeat(20),
        RFC_KEY.slice(1),
        `0x${RFC_KEY}`,
        `${RFC_KEY.slice(0, 20)} ${RFC_KEY.slice(20)}`,
        `${RFC_KEY}:`,
        `${RFC_KEY}\u0000`,
        `${RFC_KEY}\n`,
        'ab'.repeat(257),
        'ab'.repeat(5000),
      ]) {
        await initRefused((r) => r.send({ type: 'hotp', otpkey }), 400, 905, /^ERR905: /);
      }
    });

    it('bad otpkeyformat / base32check data → 905', async () => {
      await initRefused(
        (r) => r.send({ otpkey: RFC_KEY, otpkeyformat: 'base64' }),
        400,
        905,
        "ERR905: Unknown OTP key format: 'base64'",
      );
      for (const otpkey of ['AAAAAAAAAAAAAAAA', '!!!!', 'AA']) {
        await initRefused(
          (r) => r.send({ otpkey, otpkeyformat: 'base32check' }),
          400,
          905,
          /^ERR905: Malformed base32check data: /,
        );
      }
    });

    it('serials with invalid characters or over 40 characters → 905', async () => {
      const invalid = 'ERR905: Invalid serial number. Must comply to ^[0-9a-zA-Z\\-_]+$.';
      // ('_' and '-' are valid serial characters)
      const sqlish = SQLISH.filter((x) => x !== '_');
      for (const serial of [
        'bad serial',
        'a/b',
        'a.b',
        'a%41',
        ...Object.values(UNICODE),
        ...sqlish,
      ]) {
        await initRefused((r) => r.send({ serial, otpkey: RFC_KEY }), 400, 905, invalid);
      }
      await initRefused(
        (r) => r.send({ serial: 'S'.repeat(41), otpkey: RFC_KEY }),
        400,
        905,
        /^ERR905: /,
      );
      for (const serial of Object.values(CONTROL)) {
        await initRefused((r) => r.send({ serial, otpkey: RFC_KEY }), 400, 905, /^ERR905: /);
      }
    });

    it('control characters in user, invalid realms, over-long user → 905', async () => {
      for (const user of Object.values(CONTROL)) {
        await initRefused((r) => r.send({ user, otpkey: RFC_KEY }), 400, 905, /^ERR905: /);
      }
      await initRefused(
        (r) => r.send({ user: 'x'.repeat(257), otpkey: RFC_KEY }),
        400,
        905,
        /^ERR905: /,
      );
      for (const realm of [
        ...Object.values(UNICODE),
        ...SQLISH.slice(0, 3),
        'a b',
        'r'.repeat(257),
      ]) {
        await initRefused(
          (r) => r.send({ user: 'someone', realm, otpkey: RFC_KEY }),
          400,
          905,
          /^ERR905: /,
        );
      }
    });

    it('JSON objects or arrays where a scalar is expected → 905', async () => {
      for (const body of [
        { user: { $ne: null }, otpkey: RFC_KEY },
        { serial: ['A1', 'A2'], otpkey: RFC_KEY },
        { serial: { $gt: '' }, otpkey: RFC_KEY },
        { type: ['hotp'], otpkey: RFC_KEY },
        { otpkey: [RFC_KEY] },
        { otpkey: { hex: RFC_KEY } },
        { pin: { $ne: null }, otpkey: RFC_KEY },
        { description: ['a'], otpkey: RFC_KEY },
      ]) {
        await initRefused((r) => r.send(body), 400, 905, /^ERR905: /);
      }
    });

    it('malformed JSON → 400 "Invalid JSON body"', async () => {
      for (const raw of ['{"type": "hotp", ', '{type: hotp}', '{"a":1}}', "{'a': 1}"]) {
        await initRefused(
          (r) => r.set('Content-Type', 'application/json').send(raw),
          400,
          905,
          'ERR905: Invalid JSON body',
        );
      }
    });

    it('bodies over 1 MiB → 413', async () => {
      const before = await tokenCount(t);
      await expectTooLarge(
        init().send({ otpkey: RFC_KEY, description: 'x'.repeat(1024 * 1024 + 16) }),
      );
      expect(await tokenCount(t)).toBe(before);
    });

    it('broken percent-encoding is decoded leniently and then refused as an invalid serial', async () => {
      for (const enc of ['%zz', '%E0%A4%A', '%', '%%41', '%C0%AF']) {
        await initRefused(
          (r) => r.type('form').send(`serial=${enc}&otpkey=${RFC_KEY}`),
          400,
          905,
          /^ERR905: Invalid serial number/,
        );
        await initRefused(
          (r) => r.query(`serial=${enc}&otpkey=${RFC_KEY}`),
          400,
          905,
          /^ERR905: Invalid serial number/,
        );
      }
    });

    it('a valid unicode login is stored and compared exactly', async () => {
      const users = ['owner\u{1F600}', '\u202Eowner\u05D0', 'Jos\u00e9'];
      for (const user of users) {
        const res = await send(init().send({ user, otpkey: RFC_KEY, pin: 'up' }));
        expectOk(res, true);
        const info = await tokenInfo(t, res.body.detail.serial as string);
        expect(info.username).toBe(user);
      }
      // Another normalisation or case of the same name is another user.
      for (const user of [
        'Jose\u0301',
        'jos\u00e9',
        'JOS\u00c9',
        'owner\u{1F601}',
        'owner',
        '\u202Eowner',
      ]) {
        expectRejected(await send(check().send({ user, pass: `up${RFC_OTP0}` })), NO_TOKENS);
      }
      const emoji = await send(check().send({ user: 'owner\u{1F600}', pass: `up${RFC_OTP0}` }));
      expect(emoji.body.result.value).toBe(true);
    });
  });

  describe('/validate/check', () => {
    it('missing parameters → 905', async () => {
      expectError(
        await send(check().type('form').send({ user: 'biuser' })),
        400,
        905,
        'ERR905: Missing parameter: pass',
      );
      expectError(
        await send(check().send({ user: 'biuser', pass: null })),
        400,
        905,
        'ERR905: Missing parameter: pass',
      );
      expectError(
        await send(check().type('form').send({ pass: '123456' })),
        400,
        905,
        'ERR905: You need to specify a serial, user or credential_id.',
      );
      expectError(await send(check()), 400, 905, /^ERR905: /);
      expectError(await send(t.http().get('/validate/check')), 400, 905, /^ERR905: /);
    });

    it('unicode logins of users without tokens are processed: value false', async () => {
      for (const user of [...Object.values(UNICODE), 'x'.repeat(256)]) {
        expectRejected(await send(check().send({ user, pass: '123456' })), NO_TOKENS);
        expectRejected(await send(check().type('form').send({ user, pass: '123456' })), NO_TOKENS);
      }
    });

    it('SQL-ish logins are just unknown users, and the token table survives', async () => {
      for (const user of SQLISH) {
        expectRejected(
          await send(
            check()
              .type('form')
              .send({ user, pass: `bp${RFC_OTP0}` }),
          ),
          NO_TOKENS,
        );
        expectRejected(
          await send(t.http().get('/validate/check').query({ user, pass: '1' })),
          NO_TOKENS,
        );
      }
      expectRejected(
        await send(check().send({ user: "biuser' --", pass: `bp${RFC_OTP0}` })),
        NO_TOKENS,
      );
      const ok = await send(check().send({ user: 'biuser', pass: `bp${otp()}` }));
      expect(ok.body.result.value).toBe(true);
    });

    it('control characters and over-long values → 905', async () => {
      for (const value of Object.values(CONTROL)) {
        for (const key of ['user', 'realm', 'serial', 'transaction_id']) {
          const body = { user: 'biuser', pass: 'bp123456', [key]: value };
          expectError(await send(check().send(body)), 400, 905, /^ERR905: /);
        }
      }
      expectError(
        await send(check().send({ user: 'u'.repeat(257), pass: '1' })),
        400,
        905,
        /^ERR905: /,
      );
      expectError(
        await send(check().send({ user: 'u', realm: 'r'.repeat(257), pass: '1' })),
        400,
        905,
        /^ERR905: /,
      );
      expectError(
        await send(check().send({ user: 'biuser', pass: '1'.repeat(1025) })),
        400,
        905,
        /^ERR905: /,
      );
      const tid = await send(
        check().send({ user: 'biuser', transaction_id: '1'.repeat(65), pass: '123456' }),
      );
      expectError(tid, 400, 905, /^ERR905: /);
    });

    it('invalid realms → 904', async () => {
      for (const realm of [...Object.values(UNICODE), ...SQLISH.slice(0, 3), 'a b']) {
        expectError(
          await send(check().send({ user: 'biuser', realm, pass: '123456' })),
          400,
          904,
          'ERR904: The user can not be found in any resolver in this realm!',
        );
      }
    });

    it('strange serials and transaction ids are unknown, never accepted', async () => {
      for (const serial of [...Object.values(UNICODE), ...SQLISH, 'S'.repeat(41), 'BI-%']) {
        const res = await send(check().send({ serial, pass: `bp${RFC_OTP0}` }));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expectError(res, res.status, res.body.result.error.code);
        expect([400, 404]).toContain(res.status);
      }
      for (const transaction_id of [...Object.values(UNICODE), ...SQLISH]) {
        const res = await send(check().send({ user: 'biuser', transaction_id, pass: '123456' }));
        if (res.status === 200) expectRejected(res);
        else expectError(res, res.status, res.body.result.error.code);
      }
      expect((await tokenInfo(t, 'BI-1')).count).toBe(next);
      await resetBI();
    });

    it('JSON objects or arrays where a scalar is expected → 905', async () => {
      for (const body of [
        { user: { $ne: null }, pass: '123456' },
        { user: ['biuser', 'x'], pass: '123456' },
        { user: 'biuser', pass: { $gt: '' } },
        { user: 'biuser', pass: ['bp', '123456'] },
        { serial: { $regex: '.*' }, pass: '123456' },
        { user: 'biuser', realm: ['default'], pass: '1' },
        { user: 'biuser', transaction_id: { $ne: null }, pass: '1' },
      ]) {
        expectError(await send(check().send(body)), 400, 905, /^ERR905: /);
      }
    });

    it('JSON numbers and booleans are taken as strings', async () => {
      expectRejected(await send(check().send({ user: 12345, pass: 123456 })), NO_TOKENS);
      expectRejected(await send(check().send({ user: true, pass: false })), NO_TOKENS);
    });

    it('malformed JSON → 400 "Invalid JSON body"', async () => {
      for (const raw of ['{"user": "biuser", ', '{user: biuser}', '[1,2', '{"user":"a"}x']) {
        const res = await send(check().set('Content-Type', 'application/json').send(raw));
        expectError(res, 400, 905, 'ERR905: Invalid JSON body');
      }
    });

    it('bodies over 1 MiB → 413 (JSON, form and text)', async () => {
      const big = 'x'.repeat(1024 * 1024 + 16);
      await expectTooLarge(check().send({ user: 'biuser', pass: big }));
      await expectTooLarge(check().type('form').send(`user=biuser&pass=${big}`));
      await expectTooLarge(check().set('Content-Type', 'text/plain').send(big));
    });

    it('text/plain, XML and octet-stream bodies contribute no parameters (and XML is never parsed)', async () => {
      const missingPass = 'ERR905: Missing parameter: pass';
      const plain = await send(
        check().set('Content-Type', 'text/plain').send(`user=biuser&pass=bp${RFC_OTP0}`),
      );
      expectError(plain, 400, 905, NO_PARAMS);
      const xxe =
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
        '<r><user>biuser</user><pass>&x;</pass></r>';
      for (const type of ['application/xml', 'text/xml']) {
        const res = await send(
          check().query({ user: 'biuser' }).set('Content-Type', type).send(xxe),
        );
        expectError(res, 400, 905, missingPass);
        expect(bodyText(res)).not.toMatch(/root:|\/bin\//);
      }
      const octets = await send(
        check().set('Content-Type', 'application/octet-stream').send(Buffer.from('user=biuser')),
      );
      expectError(octets, 400, 905, NO_PARAMS);
    });

    it('multipart bodies contribute no parameters (README "Malformed bodies")', async () => {
      const multipart = await send(check().field('user', 'biuser').field('pass', `bp${RFC_OTP0}`));
      expectError(multipart, 400, 905, NO_PARAMS);
      expect((await tokenInfo(t, 'BI-1')).count).toBe(next);
    });

    it('a JSON top level that is not an object contributes no parameters', async () => {
      for (const raw of [
        '[{"user":"biuser","pass":"bp123456"}]',
        '"user=biuser"',
        '42',
        'null',
        'true',
      ]) {
        const res = await send(check().set('Content-Type', 'application/json').send(raw));
        expectError(res, 400, 905, NO_PARAMS);
      }
      const withQuery = await send(
        check().query({ user: 'biuser' }).set('Content-Type', 'application/json').send('["pass"]'),
      );
      expectError(withQuery, 400, 905, 'ERR905: Missing parameter: pass');
    });

    it('broken percent-encoding in form and query is decoded leniently', async () => {
      await resetBI();
      for (const enc of ['%zz', '%E0%A4%A', '%', '%%', '%C0%AF', '%ED%A0%80', '%FF%FE']) {
        expectRejected(await send(check().type('form').send(`user=${enc}&pass=123456`)), NO_TOKENS);
        expectRejected(
          await send(t.http().get(`/validate/check?user=${enc}&pass=123456`)),
          NO_TOKENS,
        );
        const wrongPin = await send(
          check().type('form').send(`user=biuser&pass=${enc}${RFC_OTP0}`),
        );
        expectRejected(wrongPin, 'wrong otp pin');
      }
      await resetBI();
    });

    it('repeated keys: the first value wins; on a collision the query string wins', async () => {
      const form = await send(
        check()
          .type('form')
          .send(`user=biuser&user=nobody&pass=bp${otpAt(RFC_KEY, next)}`),
      );
      expect(form.body.result.value).toBe(true);
      next++;
      const query = await send(
        t.http().get(`/validate/check?user=nobody&user=biuser&pass=bp${otpAt(RFC_KEY, next)}`),
      );
      expectRejected(query, NO_TOKENS);
      const both = await send(
        check()
          .query({ user: 'biuser' })
          .type('form')
          .send(`user=nobody&pass=bp${otpAt(RFC_KEY, next)}`),
      );
      expect(both.body.result.value).toBe(true);
      next++;
    });
  });

  describe('the second unquoting pass', () => {
    const OTP = (i: number) => otpAt(RFC_KEY, i);
    beforeAll(async () => {
      await enrollHotp(t, { serial: 'DQ-1', user: 'dquser', pin: 'A' });
    });

    it('form and query values are unquoted twice unless the client is privacyidea-cp & co', async () => {
      // %2541 → (form decoding) %41 → (second pass) A
      const form = await send(
        check()
          .type('form')
          .send(`user=dquser&pass=%2541${OTP(0)}`),
      );
      expect(form.body.result.value).toBe(true);
      const query = await send(t.http().get(`/validate/check?user=dquser&pass=%2541${OTP(1)}`));
      expect(query.body.result.value).toBe(true);
      for (const ua of [
        'privacyidea-cp/1.0',
        'PrivacyIDEA-CP/2.0',
        'simplesamlphp/2.1',
        'privacyidea-ldap-proxy',
      ]) {
        const cp = await send(
          check()
            .set('User-Agent', ua)
            .type('form')
            .send(`user=dquser&pass=%2541${OTP(2)}`),
        );
        expectRejected(cp, 'wrong otp pin');
      }
      // JSON values are never unquoted.
      expectRejected(
        await send(check().send({ user: 'dquser', pass: `%41${OTP(2)}` })),
        'wrong otp pin',
      );
    });

    it('privacyidea-cp sends the PIN "%41" literally', async () => {
      const setpin = await send(
        t.http().post('/token/setpin/DQ-1').set('Authorization', t.admin).send({ otppin: '%41' }),
      );
      expectOk(setpin, 1);
      const cp = await send(
        check()
          .set('User-Agent', 'privacyidea-cp/1.0')
          .type('form')
          .send(`user=dquser&pass=%2541${OTP(2)}`),
      );
      expect(cp.body.result.value).toBe(true);
      const other = await send(
        check()
          .set('User-Agent', 'curl/8.5.0')
          .type('form')
          .send(`user=dquser&pass=%2541${OTP(3)}`),
      );
      expectRejected(other, 'wrong otp pin');
    });
  });

  describe('routing', () => {
    it('POST /validate/polltransaction → 405 code 10', async () => {
      for (const req of [
        t.http().post('/validate/polltransaction'),
        t.http().post('/validate/polltransaction').type('form').send({ transaction_id: '1' }),
        t.http().post('/validate/polltransaction/').send({ transaction_id: '1' }),
        t.http().post('/validate/polltransaction?transaction_id=1'),
      ]) {
        expectError(await send(req), 405, 10, 'Method not allowed');
      }
    });

    it('a method that is not routed on an existing path → 405 code 10', async () => {
      expectError(await send(t.http().delete('/validate/check')), 405, 10, 'Method not allowed');
      expectError(
        await send(t.http().put('/validate/check').send({ user: 'a' })),
        405,
        10,
        'Method not allowed',
      );
    });

    it('GET /validate/polltransaction without transaction_id → 905', async () => {
      expectError(
        await send(t.http().get('/validate/polltransaction')),
        400,
        905,
        /Missing parameter: transaction_id/,
      );
    });

    it('unknown paths → 404 code 601', async () => {
      const notFound = 'The requested resource could not be found.';
      for (const path of [
        '/nope',
        '/validate/nope',
        '/validate/check/extra/parts',
        '/..%2f..%2fetc/passwd',
      ]) {
        expectError(await send(t.http().get(path)), 404, 601, notFound);
      }
      expectError(await send(t.http().post('/nope').send({ a: 1 })), 404, 601, notFound);
    });

    it('a malformed path is answered with the JSON error envelope too', async () => {
      for (const path of ['/%zz', '/validate/%E0%A4%A', '/token/%zz']) {
        const bad = await send(t.http().get(path));
        expect([400, 404]).toContain(bad.status);
        expectError(bad, bad.status, bad.status === 404 ? 601 : 905);
      }
    });
  });

  it('after all of this, only the tokens enrolled on purpose exist', async () => {
    // BI-1, three unicode users, DQ-1
    expect(await tokenCount(t)).toBe(5);
  });
});
