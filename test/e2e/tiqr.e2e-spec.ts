import type { Response } from 'supertest';
import {
  formEncode,
  ocra,
  parseAuthReply,
  parseAuthUrl,
  pinHash,
  TiqrApp,
  TiqrAppError,
  wrongAnswer,
  type TiqrReply,
} from '../clients/tiqr-app';
import {
  base32,
  expectClean,
  expectError,
  expectOk,
  expectPngDataUri,
  expectTooLarge,
  listTokens,
  tokenCount,
} from '../helpers/envelope-assert';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * TiQR end to end (tiqr.md): a simulated TiQR app (test/clients/tiqr-app.ts, its own OCRA)
 * enrolls from the tiqrenroll:// QR code and answers tiqrauth:// challenges over real HTTP,
 * while the tests play the relying party (trigger, poll, finalize) and the admin.
 */

const PIN = 'tiqr-pin';
const QN10 = 'OCRA-1:HOTP-SHA1-6:QN10';
const QH10 = 'OCRA-1:HOTP-SHA1-6:QH10';
const NOT_FOUND = 'The requested token could not be found.';
const LOCKED = 'ERR1007: This action is not possible, since the token is locked';

const K20 = '3132333435363738393031323334353637383930';
const K32 = K20 + '313233343536373839303132';
const K64 = K20.repeat(3) + '31323334';

/** RFC 6287 Appendix C (ocra.md §6): suite, key bytes, counter, question, PIN, T (hex), OCRA. */
const RFC_VECTORS: [string, 20 | 32 | 64, string, string, string, string, string][] = [
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '00000000', '', '', '237653'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '11111111', '', '', '243178'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '22222222', '', '', '653583'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '33333333', '', '', '740991'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '44444444', '', '', '608993'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '55555555', '', '', '388898'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '66666666', '', '', '816933'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '77777777', '', '', '224598'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '88888888', '', '', '750600'],
  ['OCRA-1:HOTP-SHA1-6:QN08', 20, '', '99999999', '', '', '294470'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '0', '12345678', '1234', '', '65347737'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '1', '12345678', '1234', '', '86775851'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '2', '12345678', '1234', '', '78192410'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '3', '12345678', '1234', '', '71565254'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '4', '12345678', '1234', '', '10104329'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '5', '12345678', '1234', '', '65983500'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '6', '12345678', '1234', '', '70069104'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '7', '12345678', '1234', '', '91771096'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '8', '12345678', '1234', '', '75011558'],
  ['OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', 32, '9', '12345678', '1234', '', '08522129'],
  ['OCRA-1:HOTP-SHA256-8:QN08-PSHA1', 32, '', '00000000', '1234', '', '83238735'],
  ['OCRA-1:HOTP-SHA256-8:QN08-PSHA1', 32, '', '11111111', '1234', '', '01501458'],
  ['OCRA-1:HOTP-SHA256-8:QN08-PSHA1', 32, '', '22222222', '1234', '', '17957585'],
  ['OCRA-1:HOTP-SHA256-8:QN08-PSHA1', 32, '', '33333333', '1234', '', '86776967'],
  ['OCRA-1:HOTP-SHA256-8:QN08-PSHA1', 32, '', '44444444', '1234', '', '86807031'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '0', '00000000', '', '', '07016083'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '1', '11111111', '', '', '63947962'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '2', '22222222', '', '', '70123924'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '3', '33333333', '', '', '25341727'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '4', '44444444', '', '', '33203315'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '5', '55555555', '', '', '34205738'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '6', '66666666', '', '', '44343969'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '7', '77777777', '', '', '51946085'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '8', '88888888', '', '', '20403879'],
  ['OCRA-1:HOTP-SHA512-8:C-QN08', 64, '9', '99999999', '', '', '31409299'],
  ['OCRA-1:HOTP-SHA512-8:QN08-T1M', 64, '', '00000000', '', '132d0b6', '95209754'],
  ['OCRA-1:HOTP-SHA512-8:QN08-T1M', 64, '', '11111111', '', '132d0b6', '55907591'],
  ['OCRA-1:HOTP-SHA512-8:QN08-T1M', 64, '', '22222222', '', '132d0b6', '22048402'],
  ['OCRA-1:HOTP-SHA512-8:QN08-T1M', 64, '', '33333333', '', '132d0b6', '24218844'],
  ['OCRA-1:HOTP-SHA512-8:QN08-T1M', 64, '', '44444444', '', '132d0b6', '36209546'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'CLI22220SRV11110', '', '', '28247970'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'CLI22221SRV11111', '', '', '01984843'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'CLI22222SRV11112', '', '', '65387857'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'CLI22223SRV11113', '', '', '03351211'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'CLI22224SRV11114', '', '', '83412541'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SRV11110CLI22220', '', '', '15510767'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SRV11111CLI22221', '', '', '90175646'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SRV11112CLI22222', '', '', '33777207'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SRV11113CLI22223', '', '', '95285278'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SRV11114CLI22224', '', '', '28934924'],
  ['OCRA-1:HOTP-SHA512-8:QA08', 64, '', 'CLI22220SRV11110', '', '', '79496648'],
  ['OCRA-1:HOTP-SHA512-8:QA08', 64, '', 'CLI22221SRV11111', '', '', '76831980'],
  ['OCRA-1:HOTP-SHA512-8:QA08', 64, '', 'CLI22222SRV11112', '', '', '12250499'],
  ['OCRA-1:HOTP-SHA512-8:QA08', 64, '', 'CLI22223SRV11113', '', '', '90856481'],
  ['OCRA-1:HOTP-SHA512-8:QA08', 64, '', 'CLI22224SRV11114', '', '', '12761449'],
  ['OCRA-1:HOTP-SHA512-8:QA08-PSHA1', 64, '', 'SRV11110CLI22220', '1234', '', '18806276'],
  ['OCRA-1:HOTP-SHA512-8:QA08-PSHA1', 64, '', 'SRV11111CLI22221', '1234', '', '70020315'],
  ['OCRA-1:HOTP-SHA512-8:QA08-PSHA1', 64, '', 'SRV11112CLI22222', '1234', '', '01600026'],
  ['OCRA-1:HOTP-SHA512-8:QA08-PSHA1', 64, '', 'SRV11113CLI22223', '1234', '', '18951020'],
  ['OCRA-1:HOTP-SHA512-8:QA08-PSHA1', 64, '', 'SRV11114CLI22224', '1234', '', '32528969'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SIG10000', '', '', '53095496'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SIG11000', '', '', '04110475'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SIG12000', '', '', '31331128'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SIG13000', '', '', '76028668'],
  ['OCRA-1:HOTP-SHA256-8:QA08', 32, '', 'SIG14000', '', '', '46554205'],
  ['OCRA-1:HOTP-SHA512-8:QA10-T1M', 64, '', 'SIG1000000', '', '132d0b6', '77537423'],
  ['OCRA-1:HOTP-SHA512-8:QA10-T1M', 64, '', 'SIG1100000', '', '132d0b6', '31970405'],
  ['OCRA-1:HOTP-SHA512-8:QA10-T1M', 64, '', 'SIG1200000', '', '132d0b6', '10235557'],
  ['OCRA-1:HOTP-SHA512-8:QA10-T1M', 64, '', 'SIG1300000', '', '132d0b6', '95213541'],
  ['OCRA-1:HOTP-SHA512-8:QA10-T1M', 64, '', 'SIG1400000', '', '132d0b6', '65360607'],
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The relying party, the admin and the /ttype endpoint of one running service. */
class Harness {
  constructor(readonly t: TestApp) {}

  get authUrl() {
    return `${this.t.url}/ttype/tiqr`;
  }

  initRaw(fields: Record<string, string>, json = false) {
    const req = this.t.http().post('/token/init').set('Authorization', this.t.admin);
    return json
      ? req.send({ type: 'tiqr', ...fields })
      : req.type('form').send({ type: 'tiqr', ...fields });
  }

  async init(user: string, pin = PIN, json = false) {
    const res = await this.initRaw({ user, pin }, json);
    expectOk(res, true);
    return {
      serial: res.body.detail.serial as string,
      uri: res.body.detail.tiqrenroll.value as string,
      res,
    };
  }

  /** init + a successful app enrollment. */
  async enrolled(user: string, app = new TiqrApp(), pin = PIN) {
    const { serial, uri } = await this.init(user, pin);
    const r = await app.enroll(uri);
    expect({ ok: r.ok, raw: r.raw }).toEqual({ ok: true, raw: 'OK' });
    return { serial, app, uri, identity: r.identity! };
  }

  check(params: Record<string, string>) {
    return this.t.http().post('/validate/check').type('form').send(params);
  }

  async trigger(user: string, pin = PIN) {
    const res = await this.check({ user, pass: pin });
    expectClean(res);
    expect(res.body.result.authentication).toBe('CHALLENGE');
    const c = (res.body.detail.multi_challenge as Record<string, any>[]).find(
      (x) => x.type === 'tiqr',
    );
    expect(c).toBeDefined();
    return {
      tid: res.body.detail.transaction_id as string,
      uri: c!.attributes.value as string,
      res,
    };
  }

  async polled(tid: string): Promise<boolean> {
    const res = await this.t.http().get('/validate/polltransaction').query({ transaction_id: tid });
    expectClean(res);
    expect(res.status).toBe(200);
    return res.body.result.value as boolean;
  }

  finalize(user: string, tid: string) {
    return this.check({ user, transaction_id: tid, pass: '' });
  }

  async token(serial: string) {
    const [tok] = (await listTokens(this.t, { serial })).tokens;
    expect(tok).toBeDefined();
    return tok;
  }

  /** What a malformed request must not change. */
  async snapshot(serial: string) {
    const tok = await this.token(serial);
    return {
      failcount: tok.failcount,
      rollout_state: tok.rollout_state,
      active: tok.active,
      revoked: tok.revoked,
      locked: tok.locked,
      count: tok.count,
      info: tok.info,
    };
  }

  /** A raw form POST to /ttype/tiqr (or the given path), bypassing the app. */
  ttype(fields: [string, string | undefined][], path = '/ttype/tiqr') {
    return this.t
      .http()
      .post(path)
      .set('Accept', 'application/json')
      .set('X-TIQR-Protocol-Version', '2')
      .type('form')
      .send(formEncode(fields));
  }

  admin(path: string, body: Record<string, string> = {}) {
    return this.t.http().post(path).set('Authorization', this.t.admin).send(body);
  }
}

/** A response the app could send that matches neither OCRA interpretation. */
function wrongFor(app: TiqrApp, uri: string): string {
  const right = new Set([app.responseFor(uri, 'android'), app.responseFor(uri, 'rfc')]);
  let w = wrongAnswer(app.responseFor(uri, 'android'));
  while (right.has(w)) w = wrongAnswer(w);
  return w;
}

function expectReply(r: TiqrReply, raw: string) {
  expect({ status: r.status, raw: r.raw }).toEqual({ status: 200, raw });
  expect(r.contentType).toMatch(/^text\/plain/);
}

/**
 * A malformed /ttype request: a clean 4xx envelope (→ undefined), or a plain-text app reply
 * other than OK (→ its text).
 */
function expectRefusedOrReply(res: Response): string | undefined {
  expectClean(res);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.result.status).toBe(false);
    expect(typeof res.body.result.error.code).toBe('number');
    return undefined;
  }
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  const kind = parseAuthReply(res.text).kind;
  expect(kind).not.toBe('OK');
  expect(kind).not.toBe('OTHER');
  return res.text;
}

describe('TiQR app client (no server)', () => {
  it.each(RFC_VECTORS)(
    'RFC 6287 vector %s (key %i bytes) C=%s Q=%s P=%s T=%s → %s',
    (suite, keyLen, c, q, pin, ts, want) => {
      const key = { 20: K20, 32: K32, 64: K64 }[keyLen];
      const inputs = {
        counter: c || undefined,
        password: pin ? pinHash(pin) : undefined,
        timestamp: ts || undefined,
      };
      expect(ocra(suite, key, q, inputs)).toBe(want);
    },
  );

  it('reproduces ocra.md §6: QN question 1234567890 is 086548 (RFC) but 642131 (app, hex)', () => {
    expect(ocra(QN10, K20, '1234567890', { variant: 'rfc' })).toBe('086548');
    expect(ocra(QN10, K20, '1234567890', { variant: 'android' })).toBe('642131');
    expect(ocra(QH10, K20, '0123456789', { variant: 'rfc' })).toBe('435930');
    expect(ocra(QH10, K20, '0123456789', { variant: 'android' })).toBe('435930');
  });

  it('parses tiqrauth:// like the app (user info percent-decoded, + kept) and reads replies', () => {
    expect(
      parseAuthUrl('tiqrauth://j%C3%BCrgen%20m%C3%BCller_default@org.privacyidea/42/0123456789/pI'),
    ).toEqual({
      userId: 'jürgen müller_default',
      serviceIdentifier: 'org.privacyidea',
      sessionKey: '42',
      question: '0123456789',
      displayName: 'pI',
      protocolVersion: 0,
    });
    expect(parseAuthUrl('tiqrauth://a+b_r@org.privacyidea/1/2/x%20y/2')).toMatchObject({
      userId: 'a+b_r',
      displayName: 'x y',
      protocolVersion: 2,
    });
    expect(() => parseAuthUrl('tiqrauth://u@h/1/2/d/x')).toThrow(TiqrAppError);
    expect(parseAuthReply('INVALID_RESPONSE:3')).toEqual({
      kind: 'INVALID_RESPONSE',
      attemptsLeft: 3,
    });
    expect(parseAuthReply('INVALID_RESPONSE')).toEqual({
      kind: 'INVALID_RESPONSE',
      attemptsLeft: 0,
    });
    expect(parseAuthReply('{"responseCode":201,"attemptsLeft":2}')).toEqual({
      kind: 'INVALID_RESPONSE',
      attemptsLeft: 2,
    });
    expect(parseAuthReply('{"responseCode":204,"duration":5}')).toEqual({
      kind: 'ACCOUNT_BLOCKED',
      duration: 5,
    });
    expect(parseAuthReply('{"result":{"status":false}}').kind).toBe('OTHER');
    expect(parseAuthReply('INVALID_USER').kind).toBe('OTHER');
    expect(
      formEncode([
        ['userId', 'jürgen müller+x'],
        ['n', undefined],
      ]),
    ).toBe('userId=j%C3%BCrgen%20m%C3%BCller%2Bx');
  });
});

describe('TiQR (default suite OCRA-1:HOTP-SHA1-6:QN10)', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp();
    h = new Harness(t);
  });
  afterAll(() => t.close());

  describe.each(['android', 'rfc'] as const)('full flow, %s OCRA variant', (variant) => {
    it('enroll → trigger → app answers → poll → finalize', async () => {
      const user = `flow-${variant}`;
      const { serial, app, identity } = await h.enrolled(user);
      expect(identity).toMatchObject({
        identifier: `${user}_default`,
        service: { identifier: 'org.privacyidea', ocraSuite: QN10 },
      });
      const { tid, uri } = await h.trigger(user);
      expect(await h.polled(tid)).toBe(false);
      expectReply(await app.login(uri, { variant }), 'OK');
      expect(await h.polled(tid)).toBe(true);
      const fin = await h.finalize(user, tid);
      expect(fin.body.result).toMatchObject({
        status: true,
        value: true,
        authentication: 'ACCEPT',
      });
      expect(fin.body.detail).toMatchObject({ serial, message: 'Found matching challenge' });
      expect((await h.token(serial)).failcount).toBe(0);
    });
  });

  describe('init (POST /token/init type=tiqr)', () => {
    it.each([false, true])(
      'json=%s: serial TiQR…, clientwait, tiqrenroll URI and QR',
      async (json) => {
        const user = json ? 'init-json' : 'init-form';
        const { serial, uri, res } = await h.init(user, PIN, json);
        expect(serial).toMatch(/^TiQR/);
        const d = res.body.detail;
        expect(d.rollout_state).toBe('clientwait');
        expect(d.tiqrenroll.description).toBe('URL for TiQR enrollment');
        expect(uri).toMatch(
          new RegExp(
            `^tiqrenroll://${escapeRe(h.authUrl)}\\?action=metadata&session=[0-9a-f]{40}&serial=${serial}$`,
          ),
        );
        expectPngDataUri(d.tiqrenroll.img);
        const tok = await h.token(serial);
        expect(tok).toMatchObject({
          tokentype: 'tiqr',
          rollout_state: 'clientwait',
          username: user,
          user_realm: 'default',
        });
        expect(tok.info.ocrasuite).toBe(QN10);
      },
    );

    it('without a user: 400 ERR905 and no token', async () => {
      const before = await tokenCount(t);
      const res = await h.initRaw({ pin: PIN });
      expectError(res, 400, 905, "ERR905: Missing parameter: 'user'");
      expect(await tokenCount(t)).toBe(before);
    });

    it('clientwait until the app registered (no challenge for its PIN), enrolled after', async () => {
      const user = 'not-yet';
      const { serial, uri } = await h.init(user);
      const early = await h.check({ user, pass: PIN });
      expectClean(early);
      expect(early.body.result.value).toBe(false);
      expect(early.body.result.authentication).not.toBe('CHALLENGE');
      expect(early.body.detail?.transaction_id).toBeUndefined();
      expect(early.body.detail?.multi_challenge ?? []).toHaveLength(0);
      expect((await h.token(serial)).rollout_state).toBe('clientwait');

      const app = new TiqrApp();
      expect((await app.enroll(uri)).ok).toBe(true);
      expect((await h.token(serial)).rollout_state).toBe('enrolled');
      const { uri: auth } = await h.trigger(user);
      expectReply(await app.login(auth), 'OK');
    });
  });

  describe('metadata (action=metadata)', () => {
    it('bare JSON with the nine fields; 404 for a wrong session, unknown serial, or after registration', async () => {
      const user = 'meta';
      const { serial, uri } = await h.init(user);
      const metaUrl = uri.slice('tiqrenroll://'.length);
      const session = new URL(metaUrl).searchParams.get('session')!;
      const res = await t.http().get(pathOf(metaUrl));
      expectClean(res);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        service: {
          displayName: 'privacyIDEA',
          identifier: 'org.privacyidea',
          logoUrl: `${t.url}/static/logo.png`,
          // spec README "Service-specific conventions": TIQR_INFO_URL defaults to the base URL.
          infoUrl: t.url,
          authenticationUrl: h.authUrl,
          ocraSuite: QN10,
          enrollmentUrl: `${h.authUrl}?action=enrollment&session=${session}&serial=${serial}`,
        },
        identity: { identifier: `${user}_default`, displayName: user },
      });
      // The app's model: all nine are non-null strings.
      expect(await new TiqrApp().fetchMetadata(uri)).toEqual(res.body);
      // The advertised logo can be fetched.
      const logo = await fetch(res.body.service.logoUrl);
      expect(logo.status).toBe(200);
      expect(logo.headers.get('content-type')).toMatch(/^image\/png/);
      // POST works like GET.
      const posted = await t.http().post('/ttype/tiqr').type('form').send({
        action: 'metadata',
        session,
        serial,
      });
      expect(posted.status).toBe(200);
      expect(posted.body).toEqual(res.body);

      const wrong = await t
        .http()
        .get('/ttype/tiqr')
        .query({ action: 'metadata', session: 'ab'.repeat(20), serial });
      expectError(wrong, 404, 601, NOT_FOUND);
      const unknown = await t
        .http()
        .get('/ttype/tiqr')
        .query({ action: 'metadata', session, serial: 'TiQR00000000' });
      expectError(unknown, 404, 601, NOT_FOUND);
      for (const missing of ['session', 'serial']) {
        const q: Record<string, string> = { action: 'metadata', session, serial };
        delete q[missing];
        const r = await t.http().get('/ttype/tiqr').query(q);
        expectError(r, 400, 905, new RegExp(`Missing parameter: '?${missing}'?`));
      }
      await expect(
        new TiqrApp().fetchMetadata(uri.replace(session, 'cd'.repeat(20))),
      ).rejects.toThrow(/invalid QR/);

      expect((await new TiqrApp().enroll(uri)).ok).toBe(true);
      expectError(await t.http().get(pathOf(metaUrl)), 404, 601, NOT_FOUND);
    });
  });

  describe('registration (action=enrollment)', () => {
    it('replies OK as text/plain once; a second registration keeps the first key', async () => {
      const user = 'reg-once';
      const { serial, uri } = await h.init(user);
      const app = new TiqrApp();
      const meta = await app.fetchMetadata(uri);
      const first = await app.enroll(uri);
      expect(first).toMatchObject({ ok: true, status: 200, raw: 'OK' });
      expect(first.contentType).toMatch(/^text\/plain/);
      const infoAfter = (await h.token(serial)).info;

      const again = await new TiqrApp().register(meta.service.enrollmentUrl, 'ee'.repeat(32));
      expect([400, 404]).toContain(again.status);
      if (again.status === 400)
        expect(JSON.parse(again.raw).result.error.message).toBe('ERR905: Invalid Session');
      expect((await h.token(serial)).info).toEqual(infoAfter);
      // The first app's key still works.
      const { tid, uri: auth } = await h.trigger(user);
      expectReply(await app.login(auth), 'OK');
      expect((await h.finalize(user, tid)).body.result.value).toBe(true);
    });

    it('a wrong session or unknown serial changes nothing; the right one still registers', async () => {
      const user = 'reg-wrong';
      const { serial, uri } = await h.init(user);
      const app = new TiqrApp();
      const meta = await app.fetchMetadata(uri);
      const enrollUrl = meta.service.enrollmentUrl;
      const session = new URL(enrollUrl).searchParams.get('session')!;
      const before = await h.snapshot(serial);

      const wrong = await app.register(
        enrollUrl.replace(session, '0f'.repeat(20)),
        'aa'.repeat(32),
      );
      expect(wrong.status).toBeGreaterThanOrEqual(400);
      expect(wrong.status).toBeLessThan(500);
      if (wrong.status === 400)
        expect(JSON.parse(wrong.raw).result.error.message).toBe('ERR905: Invalid Session');
      const unknown = await app.register(
        enrollUrl.replace(`serial=${serial}`, 'serial=TiQR99999999'),
        'aa'.repeat(32),
      );
      expect(unknown.status).toBe(404);
      expect(JSON.parse(unknown.raw).result.error).toMatchObject({ code: 601, message: NOT_FOUND });
      expect(await h.snapshot(serial)).toEqual(before);

      expect((await app.enroll(uri)).ok).toBe(true);
      const { uri: auth } = await h.trigger(user);
      expectReply(await app.login(auth), 'OK');
    });

    it.each([
      ['non-hex', 'zz'.repeat(32)],
      ['odd-length', 'a'.repeat(63)],
      ['shorter than 16 bytes', 'ab'.repeat(15)],
      ['empty', ''],
    ])('refuses a %s secret with 400; the token stays clientwait', async (_what, secret) => {
      const user = `reg-bad-${_what.replace(/\W/g, '')}`;
      const { serial, uri } = await h.init(user);
      const app = new TiqrApp();
      const meta = await app.fetchMetadata(uri);
      const before = await h.snapshot(serial);
      const res = await app.register(meta.service.enrollmentUrl, secret);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.raw).result).toMatchObject({ status: false, error: { code: 905 } });
      expect(await h.snapshot(serial)).toEqual(before);
      expect(before.rollout_state).toBe('clientwait');
      // The session was not used up.
      expect((await app.enroll(uri)).ok).toBe(true);
    });

    it('missing serial, session or secret: 400; unknown operation: 4xx; nothing changed', async () => {
      const user = 'reg-missing';
      const { serial, uri } = await h.init(user);
      const app = new TiqrApp();
      const meta = await app.fetchMetadata(uri);
      const q = new URL(meta.service.enrollmentUrl).searchParams;
      const session = q.get('session')!;
      const before = await h.snapshot(serial);
      const base: Record<string, string> = {
        action: 'enrollment',
        serial,
        session,
        secret: 'ab'.repeat(32),
        language: 'en',
        operation: 'register',
      };
      for (const f of ['serial', 'session', 'secret']) {
        const fields = Object.entries(base).filter(([k]) => k !== f);
        expectError(await h.ttype(fields), 400, 905, new RegExp(f));
      }
      const op = await h.ttype(Object.entries({ ...base, operation: 'foo' }));
      expectClean(op);
      expect(op.status).toBeGreaterThanOrEqual(400);
      expect(await h.snapshot(serial)).toEqual(before);
      expect((await app.enroll(uri)).ok).toBe(true);
    });

    it('stores language and notification fields in tokeninfo, never the secret', async () => {
      const app = new TiqrApp({ language: 'nl', notificationAddress: 'push-token-123' });
      const { serial, identity } = await h.enrolled('reg-info', app);
      const info = (await h.token(serial)).info;
      expect(info).toMatchObject({
        'tiqr.language': 'nl',
        'tiqr.notificationType': 'FCM_DIRECT',
        'tiqr.notificationAddress': 'push-token-123',
      });

      const plain = await h.enrolled('reg-info2');
      const info2 = (await h.token(plain.serial)).info;
      expect(info2['tiqr.language']).toBe('en');
      expect(info2).not.toHaveProperty('tiqr.notificationType');
      expect(info2).not.toHaveProperty('tiqr.notificationAddress');

      await expectNoSecret(h, [identity.secret, plain.identity.secret], serial);
    });
  });

  describe('login', () => {
    it('the PIN triggers a tiqr challenge with a tiqrauth:// URL, QR code, poll mode', async () => {
      const user = 'alice';
      const { serial } = await h.enrolled(user);
      const { tid, uri, res } = await h.trigger(user);
      expect(res.body.result).toMatchObject({
        status: true,
        value: false,
        authentication: 'CHALLENGE',
      });
      expect(tid).toMatch(/^\S+$/);
      const c = res.body.detail.multi_challenge[0];
      expect(c).toMatchObject({
        type: 'tiqr',
        serial,
        client_mode: 'poll',
        transaction_id: tid,
        message: 'Please scan the QR Code',
        attributes: { poll: true, hideResponseInput: true, value: uri },
      });
      expectPngDataUri(c.attributes.img);
      expectPngDataUri(c.image);
      expect(uri).toMatch(
        new RegExp(
          `^tiqrauth://alice_default@org\\.privacyidea/${escapeRe(tid)}/\\d{10}/privacyIDEA$`,
        ),
      );
    });

    it('an admin /validate/triggerchallenge works too', async () => {
      const user = 'trig-admin';
      const { serial, app } = await h.enrolled(user);
      const res = await t
        .http()
        .post('/validate/triggerchallenge')
        .set('Authorization', t.admin)
        .send({ user });
      expectClean(res);
      expect(res.body.result).toMatchObject({ status: true, authentication: 'CHALLENGE' });
      const c = res.body.detail.multi_challenge[0];
      expect(c).toMatchObject({ type: 'tiqr', serial, client_mode: 'poll' });
      expectReply(await app.login(c.attributes.value), 'OK');
      expect(await h.polled(c.transaction_id)).toBe(true);
      expect((await h.finalize(user, c.transaction_id)).body.result.value).toBe(true);
    });

    it('wrong responses count down INVALID_RESPONSE:<n>, then ACCOUNT_BLOCKED even for the right one', async () => {
      const user = 'wrong';
      const { serial, app } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      const bad = wrongFor(app, uri);
      for (let n = 9; n >= 0; n--) {
        const r = await app.login(uri, { response: bad });
        expectReply(r, `INVALID_RESPONSE:${n}`);
        expect(r).toMatchObject({ kind: 'INVALID_RESPONSE', attemptsLeft: n });
        expect((await h.token(serial)).failcount).toBe(10 - n);
      }
      expectReply(await app.login(uri, { response: bad }), 'ACCOUNT_BLOCKED');
      expectReply(await app.login(uri), 'ACCOUNT_BLOCKED');
      expect(await h.polled(tid)).toBe(false);
      expect((await h.token(serial)).failcount).toBe(10);
      expect((await h.finalize(user, tid)).body.result.value).toBe(false);
    });

    it('a replayed answer, an answer after finalize and an unknown session get INVALID_CHALLENGE', async () => {
      const user = 'replay';
      const { app, identity } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      expectReply(await app.login(uri), 'OK');
      expectReply(await app.login(uri), 'INVALID_CHALLENGE');
      expect((await h.finalize(user, tid)).body.result.value).toBe(true);
      expectReply(await app.login(uri), 'INVALID_CHALLENGE');
      expectReply(await app.login(uri, { variant: 'rfc' }), 'INVALID_CHALLENGE');
      const unknown = await app.sendLogin(identity.service.authenticationUrl, [
        ['sessionKey', '12345678901234567890'],
        ['userId', identity.identifier],
        ['response', '123456'],
      ]);
      expectReply(unknown, 'INVALID_CHALLENGE');
    });

    it('finalize: before the app answered → false (failcount unchanged); once true; then false', async () => {
      const user = 'finalize';
      const { serial, app } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      const early = await h.finalize(user, tid);
      expect(early.body.result).toMatchObject({ value: false });
      expect(early.body.detail.message).toBe('Response did not match the challenge.');
      expect((await h.token(serial)).failcount).toBe(0);
      expectReply(await app.login(uri), 'OK');
      const fin = await h.finalize(user, tid);
      expect(fin.body.result.value).toBe(true);
      expect(fin.body.detail.serial).toBe(serial);
      expect((await h.finalize(user, tid)).body.result.value).toBe(false);
    });

    it('a disabled token answers ACCOUNT_BLOCKED and leaves the challenge open; revoked too', async () => {
      const user = 'blocked';
      const { serial, app } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      expectOk(await h.admin('/token/disable', { serial }), 1);
      expectReply(await app.login(uri), 'ACCOUNT_BLOCKED');
      expect(await h.polled(tid)).toBe(false);
      expectOk(await h.admin('/token/enable', { serial }), 1);
      expectReply(await app.login(uri), 'OK');
      expect((await h.finalize(user, tid)).body.result.value).toBe(true);

      const second = await h.trigger(user);
      expectOk(await h.admin('/token/revoke', { serial }), 1);
      expectReply(await app.login(second.uri), 'ACCOUNT_BLOCKED');
      expect(await h.polled(second.tid)).toBe(false);
      // As for every type, a check that reaches a revoked token is refused (validate-hotp).
      expectError(await h.finalize(user, second.tid), 400, 1007, LOCKED);
    });

    it('a foreign userId gets INVALID_USERID, operation=foo INVALID_REQUEST; the challenge stays open', async () => {
      const user = 'mismatch';
      const { serial, app, identity } = await h.enrolled(user);
      await h.enrolled('someone-else');
      const { tid, uri } = await h.trigger(user);
      const params = parseAuthUrl(uri);
      const response = app.responseFor(uri);
      const before = await h.snapshot(serial);
      const base: [string, string][] = [
        ['sessionKey', params.sessionKey],
        ['userId', identity.identifier],
        ['response', response],
      ];
      const foreign = await app.sendLogin(h.authUrl, [
        base[0],
        ['userId', 'someone-else_default'],
        base[2],
      ]);
      expectReply(foreign, 'INVALID_USERID');
      expectReply(await app.sendLogin(h.authUrl, base, 'foo'), 'INVALID_REQUEST');
      expect(await h.polled(tid)).toBe(false);
      expect(await h.snapshot(serial)).toEqual(before);
      expectReply(await app.login(uri), 'OK');
    });

    it('a login with spaces and non-ASCII characters enrolls and authenticates (%20 in the URL)', async () => {
      const user = 'jürgen müller';
      const { serial, app, identity } = await h.enrolled(user);
      expect(identity.identifier).toBe('jürgen müller_default');
      const { tid, uri } = await h.trigger(user);
      expect(uri.startsWith('tiqrauth://j%C3%BCrgen%20m%C3%BCller_default@org.privacyidea/')).toBe(
        true,
      );
      expectReply(await app.login(uri), 'OK');
      const fin = await h.finalize(user, tid);
      expect(fin.body.result.value).toBe(true);
      expect(fin.body.detail.serial).toBe(serial);
    });

    it('a burst of 200 wrong answers and the right one: at most maxfail evaluated, never OK past the lockout', async () => {
      const user = 'burst';
      const { serial, app } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      const bad = wrongFor(app, uri);
      const replies = await Promise.all([
        ...Array.from({ length: 200 }, () => app.login(uri, { response: bad })),
        app.login(uri),
      ]);
      expect(replies.every((r) => r.status === 200)).toBe(true);
      const counted = replies.filter((r) => r.kind === 'INVALID_RESPONSE');
      // Exactly maxfail wrong answers were evaluated, each seeing its own counter value 9 … 0.
      expect(counted.map((r) => r.attemptsLeft).sort((a, b) => a! - b!)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      const ok = replies.filter((r) => r.raw === 'OK');
      expect(ok.length).toBeLessThanOrEqual(1);
      expect(replies.filter((r) => r.raw === 'ACCOUNT_BLOCKED')).toHaveLength(201 - 10 - ok.length);
      expect((await h.token(serial)).failcount).toBe(10);
      // The right answer counts only if it won before the lockout; the poll agrees.
      expect(await h.polled(tid)).toBe(ok.length === 1);
    });

    it('30 concurrent identical answers: one OK; 30 concurrent finalizes: one success', async () => {
      const user = 'race';
      const { app, serial } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      const replies = await Promise.all(Array.from({ length: 30 }, () => app.login(uri)));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(replies.filter((r) => r.raw === 'OK')).toHaveLength(1);
      expect(replies.filter((r) => r.raw === 'INVALID_CHALLENGE')).toHaveLength(29);
      const finals = await Promise.all(Array.from({ length: 30 }, () => h.finalize(user, tid)));
      expect(finals.every((r) => r.status === 200)).toBe(true);
      expect(finals.filter((r) => r.body.result.value === true)).toHaveLength(1);
      // The losing finalizes (empty pass) are not failed attempts on any database.
      expect((await h.token(serial)).failcount).toBe(0);
    });
  });

  describe('re-enrollment, owners and several tokens (review findings)', () => {
    it("a re-init voids the old phone's answered challenge and its push address", async () => {
      const user = 'reinit';
      const old = new TiqrApp();
      old.notificationAddress = 'OLDPHONE-PUSH';
      old.notificationType = 'FCM_DIRECT';
      const { serial, app } = await h.enrolled(user, old);
      expect((await h.token(serial)).info['tiqr.notificationAddress']).toBe('OLDPHONE-PUSH');
      const { tid, uri } = await h.trigger(user);
      expectReply(await app.login(uri), 'OK');
      const re = await h.initRaw({ user, serial, pin: PIN });
      expectOk(re, true);
      expect(re.body.detail.rollout_state).toBe('clientwait');
      const fresh = new TiqrApp();
      expect((await fresh.enroll(re.body.detail.tiqrenroll.value as string)).ok).toBe(true);
      expect(await h.polled(tid)).toBe(false);
      expect((await h.finalize(user, tid)).body.result.value).toBe(false);
      const info = (await h.token(serial)).info;
      expect(info['tiqr.notificationAddress']).toBe('');
      expect(info['tiqr.notificationType']).toBe('');
      // Only the new phone answers from now on.
      const next = await h.trigger(user);
      expectReply(await app.login(next.uri), 'INVALID_RESPONSE:9');
      expectReply(await fresh.login(next.uri), 'OK');
    });

    it('unassign ends the enrollment: the old QR code and the old phone stop working', async () => {
      const pending = await h.init('carol');
      expectOk(await h.admin('/token/unassign', { serial: pending.serial }), 1);
      expectOk(await h.admin('/token/assign', { serial: pending.serial, user: 'dave' }), true);
      const carolsPhone = new TiqrApp();
      await expect(carolsPhone.fetchMetadata(pending.uri)).rejects.toThrow();

      const { serial, app } = await h.enrolled('erin');
      const { tid, uri } = await h.trigger('erin');
      expectOk(await h.admin('/token/unassign', { serial }), 1);
      const tok = await h.token(serial);
      expect(tok.rollout_state).toBe('clientwait');
      expectReply(await app.login(uri), 'INVALID_CHALLENGE');
      expect(await h.polled(tid)).toBe(false);
      expectOk(await h.admin('/token/assign', { serial, user: 'frank' }), true);
      const res = await h.check({ user: 'frank', pass: PIN });
      expect(res.body.result.authentication).not.toBe('CHALLENGE');
    });

    it('a user with two TiQR tokens: each phone answers its own QR code', async () => {
      const user = 'twophones';
      const a = await h.enrolled(user);
      const b = await h.enrolled(user);
      const res = await h.check({ user, pass: PIN });
      const mc = res.body.detail.multi_challenge as Record<string, any>[];
      expect(mc).toHaveLength(2);
      const qrOf = (serial: string) => mc.find((c) => c.serial === serial)!.attributes.value;
      expectReply(await b.app.login(qrOf(b.serial)), 'OK');
      expect((await h.token(a.serial)).failcount).toBe(0);
      expect((await h.token(b.serial)).failcount).toBe(0);
      expect((await h.finalize(user, res.body.detail.transaction_id)).body.result.value).toBe(true);
    });

    it('registration only by POST: the key never travels in a URL', async () => {
      const { serial, uri } = await h.init('getter');
      const meta = await new TiqrApp().fetchMetadata(uri);
      const url = new URL(meta.service.enrollmentUrl);
      url.searchParams.set('secret', '31'.repeat(32));
      url.searchParams.set('operation', 'register');
      const res = await h.t.http().get(url.pathname + url.search);
      expect(res.status).toBe(400);
      expect((await h.token(serial)).rollout_state).toBe('clientwait');
    });
  });

  describe('malformed app requests', () => {
    it('are refused cleanly and change nothing; the open challenge still succeeds', async () => {
      const user = 'malformed';
      const { serial, app, identity } = await h.enrolled(user);
      const { tid, uri } = await h.trigger(user);
      const { sessionKey } = parseAuthUrl(uri);
      const response = app.responseFor(uri);
      const full: [string, string][] = [
        ['sessionKey', sessionKey],
        ['userId', identity.identifier],
        ['response', response],
        ['language', 'en'],
        ['operation', 'login'],
      ];
      const unchanged = async () => {
        expect(await h.snapshot(serial)).toEqual(snap);
        expect(await h.polled(tid)).toBe(false);
      };
      let snap = await h.snapshot(serial);

      for (const f of ['sessionKey', 'userId', 'response', 'operation']) {
        const res = await h.ttype(full.filter(([k]) => k !== f));
        expectError(res, 400, 905, new RegExp(f));
        await unchanged();
      }

      expectError(await h.ttype([['action', 'foo'], ...full]), 400, 905);
      await unchanged();

      // Non-hex response: a wrong answer (counted) or a clean refusal (not counted).
      const nonHex = expectRefusedOrReply(
        await h.ttype(full.map(([k, v]) => [k, k === 'response' ? 'zz!x<>' : v])),
      );
      if (nonHex !== undefined) {
        expect(nonHex).toBe('INVALID_RESPONSE:9');
        snap = { ...snap, failcount: snap.failcount + 1 };
      }
      await unchanged();

      // 20 kB in one field (below the 32 KiB body limit).
      const big = 'A'.repeat(20 * 1024);
      for (const f of ['sessionKey', 'userId', 'response']) {
        const out = expectRefusedOrReply(
          await h.ttype(full.map(([k, v]) => [k, k === f ? big : v])),
        );
        if (out !== undefined && f === 'response') {
          expect(out).toMatch(/^INVALID_RESPONSE:\d+$/);
          snap = { ...snap, failcount: snap.failcount + 1 };
        }
        await unchanged();
      }

      // ~100 kB bodies are over the /ttype limit.
      const huge = 'B'.repeat(100 * 1024);
      await expectTooLarge(h.ttype(full.map(([k, v]) => [k, k === 'response' ? huge : v])));
      await expectTooLarge(h.ttype([...full, ['padding', huge]]));
      await unchanged();

      expectReply(await app.login(uri), 'OK');
      expect((await h.finalize(user, tid)).body.result.value).toBe(true);
    });
  });

  describe('lifecycle of a TiQR token', () => {
    it('reset, disable/enable, setpin, revoke, delete', async () => {
      const user = 'life';
      const { serial, app } = await h.enrolled(user);

      // reset: the fail counter goes back to 0
      let c = await h.trigger(user);
      const bad = wrongFor(app, c.uri);
      for (const n of [9, 8, 7])
        expectReply(await app.login(c.uri, { response: bad }), `INVALID_RESPONSE:${n}`);
      expect((await h.token(serial)).failcount).toBe(3);
      expectOk(await h.admin('/token/reset', { serial }), 1);
      expect((await h.token(serial)).failcount).toBe(0);
      expectReply(await app.login(c.uri, { response: bad }), 'INVALID_RESPONSE:9');
      expectReply(await app.login(c.uri), 'OK');
      expect((await h.finalize(user, c.tid)).body.result.value).toBe(true);

      // disable: the PIN triggers nothing; enable: it triggers again
      expectOk(await h.admin(`/token/disable/${serial}`), 1);
      const off = await h.check({ user, pass: PIN });
      expectClean(off);
      expect(off.body.result.authentication).not.toBe('CHALLENGE');
      expectOk(await h.admin(`/token/enable/${serial}`), 1);
      c = await h.trigger(user);
      expectReply(await app.login(c.uri), 'OK');
      expect((await h.finalize(user, c.tid)).body.result.value).toBe(true);

      // setpin: the new PIN triggers, the old one no longer
      expectOk(await h.admin(`/token/setpin/${serial}`, { otppin: 'new-pin' }), 1);
      const old = await h.check({ user, pass: PIN });
      expect(old.body.result.authentication).not.toBe('CHALLENGE');
      c = await h.trigger(user, 'new-pin');
      expectReply(await app.login(c.uri), 'OK');
      expect((await h.finalize(user, c.tid)).body.result.value).toBe(true);
      expectOk(await h.admin('/token/reset', { serial }), 1);

      // revoke: no more challenges; an open one answers ACCOUNT_BLOCKED
      const open = await h.trigger(user, 'new-pin');
      expectOk(await h.admin(`/token/revoke/${serial}`), 1);
      expect((await h.token(serial)).revoked).toBe(true);
      expectError(await h.check({ user, pass: 'new-pin' }), 400, 1007, LOCKED);
      expectReply(await app.login(open.uri), 'ACCOUNT_BLOCKED');

      // delete: the token and its challenges are gone
      const del = await t.http().delete(`/token/${serial}`).set('Authorization', t.admin);
      expectOk(del, 1);
      expect((await listTokens(t, { serial })).tokens).toHaveLength(0);
      expectReply(await app.login(open.uri), 'INVALID_CHALLENGE');
    });
  });
});

/** No /token response carries the app's secret, in any encoding. */
async function expectNoSecret(h: Harness, secrets: string[], serial: string) {
  const responses = [
    await h.t.http().get('/token/').query({ pagesize: '1000' }).set('Authorization', h.t.admin),
    await h.t.http().get('/token/').query({ serial }).set('Authorization', h.t.admin),
    await h.t.http().get('/token/challenges').set('Authorization', h.t.admin),
  ];
  for (const res of responses) {
    expectClean(res);
    const text = JSON.stringify(res.body).toLowerCase();
    for (const s of secrets) {
      const bytes = Buffer.from(s, 'hex');
      for (const form of [s, bytes.toString('base64'), base32(bytes)])
        expect(text.includes(form.toLowerCase())).toBe(false);
    }
  }
}

describe('TiQR with TIQR_OCRA_SUITE=OCRA-1:HOTP-SHA1-6:QH10', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ TIQR_OCRA_SUITE: QH10 });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it.each(['android', 'rfc'] as const)(
    '%s: hex questions, both interpretations agree',
    async (variant) => {
      const user = `qh-${variant}`;
      const { serial, app, identity } = await h.enrolled(user);
      expect(identity.service.ocraSuite).toBe(QH10);
      expect((await h.token(serial)).info.ocrasuite).toBe(QH10);
      const { tid, uri } = await h.trigger(user);
      const { question } = parseAuthUrl(uri);
      expect(question).toMatch(/^[0-9a-f]{10}$/);
      expect(app.responseFor(uri, 'android')).toBe(app.responseFor(uri, 'rfc'));
      expectReply(await app.login(uri, { variant }), 'OK');
      expect(await h.polled(tid)).toBe(true);
      expect((await h.finalize(user, tid)).body.result.value).toBe(true);
    },
  );
});

// 2 s, not 1: MySQL's whole-second DATETIME rounds the expiry, so a 1 s challenge may expire
// before the app answers on a loaded machine.
describe('TiQR with TIQR_CHALLENGE_VALIDITY_TIME=2', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ TIQR_CHALLENGE_VALIDITY_TIME: '2' });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('an expired challenge gets INVALID_CHALLENGE (200 text/plain) and does not finalize', async () => {
    const user = 'expiring';
    const { serial, app } = await h.enrolled(user);
    const { tid, uri } = await h.trigger(user);
    await sleep(3200);
    expectReply(await app.login(uri), 'INVALID_CHALLENGE');
    expect(await h.polled(tid)).toBe(false);
    expect((await h.finalize(user, tid)).body.result.value).toBe(false);
    expect((await h.token(serial)).failcount).toBe(0);
  });

  it('an answered challenge stays finalizable past its validity (CHALLENGE_FINALIZE_GRACE)', async () => {
    const user = 'graceful';
    const { app } = await h.enrolled(user);
    const { tid, uri } = await h.trigger(user);
    expectReply(await app.login(uri), 'OK');
    await sleep(3200);
    expect(await h.polled(tid)).toBe(true);
    expect((await h.finalize(user, tid)).body.result.value).toBe(true);
  });
});
