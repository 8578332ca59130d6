import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { deleteApp, getApps } from 'firebase-admin/app';
import type { Message } from 'firebase-admin/messaging';
import type { Response } from 'supertest';
import { PushDelivery } from '../../src/token-types/push/push-delivery';
import { PushEnrollment } from '../../src/token-types/push/push-enrollment';
import {
  cachedPhoneKey,
  declineMessage,
  fbTokenMessage,
  NO_FIREBASE_TOKEN,
  parsePushUri,
  phonePubkeyField,
  pollMessage,
  PushApp,
  serverKeyObject,
  signBase32,
  type PushAppOptions,
  type PushReply,
  type PushRequest,
  type Tamper,
} from '../clients/push-app';
import {
  bodyText,
  expectClean,
  expectError,
  expectOk,
  expectPngDataUri,
  expectTooLarge,
  listTokens,
  tokenCount,
} from '../helpers/envelope-assert';
import { enrollHotp, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Push end to end (push.md): a simulated privacyIDEA Authenticator (test/clients/push-app.ts)
 * enrolls from the otpauth://pipush/ URI, polls, receives Firebase data, and answers signed over
 * real HTTP, while the tests play the relying party (trigger, polltransaction, finalize) and the
 * admin. Server keys are 2048 bits here (PUSH_SERVER_KEY_BITS) for speed.
 */

const PIN = 'push-pin';
const KEY_BITS = { PUSH_SERVER_KEY_BITS: '2048' };
const CHALLENGE_TEXT = 'Please confirm the authentication on your mobile device!';
const POLLING_HINT =
  ' Use the polling feature of your privacyIDEA Authenticator App to check for a new Login request.';
const QUESTION = 'Do you want to confirm the login?';
const NOT_WAITING = "No token with this serial number in the rollout state 'clientwait'.";
const BAD_CREDENTIAL =
  'ERR905: Invalid enrollment credential. You are not authorized to finalize this token.';
const EXPIRED_CREDENTIAL =
  'ERR905: The enrollment credential has expired (PUSH_TTL); enroll the token again.';
const UNVERIFIED = 'ERR10: Could not verify signature!';
const NOT_FOUND = 'The requested token could not be found.';
/** The seven string fields of a challenge (poll item / Firebase data), push.md §5.1. */
const ITEM_FIELDS = ['nonce', 'question', 'serial', 'signature', 'sslverify', 'title', 'url'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Python `urllib.parse.quote(s)` (safe `/`), as the enrollment URI encodes (push.md §2.1). */
const pyQuote = (s: string) =>
  encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
/** A phone that reuses one cached RSA-4096 key (generating one per token is slow). */
const newApp = (opts: PushAppOptions = {}) =>
  new PushApp({ newKey: () => cachedPhoneKey(), ...opts });
/** An ISO timestamp at `ms` with the given fraction digits appended to the milliseconds. */
const isoAt = (ms: number, extraDigits = '') =>
  new Date(ms).toISOString().replace(/Z$/, `${extraDigits}Z`);
const timestampOf = (r: PushReply) =>
  r.sent.method === 'GET'
    ? new URL(r.sent.url).searchParams.get('timestamp')!
    : new URLSearchParams(r.sent.body).get('timestamp')!;

/** A PushReply seen through the supertest-based envelope checks. */
const asResponse = (r: PushReply) =>
  ({ status: r.status, text: r.raw, body: r.json, headers: {} }) as unknown as Response;

/** The app's request got a success envelope (id 1, no `authentication`) with this value. */
function expectAppOk(r: PushReply, value: unknown): void {
  expectClean(asResponse(r));
  expect({ status: r.status, value: r.value, error: r.error }).toEqual({
    status: 200,
    value,
    error: undefined,
  });
  expect(r.json).toMatchObject({ jsonrpc: '2.0', id: 1, result: { status: true } });
  expect(r.json.result).not.toHaveProperty('authentication');
}

/** The app's request got an error envelope. */
function expectAppError(
  r: PushReply,
  status: number,
  code: number,
  message: string | RegExp,
): void {
  expectClean(asResponse(r));
  expect({ status: r.status, code: r.error?.code }).toEqual({ status, code });
  expect(r.json).toMatchObject({ jsonrpc: '2.0', result: { status: false } });
  expect(r.json.result).not.toHaveProperty('value');
  if (typeof message === 'string') expect(r.error?.message).toBe(message);
  else expect(r.error?.message).toMatch(message);
}

/** A malformed request: a clean 4xx error envelope, or (an answer) 200 with value false. */
function expectRefused(res: Response): void {
  expectClean(res);
  if (res.status === 200) {
    expect(res.body.result).toMatchObject({ status: true, value: false });
    return;
  }
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body.result.status).toBe(false);
  expect(typeof res.body.result.error.code).toBe('number');
}

/** The relying party, the admin and raw requests to /ttype/push of one running service. */
class Harness {
  constructor(readonly t: TestApp) {}

  get pushUrl() {
    return `${this.t.url}/ttype/push`;
  }

  initRaw(fields: Record<string, string>, json = false) {
    const req = this.t.http().post('/token/init').set('Authorization', this.t.admin);
    return json
      ? req.send({ type: 'push', ...fields })
      : req.type('form').send({ type: 'push', ...fields });
  }

  async init(user: string, pin = PIN, json = false) {
    const res = await this.initRaw({ genkey: '1', user, pin }, json);
    expectOk(res, true);
    return {
      serial: res.body.detail.serial as string,
      uri: res.body.detail.pushurl.value as string,
      credential: res.body.detail.enrollment_credential as string,
      res,
    };
  }

  /** init + a successful stage 2 by the app. */
  async enrolled(user: string, app = newApp(), pin = PIN) {
    const { serial, uri, credential } = await this.init(user, pin);
    const r = await app.enroll(uri);
    expect({ ok: r.ok, status: r.status, failure: r.failure }).toEqual({
      ok: true,
      status: 200,
      failure: undefined,
    });
    return { serial, app, uri, credential, rollout: r };
  }

  check(params: Record<string, string>) {
    return this.t.http().post('/validate/check').type('form').send(params);
  }

  /** The PIN triggers exactly one push challenge. */
  async trigger(user: string, pin = PIN) {
    const res = await this.check({ user, pass: pin });
    expectClean(res);
    expect(res.body.result).toMatchObject({
      status: true,
      value: false,
      authentication: 'CHALLENGE',
    });
    const list = res.body.detail.multi_challenge as Record<string, any>[];
    expect(list).toHaveLength(1);
    return { tid: res.body.detail.transaction_id as string, c: list[0], res };
  }

  /** Trigger, then the app polls and finds exactly this challenge. */
  async challenge(user: string, app: PushApp, serial: string) {
    const { tid, c, res } = await this.trigger(user);
    const p = await app.poll(serial);
    expectAppOk(p, p.value);
    expect(p.failure).toBeUndefined();
    expect(p.rejected).toEqual([]);
    expect(p.requests).toHaveLength(1);
    return { tid, c, res, req: p.requests[0] };
  }

  async status(tid: string) {
    const res = await this.t.http().get('/validate/polltransaction').query({ transaction_id: tid });
    expectClean(res);
    expect(res.status).toBe(200);
    return {
      value: res.body.result.value as boolean,
      status: res.body.detail?.challenge_status as string,
      authentication: res.body.result.authentication as string,
    };
  }

  finalize(user: string, tid: string) {
    return this.check({ user, transaction_id: tid, pass: '' });
  }

  async expectAccept(user: string, tid: string, serial: string) {
    const fin = await this.finalize(user, tid);
    expectClean(fin);
    expect(fin.body.result).toMatchObject({ status: true, value: true, authentication: 'ACCEPT' });
    expect(fin.body.detail).toMatchObject({ serial, message: 'Found matching challenge' });
  }

  async token(serial: string) {
    const [tok] = (await listTokens(this.t, { serial })).tokens;
    expect(tok).toBeDefined();
    return tok;
  }

  async info(serial: string): Promise<Record<string, string>> {
    return (await this.token(serial)).info as Record<string, string>;
  }

  /** What a refused request must not change. */
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

  /** A raw POST to /ttype/push (form, or JSON with any value types). */
  ttype(fields: Record<string, unknown>, json = false) {
    const req = this.t.http().post('/ttype/push');
    return json ? req.send(fields) : req.type('form').send(fields as Record<string, string>);
  }

  ttypeGet(query: Record<string, string>) {
    return this.t.http().get('/ttype/push').query(query);
  }

  setInfo(serial: string, key: string, value: string) {
    return this.t
      .http()
      .post(`/token/info/${serial}/${key}`)
      .set('Authorization', this.t.admin)
      .send({ value });
  }
}

describe('Push (poll only, default settings)', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp(KEY_BITS);
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('full flow: init → stage 2 → trigger → poll → accept → polltransaction → finalize', async () => {
    const user = 'flow';
    const { serial, app } = await h.enrolled(user);
    const { tid, req } = await h.challenge(user, app, serial);
    expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
    expectAppOk(await app.accept(req), true);
    expect(await h.status(tid)).toEqual({
      value: true,
      status: 'accept',
      authentication: 'ACCEPT',
    });
    await h.expectAccept(user, tid, serial);
    expect((await h.token(serial)).failcount).toBe(0);
  });

  describe('enrollment stage 1 (POST /token/init type=push genkey=1)', () => {
    it.each([false, true])(
      'json=%s: PIPU serial, clientwait, §2.1 URI, QR, credential',
      async (json) => {
        const user = json ? 'init-json' : 'init-form';
        const before = Date.now();
        const { serial, uri, credential, res } = await h.init(user, PIN, json);
        expect(serial).toMatch(/^PIPU\d{4}[0-9A-F]+$/);
        const d = res.body.detail;
        expect(d.rollout_state).toBe('clientwait');
        expect(credential).toMatch(/^[0-9a-f]{40}$/);
        expect(d).not.toHaveProperty('otpkey');
        expect(d.pushurl.description).toBe('URL for privacyIDEA Push Token');
        expect(uri).toBe(
          `otpauth://pipush/${serial}?url=${pyQuote(h.pushUrl)}&ttl=10&issuer=privacyIDEA` +
            `&enrollment_credential=${credential}&v=1&serial=${serial}&sslverify=1&poll_only=True`,
        );
        expect(pyQuote(h.pushUrl)).toMatch(/^http%3A\/\/127\.0\.0\.1%3A\d+\/ttype\/push$/);
        expectPngDataUri(d.pushurl.img);
        // The app reads it (push.md §2.1).
        expect(parsePushUri(uri)).toMatchObject({
          serial,
          label: serial,
          issuer: 'privacyIDEA',
          url: h.pushUrl,
          ttlMinutes: 10,
          enrollmentCredential: credential,
          sslVerify: true,
          pollOnly: true,
          version: '1',
        });

        const tok = await h.token(serial);
        expect(tok).toMatchObject({
          tokentype: 'push',
          rollout_state: 'clientwait',
          active: false,
          username: user,
          user_realm: 'default',
        });
        expect(tok.info.push_firebase_configuration).toBe('poll only');
        expect(tok.info).not.toHaveProperty('private_key_server');
        // PUSH_TTL (10 min) is enforced through this stamp.
        const expires = Date.parse(tok.info.enrollment_credential_expires);
        expect(expires).toBeGreaterThanOrEqual(before + 600_000 - 1000);
        expect(expires).toBeLessThanOrEqual(Date.now() + 600_000);
      },
    );

    it('without genkey: 400 with the spec message, and no token', async () => {
      const before = await tokenCount(t);
      const res = await h.initRaw({ user: 'no-genkey', pin: PIN });
      expectError(
        res,
        400,
        905,
        'ERR905: Invalid Parameters. Either provide (genkey) or (serial, fbtoken, pubkey).',
      );
      expect(await tokenCount(t)).toBe(before);
    });

    it('clientwait: /validate/check with the PIN creates no challenge before stage 2', async () => {
      const user = 'not-yet';
      const { serial, uri } = await h.init(user);
      const early = await h.check({ user, pass: PIN });
      expectClean(early);
      expect(early.body.result.value).toBe(false);
      expect(early.body.result.authentication).not.toBe('CHALLENGE');
      expect(early.body.detail?.transaction_id).toBeUndefined();
      expect(early.body.detail?.multi_challenge ?? []).toHaveLength(0);
      // An inactive push token is not used at all (push.md §10): not reported as disabled.
      expect(early.body.detail.message).toBe('No suitable token found for authentication.');
      const tok = await h.token(serial);
      expect({ state: tok.rollout_state, active: tok.active }).toEqual({
        state: 'clientwait',
        active: false,
      });
      const app = newApp();
      expect((await app.enroll(uri)).ok).toBe(true);
      const { req, tid } = await h.challenge(user, app, serial);
      expectAppOk(await app.accept(req), true);
      await h.expectAccept(user, tid, serial);
    });
  });

  describe('enrollment stage 2 (POST /ttype/push from the app)', () => {
    it('value true, a PKCS#1 public_key the app parses; token enrolled and active', async () => {
      const user = 'stage2';
      const { serial, app, rollout } = await h.enrolled(user);
      expectAppOk(rollout, true);
      const d = rollout.json.detail;
      expect(Object.keys(d).sort()).toEqual(
        expect.arrayContaining(['public_key', 'rollout_state', 'serial']),
      );
      expect(d).toMatchObject({ serial, rollout_state: 'enrolled' });
      // PEM body lines of 64 characters, joined by \n, no armour.
      expect(d.public_key).toMatch(/^(?:[A-Za-z0-9+/]{64}\n)*[A-Za-z0-9+/]{1,63}={0,2}$/);
      expect(d.public_key).not.toMatch(/BEGIN|END/);
      const serverKey = serverKeyObject(app.token(serial).publicServerKey!);
      expect(serverKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(app.token(serial).publicServerKey).toBe(d.public_key.replaceAll('\n', ''));

      const tok = await h.token(serial);
      expect(tok).toMatchObject({ rollout_state: 'enrolled', active: true });
      expect(tok.info).toMatchObject({
        public_key_smartphone: phonePubkeyField(cachedPhoneKey()),
        firebase_token: NO_FIREBASE_TOKEN,
        public_key_server: expect.stringContaining(d.public_key),
      });
      expect(tok.info.public_key_server.trim()).toBe(
        `-----BEGIN RSA PUBLIC KEY-----\n${d.public_key}\n-----END RSA PUBLIC KEY-----`,
      );
      expect(tok.info).not.toHaveProperty('enrollment_credential');
      expect(tok.info).not.toHaveProperty('private_key_server');
    });

    it('a second stage 2 with the same credential: 404, the first keys stay', async () => {
      const user = 'stage2-twice';
      const { serial, uri, rollout } = await h.enrolled(user);
      const before = await h.snapshot(serial);
      const again = await newApp().replay(rollout.sent);
      expectAppError(again, 404, 601, NOT_WAITING);
      const other = await newApp().enroll(uri, { key: cachedPhoneKey(1) });
      expect(other.ok).toBe(false);
      expectAppError(other, 404, 601, NOT_WAITING);
      expect(await h.snapshot(serial)).toEqual(before);
    });

    it('a wrong credential: 400 ERR905, nothing changed; the right one still works', async () => {
      const user = 'stage2-wrong';
      const { serial, uri, credential } = await h.init(user);
      const before = await h.snapshot(serial);
      const app = newApp();
      const wrong = await app.enroll(uri, {
        fields: { enrollment_credential: credential.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      });
      expect(wrong.ok).toBe(false);
      expectAppError(wrong, 400, 905, BAD_CREDENTIAL);
      const foreign = await app.rollout(serial, {
        fields: { enrollment_credential: 'ab'.repeat(20) },
      });
      expectAppError(foreign, 400, 905, BAD_CREDENTIAL);
      const short = await app.rollout(serial, { fields: { enrollment_credential: 'x' } });
      expectAppError(short, 400, 905, BAD_CREDENTIAL);
      expect(await h.snapshot(serial)).toEqual(before);
      // The app may retry; the right credential still enrolls.
      expectAppOk(await app.rollout(serial), true);
      expect(await h.snapshot(serial)).toMatchObject({ rollout_state: 'enrolled', active: true });
    });

    it('a missing credential: 400 Missing parameter; nothing changed', async () => {
      const user = 'stage2-missing';
      const { serial, uri } = await h.init(user);
      const before = await h.snapshot(serial);
      const app = newApp();
      app.scan(uri);
      for (const value of [null, '']) {
        const r = await app.rollout(serial, { fields: { enrollment_credential: value } });
        expectAppError(r, 400, 905, 'ERR905: Missing parameter: enrollment_credential');
      }
      expect(await h.snapshot(serial)).toEqual(before);
      expectAppOk(await app.rollout(serial), true);
    });

    it('an unknown serial or one of another type: 404', async () => {
      const user = 'stage2-unknown';
      const { serial, uri } = await h.init(user);
      const hotp = await enrollHotp(t, { user: 'stage2-hotp' });
      const hotpBefore = await h.snapshot(hotp);
      const app = newApp();
      app.scan(uri);
      for (const other of ['PIPU99999999', hotp]) {
        const r = await app.rollout(serial, { fields: { serial: other } });
        expectAppError(r, 404, 601, NOT_WAITING);
      }
      expect(await h.snapshot(hotp)).toEqual(hotpBefore);
      expect((await h.token(serial)).rollout_state).toBe('clientwait');
    });

    const badKeys: [string, () => { key?: KeyObject; fields?: Tamper['fields'] }][] = [
      ['RSA-1024', () => ({ key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey })],
      ['EC P-256', () => ({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })],
      ['junk base64', () => ({ fields: { pubkey: 'this is !! not base64 ###' } })],
      ['base64 of junk', () => ({ fields: { pubkey: Buffer.alloc(300, 120).toString('base64') } })],
      [
        'PKCS#1 instead of SPKI',
        () => ({
          fields: {
            pubkey: createPublicKey(cachedPhoneKey())
              .export({ type: 'pkcs1', format: 'der' })
              .toString('base64'),
          },
        }),
      ],
      ['an empty pubkey', () => ({ fields: { pubkey: '' } })],
    ];

    it.each(badKeys)('a malformed phone key (%s): 400, nothing changed', async (name, make) => {
      const user = `badkey-${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
      const { serial, uri } = await h.init(user);
      const before = await h.snapshot(serial);
      const r = await newApp().enroll(uri, make());
      expect(r.ok).toBe(false);
      expectAppError(r, 400, 905, /^ERR905: (Invalid pubkey|Missing parameter: pubkey)/);
      expect(await h.snapshot(serial)).toEqual(before);
      expect((await newApp().enroll(uri)).ok).toBe(true);
    });
  });

  describe('authentication in poll mode', () => {
    it('the PIN triggers a push challenge for the RP: poll mode, hidden input, the spec text', async () => {
      const user = 'auth';
      const { serial, app } = await h.enrolled(user);
      const { tid, c, res } = await h.trigger(user);
      expect(tid).toMatch(/^\S+$/);
      expect(c).toMatchObject({
        type: 'push',
        serial,
        client_mode: 'poll',
        transaction_id: tid,
        message: CHALLENGE_TEXT,
        attributes: { hideResponseInput: true },
      });
      expect(c).not.toHaveProperty('presence_answer');
      expect(res.body.detail.message).toContain(CHALLENGE_TEXT);

      // The app's poll: a list of signed, all-string items that the app verifies.
      const p = await app.poll(serial);
      expectAppOk(p, p.value);
      const items = p.value as Record<string, unknown>[];
      expect(items).toHaveLength(1);
      expect(Object.keys(items[0]).sort()).toEqual(ITEM_FIELDS);
      expect(items[0]).toMatchObject({
        serial,
        question: QUESTION,
        title: 'privacyIDEA',
        sslverify: '1',
        url: h.pushUrl,
      });
      expect(items[0].nonce).toMatch(/^[A-Z2-7]{32}$/);
      expect(items[0].signature).toMatch(/^[A-Z2-7]{410}={6}$/); // 2048-bit server key
      expect(p.requests).toHaveLength(1);
      expect(p.requests[0]).toMatchObject({ type: 'default', serial, nonce: items[0].nonce });
      // A second poll lists it again; the app knows it already.
      const again = await app.poll(serial);
      expect((again.value as unknown[]).length).toBe(1);
      expect(again.rejected.map((x) => x.reason)).toEqual(['already known']);

      expect(await h.status(tid)).toEqual({
        value: false,
        status: 'pending',
        authentication: 'REJECT',
      });
      expectAppOk(await app.accept(p.requests[0]), true);
      expect(await h.status(tid)).toEqual({
        value: true,
        status: 'accept',
        authentication: 'ACCEPT',
      });
      expect(await h.status(tid)).toMatchObject({ value: true }); // polling does not consume
      await h.expectAccept(user, tid, serial);
      expect((await h.token(serial)).failcount).toBe(0);
      const second = await h.finalize(user, tid);
      expectClean(second);
      expect(second.body.result).toMatchObject({ value: false, authentication: 'REJECT' });
      // Answered and finalized: nothing left to poll.
      expect((await app.poll(serial)).value).toEqual([]);
    });

    it('finalizing before the app answered: false, failcount unchanged, still answerable', async () => {
      const user = 'early';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      const early = await h.finalize(user, tid);
      expectClean(early);
      expect(early.body.result.value).toBe(false);
      expect((await h.token(serial)).failcount).toBe(0);
      expectAppOk(await app.accept(req), true);
      await h.expectAccept(user, tid, serial);
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
      expect(c).toMatchObject({
        type: 'push',
        serial,
        client_mode: 'poll',
        message: CHALLENGE_TEXT,
        attributes: { hideResponseInput: true },
      });
      const p = await app.poll(serial);
      expect(p.requests).toHaveLength(1);
      expectAppOk(await app.accept(p.requests[0]), true);
      expect(await h.status(c.transaction_id)).toMatchObject({ value: true, status: 'accept' });
      await h.expectAccept(user, c.transaction_id, serial);
    });
  });

  describe('decline', () => {
    it('declined: polltransaction DECLINED, a later accept false, finalize false', async () => {
      const user = 'decline';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      expectAppOk(await app.decline(req), true);
      expect(await h.status(tid)).toEqual({
        value: false,
        status: 'declined',
        authentication: 'DECLINED',
      });
      expectAppOk(await app.accept(req), false);
      expectAppOk(await app.decline(req), false);
      expect(await h.status(tid)).toMatchObject({ value: false, status: 'declined' });
      const fin = await h.finalize(user, tid);
      expectClean(fin);
      expect(fin.body.result.value).toBe(false);
      expect(fin.body.result.authentication).not.toBe('ACCEPT');
      expect((await h.token(serial)).failcount).toBe(0);
      // A declined challenge is no longer offered to the app.
      expect((await app.poll(serial)).value).toEqual([]);
    });

    it('decline_reason=cancelled (signed with the reason): cancelled', async () => {
      const user = 'cancel';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      // The server advertises no capabilities (v1), so the app would not send a reason; send
      // the newer app's request by hand: field and signed string carry the reason.
      const unsigned = await app.decline(req, 'cancelled', {
        fields: { decline_reason: 'cancelled' },
      });
      expectAppOk(unsigned, false); // signature over `…|decline` without the reason
      expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      const r = await app.decline(req, 'cancelled', {
        message: declineMessage(req.nonce, serial, 'cancelled'),
        fields: { decline_reason: 'cancelled' },
      });
      expectAppOk(r, true);
      expect(await h.status(tid)).toEqual({
        value: false,
        status: 'cancelled',
        authentication: 'DECLINED',
      });
      expectAppOk(await app.accept(req), false);
      const fin = await h.finalize(user, tid);
      expect(fin.body.result.value).toBe(false);
    });
  });

  describe('signatures', () => {
    const badForms: [string, () => Tamper][] = [
      ['another key', () => ({ key: cachedPhoneKey(1) })],
      ['another string', () => ({ message: 'something else|entirely' })],
      ['junk base32', () => ({ encoding: 'junk' })],
      ['truncated base32', () => ({ encoding: 'truncated' })],
      ['base64 instead of base32', () => ({ signature: Buffer.alloc(512, 7).toString('base64') })],
    ];

    it('bad answer signatures: HTTP 200 value false, never 5xx; the challenge stays open', async () => {
      const user = 'badsig';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      for (const [, tamper] of badForms) {
        expectAppOk(await app.accept(req, tamper()), false);
        expectAppOk(await app.decline(req, 'unknown_trigger', tamper()), false);
        expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      }
      // A good signature for another nonce does not answer this row either.
      expectAppOk(await app.accept({ ...req, nonce: 'A'.repeat(32) }), false);
      expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      expect((await h.token(serial)).failcount).toBe(0);
      expectAppOk(await app.accept(req), true);
      await h.expectAccept(user, tid, serial);
    });

    it.each(['lower', 'unpadded'] as const)(
      'a valid signature in %s base32 is accepted on answers',
      async (encoding) => {
        const user = `lenient-${encoding}`;
        const { serial, app } = await h.enrolled(user);
        const { tid, req } = await h.challenge(user, app, serial);
        expectAppOk(await app.accept(req, { encoding }), true);
        await h.expectAccept(user, tid, serial);
      },
    );

    it('polls with a bad signature or for an unknown serial: 400 ERR10 Could not verify', async () => {
      const user = 'poll-badsig';
      const { serial, app } = await h.enrolled(user);
      await h.trigger(user);
      for (const [, tamper] of badForms) {
        const r = await app.poll(serial, tamper());
        expectAppError(r, 400, 10, UNVERIFIED);
        expect(r.requests).toEqual([]);
      }
      const hotp = await enrollHotp(t, { user: 'poll-hotp' });
      const clientwait = (await h.init('poll-clientwait')).serial;
      for (const s of ['PIPU99999999', hotp, clientwait]) {
        expectAppError(await app.poll(serial, { fields: { serial: s } }), 400, 10, UNVERIFIED);
      }
      const ok = await app.poll(serial);
      expectAppOk(ok, ok.value);
      expect(ok.requests).toHaveLength(1);
    });

    it('poll timestamps: ±1 min window, ISO 8601 only, 3/6 fraction digits, no replay', async () => {
      const user = 'poll-time';
      const { serial, app } = await h.enrolled(user);
      await h.trigger(user);
      const range = (ts: string) => `ERR10: Timestamp ${ts} not in valid range.`;
      const unparsable = (ts: string) =>
        `ERR10: Could not parse timestamp ${ts}. ISO-Format required.`;

      for (const skewMs of [-120_000, 120_000]) {
        const r = await app.poll(serial, { skewMs });
        expectAppError(r, 400, 10, range(timestampOf(r)));
      }
      for (const ts of ['yesterday', new Date().toUTCString(), 'Wed, 01 Jan 2025 12:00:00 +0000']) {
        expectAppError(await app.poll(serial, { timestamp: ts }), 400, 10, unparsable(ts));
      }

      // Accepted forms, each newer than the one before.
      const base = Date.now() - 4000;
      for (const [i, ts] of [
        isoAt(base, '123'), // 6 fraction digits (the app)
        isoAt(base + 1000), // 3 fraction digits
        isoAt(base + 2000).replace('Z', '+00:00'),
      ].entries()) {
        const r = await app.poll(serial, { timestamp: ts });
        expectAppOk(r, r.value);
        expect((r.value as unknown[]).length).toBe(1);
        if (i === 0) expect(ts).toMatch(/\.\d{6}Z$/);
      }
      // Older than the last accepted poll (still within the window): refused.
      expectAppError(await app.poll(serial, { timestamp: isoAt(base + 500) }), 400, 10, UNVERIFIED);

      const fresh = await app.poll(serial);
      expectAppOk(fresh, fresh.value);
      const replay = await app.replay(fresh.sent);
      expectAppError(replay, 400, 10, UNVERIFIED);
    });
  });

  describe('replay and expiry of answers', () => {
    it('a replayed accept or decline is false', async () => {
      const user = 'replay';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      const first = await app.accept(req);
      expectAppOk(first, true);
      expectAppOk(await app.replay(first.sent), false);
      await h.expectAccept(user, tid, serial);
      expectAppOk(await app.replay(first.sent), false);

      const second = await h.challenge(user, app, serial);
      const decline = await app.decline(second.req);
      expectAppOk(decline, true);
      expectAppOk(await app.replay(decline.sent), false);
      expect(await h.status(second.tid)).toMatchObject({ status: 'declined' });
    });
  });

  describe('tokens and challenges', () => {
    it('two push tokens of one user: one transaction, each phone sees only its own challenge', async () => {
      const user = 'two-phones';
      const a = await h.enrolled(user, newApp());
      const b = await h.enrolled(user, newApp({ newKey: () => cachedPhoneKey(1) }));
      const res = await h.check({ user, pass: PIN });
      expect(res.body.result.authentication).toBe('CHALLENGE');
      const tid = res.body.detail.transaction_id as string;
      const list = res.body.detail.multi_challenge as Record<string, any>[];
      expect(list.map((c) => c.serial).sort()).toEqual([a.serial, b.serial].sort());
      for (const c of list) expect(c).toMatchObject({ type: 'push', transaction_id: tid });
      const pa = await a.app.poll(a.serial);
      const pb = await b.app.poll(b.serial);
      expect(pa.requests.map((r) => r.serial)).toEqual([a.serial]);
      expect(pb.requests.map((r) => r.serial)).toEqual([b.serial]);
      expect(pa.requests[0].nonce).not.toBe(pb.requests[0].nonce);
      // B's challenge signed with A's key, or A's nonce under B's serial: no.
      const keyA = a.app.token(a.serial).privateKey;
      expectAppOk(await b.app.accept(pb.requests[0], { key: keyA }), false);
      expectAppOk(await b.app.accept({ ...pb.requests[0], nonce: pa.requests[0].nonce }), false);
      expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      expectAppOk(await b.app.accept(pb.requests[0]), true);
      await h.expectAccept(user, tid, b.serial);
      // Finalizing removed the transaction's rows of both tokens.
      expect((await a.app.poll(a.serial)).value).toEqual([]);
      expectAppOk(await a.app.accept(pa.requests[0]), false);
    });

    it('two open challenges of one token: both listed, each answered and finalized on its own', async () => {
      const user = 'two-challenges';
      const { serial, app } = await h.enrolled(user);
      const first = await h.trigger(user);
      const second = await h.trigger(user);
      expect(first.tid).not.toBe(second.tid);
      const p = await app.poll(serial);
      expect(p.requests).toHaveLength(2);
      expect(p.requests[0].nonce).not.toBe(p.requests[1].nonce);
      expectAppOk(await app.accept(p.requests[1]), true);
      const tids = [first.tid, second.tid];
      const states = await Promise.all(tids.map((tid) => h.status(tid)));
      expect(states.map((x) => x.value).sort()).toEqual([false, true]);
      const done = tids[states.findIndex((x) => x.value)];
      const open = tids[states.findIndex((x) => !x.value)];
      await h.expectAccept(user, done, serial);
      expect(await h.status(open)).toMatchObject({ value: false, status: 'pending' });
      expect((await app.poll(serial)).value).toHaveLength(1);
      expectAppOk(await app.accept(p.requests[0]), true);
      await h.expectAccept(user, open, serial);
    });

    it('an answer without nonce (older apps) scans the open rows; finalize by serial', async () => {
      const user = 'no-nonce';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      expectAppOk(await app.accept(req, { fields: { nonce: null } }), true);
      const fin = await h.check({ serial, transaction_id: tid, pass: '' });
      expect(fin.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    });

    it('a disabled token cannot answer; the challenge stays open until it is enabled again', async () => {
      const user = 'disabled';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      const admin = (path: string) =>
        t.http().post(`${path}/${serial}`).set('Authorization', t.admin).send({});
      expectOk(await admin('/token/disable'));
      expectAppOk(await app.accept(req), false);
      expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      expectOk(await admin('/token/enable'));
      expectAppOk(await app.accept(req), true);
      await h.expectAccept(user, tid, serial);
    });

    it('re-init of the serial: clientwait again, the old phone is locked out, a new phone enrolls', async () => {
      const user = 'reinit';
      const old = await h.enrolled(user);
      const { req } = await h.challenge(user, old.app, old.serial);
      const res = await h.initRaw({ genkey: '1', serial: old.serial, user, pin: PIN });
      expectOk(res, true);
      expect(res.body.detail).toMatchObject({ serial: old.serial, rollout_state: 'clientwait' });
      const credential = res.body.detail.enrollment_credential as string;
      expect(credential).not.toBe(old.credential);
      expect(await h.snapshot(old.serial)).toMatchObject({
        rollout_state: 'clientwait',
        active: false,
      });
      const info = await h.info(old.serial);
      expect(info.public_key_smartphone ?? '').toBe('');
      expect(info.public_key_server ?? '').toBe('');
      expectAppError(await old.app.poll(old.serial), 400, 10, UNVERIFIED);
      expectAppOk(await old.app.accept(req), false);
      expectAppError(await old.app.replay(old.rollout.sent), 400, 905, BAD_CREDENTIAL);

      const fresh = newApp({ newKey: () => cachedPhoneKey(1) });
      expect((await fresh.enroll(res.body.detail.pushurl.value as string)).ok).toBe(true);
      const { tid, req: next } = await h.challenge(user, fresh, old.serial);
      expectAppOk(await old.app.accept({ ...next }), false);
      expectAppOk(await fresh.accept(next), true);
      await h.expectAccept(user, tid, old.serial);
    });
  });

  describe('races', () => {
    it('30 concurrent identical accepts: one true; 30 concurrent finalizes: one ACCEPT', async () => {
      const user = 'race';
      const { serial, app } = await h.enrolled(user);
      const { tid, req } = await h.challenge(user, app, serial);
      const replies = await Promise.all(Array.from({ length: 30 }, () => app.accept(req)));
      for (const r of replies) expectClean(asResponse(r));
      expect(replies.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect(replies.filter((r) => r.value === true)).toHaveLength(1);
      expect(replies.filter((r) => r.value === false)).toHaveLength(29);
      const finals = await Promise.all(Array.from({ length: 30 }, () => h.finalize(user, tid)));
      expect(finals.map((r) => r.status)).toEqual(Array(30).fill(200));
      expect(finals.filter((r) => r.body.result.value === true)).toHaveLength(1);
      expect(finals.filter((r) => r.body.result.authentication === 'ACCEPT')).toHaveLength(1);
    });

    it('8 concurrent stage 2 requests with one credential: exactly one phone enrolls', async () => {
      const { serial, uri } = await h.init('race-enroll');
      const keys = Array.from(
        { length: 8 },
        () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      );
      const apps = keys.map((k) => newApp({ newKey: () => k }));
      for (const a of apps) a.scan(uri);
      // One credential buys one server key pair, however many requests carry it.
      const enrollment = h.t.app.get(PushEnrollment);
      const generated = jest.spyOn(
        enrollment as unknown as { generate: () => unknown },
        'generate',
      );
      const results = await Promise.all(apps.map((a) => a.rollout(serial)));
      expect(generated).toHaveBeenCalledTimes(1);
      generated.mockRestore();
      for (const r of results) expectClean(asResponse(r));
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      for (const r of results.filter((x) => !x.ok)) {
        expect([400, 404]).toContain(r.status);
        expect(r.error?.message).toMatch(
          /Invalid enrollment credential|rollout state 'clientwait'/,
        );
      }
      const winner = apps[results.indexOf(winners[0])];
      const info = await h.info(serial);
      expect(info.public_key_smartphone).toBe(phonePubkeyField(keys[results.indexOf(winners[0])]));
      expect(info.public_key_server).toContain(winners[0].json.detail.public_key);
      await h.trigger('race-enroll');
      const p = await winner.poll(serial);
      expect(p.requests).toHaveLength(1);
      expectAppOk(await winner.accept(p.requests[0]), true);
    });

    it('10 concurrent copies of one signed poll (or Firebase update): exactly one succeeds', async () => {
      const { serial, app } = await h.enrolled('race-poll');
      const key = app.token(serial).privateKey;
      const ts = new Date().toISOString();
      const q = new URLSearchParams({
        serial,
        timestamp: ts,
        signature: signBase32(key, pollMessage(serial, ts)),
      });
      const poll = { method: 'GET' as const, url: `${h.pushUrl}?${q.toString()}`, headers: {} };
      const polls = await Promise.all(Array.from({ length: 10 }, () => app.replay(poll)));
      expect(polls.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
      for (const r of polls.filter((x) => x.status === 400))
        expect(r.error?.message).toBe(UNVERIFIED);

      const fb = new URLSearchParams({
        new_fb_token: 'fb-race',
        serial,
        timestamp: ts,
        signature: signBase32(key, fbTokenMessage('fb-race', serial, ts)),
      });
      const update = {
        method: 'POST' as const,
        url: h.pushUrl,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: fb.toString(),
      };
      const updates = await Promise.all(Array.from({ length: 10 }, () => app.replay(update)));
      expect(updates.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(400)]);
      expect((await h.info(serial)).firebase_token).toBe('fb-race');
    });
  });

  describe('Firebase token update (§6.3)', () => {
    it('signed: true and stored; replays and bad signatures refused with ERR10', async () => {
      const user = 'fbupdate';
      const { serial, app } = await h.enrolled(user);
      const first = await app.updateFirebaseToken(serial, 'fb-token-1');
      expectAppOk(first, true);
      expect((await h.info(serial)).firebase_token).toBe('fb-token-1');
      const second = await app.updateFirebaseToken(serial, 'fb-token-2');
      expectAppOk(second, true);
      expect((await h.info(serial)).firebase_token).toBe('fb-token-2');

      expectAppError(await app.replay(first.sent), 400, 10, UNVERIFIED);
      expectAppError(await app.replay(second.sent), 400, 10, UNVERIFIED);
      for (const tamper of [
        { key: cachedPhoneKey(1) },
        { encoding: 'junk' as const },
        { encoding: 'truncated' as const },
        { message: 'fb-evil|x|y' },
      ]) {
        expectAppError(
          await app.updateFirebaseToken(serial, 'fb-evil', tamper),
          400,
          10,
          UNVERIFIED,
        );
      }
      const stale = await app.updateFirebaseToken(serial, 'fb-evil', { skewMs: -6 * 60_000 });
      expectAppError(stale, 400, 10, `ERR10: Timestamp ${timestampOf(stale)} not in valid range.`);
      const junkTs = await app.updateFirebaseToken(serial, 'fb-evil', { timestamp: 'yesterday' });
      expectAppError(
        junkTs,
        400,
        10,
        'ERR10: Could not parse timestamp yesterday. ISO-Format required.',
      );
      expect((await h.info(serial)).firebase_token).toBe('fb-token-2');
      // Unknown serial: the same refusal.
      expectAppError(
        await app.updateFirebaseToken(serial, 'fb-x', { fields: { serial: 'PIPU99999999' } }),
        400,
        10,
        UNVERIFIED,
      );
    });

    it('the window is ±5 minutes (wider than the poll window)', async () => {
      const user = 'fbupdate-window';
      const { serial, app } = await h.enrolled(user);
      expectAppOk(await app.updateFirebaseToken(serial, 'fb-old', { skewMs: -4 * 60_000 }), true);
      expect((await h.info(serial)).firebase_token).toBe('fb-old');
      expectAppOk(await app.updateFirebaseToken(serial, 'fb-now'), true);
      expect((await h.info(serial)).firebase_token).toBe('fb-now');
    });
  });

  describe('malformed app requests', () => {
    it('are refused cleanly and change nothing; the open challenge still succeeds', async () => {
      const user = 'malformed';
      const { serial, app } = await h.enrolled(user);
      const waiting = await h.init('malformed-wait');
      const { tid, req } = await h.challenge(user, app, serial);
      const snap = await h.snapshot(serial);
      const waitSnap = await h.snapshot(waiting.serial);
      const unchanged = async () => {
        expect(await h.snapshot(serial)).toEqual(snap);
        expect(await h.snapshot(waiting.serial)).toEqual(waitSnap);
        expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
      };
      const pubkey = phonePubkeyField(cachedPhoneKey(1));
      const stage2 = {
        enrollment_credential: waiting.credential,
        serial: waiting.serial,
        fbtoken: NO_FIREBASE_TOKEN,
        pubkey,
      };
      const answer = { serial, nonce: req.nonce, signature: 'A'.repeat(416) };
      const update = {
        new_fb_token: 'fb-x',
        serial,
        timestamp: new Date().toISOString(),
        signature: 'A'.repeat(416),
      };
      const poll = { serial, timestamp: new Date().toISOString(), signature: 'A'.repeat(416) };

      // Only a serial, or nothing at all.
      expectError(await h.ttype({ serial }), 400, 905, 'ERR905: Missing parameters!');
      expectError(await h.ttype({}), 400, 905, /^ERR905: Missing parameter/);
      await unchanged();

      // Each field missing from each POST kind.
      for (const base of [stage2, answer, update] as Record<string, string>[]) {
        for (const f of Object.keys(base)) {
          const fields = { ...base };
          delete fields[f];
          const res = await h.ttype(fields);
          expectRefused(res);
          if (res.status !== 200) {
            expect(res.body.result.error.message).toMatch(/^ERR905: Missing parameter/);
          }
          await unchanged();
        }
      }
      for (const f of Object.keys(poll)) {
        const q: Record<string, string> = { ...poll };
        delete q[f];
        expectError(await h.ttypeGet(q), 400, 905, `ERR905: Missing parameter: ${f}`);
      }
      await unchanged();

      // ~20 kB in one field (below the 32 KiB body limit): a clean refusal.
      const big = 'A'.repeat(20 * 1024);
      for (const base of [stage2, answer, update] as Record<string, string>[]) {
        for (const f of Object.keys(base)) {
          expectRefused(await h.ttype({ ...base, [f]: big }));
          await unchanged();
        }
      }
      // GET: a long query is refused as well (8 kB stays below the HTTP header limit).
      for (const f of Object.keys(poll)) {
        const res = await h.ttypeGet({ ...poll, [f]: 'A'.repeat(8 * 1024) });
        expectClean(res);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
      await unchanged();

      // ~100 kB bodies are over the /ttype limit.
      const huge = 'B'.repeat(100 * 1024);
      await expectTooLarge(h.ttype({ ...stage2, pubkey: huge }));
      await expectTooLarge(h.ttype({ ...answer, signature: huge }));
      await expectTooLarge(h.ttype({ ...update, padding: huge }));
      await expectTooLarge(h.ttype({ ...answer, signature: huge }, true));
      await unchanged();

      // JSON bodies with arrays or objects as values.
      for (const base of [stage2, answer, update] as Record<string, string>[]) {
        for (const f of Object.keys(base)) {
          for (const v of [[base[f]], { v: base[f] }, [base[f], base[f]]]) {
            const res = await h.ttype({ ...base, [f]: v }, true);
            expectClean(res);
            expect(res.status).toBeGreaterThanOrEqual(400);
            expect(res.body.result.status).toBe(false);
          }
          await unchanged();
        }
      }

      // Other methods.
      for (const method of ['put', 'delete', 'patch'] as const) {
        const res = await t.http()[method]('/ttype/push').type('form').send(answer);
        expectClean(res);
        expect([404, 405]).toContain(res.status);
        expect(res.body.result.status).toBe(false);
      }
      await unchanged();

      // Unknown serial in an answer: 404.
      const unknown = await h.ttype({ ...answer, serial: 'PIPU99999999' });
      expectError(unknown, 404, 601, NOT_FOUND);
      await unchanged();

      // The challenge and the waiting token still work.
      expectAppOk(await app.accept(req), true);
      await h.expectAccept(user, tid, serial);
      expect((await newApp().enroll(waiting.uri)).ok).toBe(true);
    });
  });

  describe('secrets', () => {
    it('the server private key and the used enrollment credential never appear in /token responses', async () => {
      const user = 'secrets';
      const { serial, app, credential } = await h.enrolled(user);
      const { tid } = await h.challenge(user, app, serial);
      const bodies: Response[] = [
        await t.http().get('/token/').set('Authorization', t.admin),
        await t.http().get('/token/').query({ serial }).set('Authorization', t.admin),
        await t.http().get('/token/').query({ user }).set('Authorization', t.admin),
        await t.http().get(`/token/challenges/${serial}`).set('Authorization', t.admin),
        await t
          .http()
          .get('/token/challenges/')
          .query({ transaction_id: tid })
          .set('Authorization', t.admin),
      ];
      for (const res of bodies) {
        expectOk(res);
        const text = bodyText(res);
        expect(text).not.toContain(credential);
        expect(text).not.toMatch(/PRIVATE KEY/);
        expect(text).not.toContain('private_key_server');
        expect(text).not.toContain('enrollment_credential"');
      }
      const info = await h.info(serial);
      expect(Object.keys(info)).not.toContain('private_key_server');
      expect(Object.keys(info)).not.toContain('enrollment_credential');
      // An admin cannot read or overwrite them through /token/info either.
      for (const key of ['private_key_server', 'enrollment_credential', 'public_key_server']) {
        expectError(await h.setInfo(serial, key, 'x'), 403, 303, /managed by the server/);
      }
      const unchangedInfo = await h.info(serial);
      expect(unchangedInfo).toEqual(info);
    });
  });
});

describe('Push with custom enrollment and text settings', () => {
  const REG_URL = 'https://mfa.example.org/ttype/push';
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({
      ...KEY_BITS,
      PUSH_REGISTRATION_URL: REG_URL,
      PUSH_SSL_VERIFY: '0',
      PUSH_FORCE_APP_PIN: 'true',
      PUSH_USE_PIA_SCHEME: 'true',
      PUSH_TTL: '3',
      TOKEN_LABEL: '<u>@<r>',
      TOKEN_ISSUER: 'ACME Corp/{realm}',
      PUSH_TEXT_ON_MOBILE: 'Log in {user} ({serial})?',
      PUSH_TITLE_ON_MOBILE: 'ACME',
      PUSH_CHALLENGE_TEXT: 'Confirm\\, please',
    });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('URI §2.1 with pia scheme, quoted label/issuer/url, sslverify=0 and pin=True', async () => {
    const user = 'jürgen müller';
    const { serial, uri, credential } = await h.init(user);
    expect(uri).toBe(
      `pia://pipush/${pyQuote(`${user}@default`)}?url=https%3A//mfa.example.org/ttype/push` +
        `&ttl=3&issuer=ACME%20Corp/default&enrollment_credential=${credential}&v=1` +
        `&serial=${serial}&sslverify=0&poll_only=True&pin=True`,
    );
    expect(parsePushUri(uri)).toMatchObject({
      scheme: 'pia',
      label: `${user}@default`,
      issuer: 'ACME Corp/default',
      url: REG_URL,
      ttlMinutes: 3,
      sslVerify: false,
      pin: true,
    });
  });

  it('challenges are signed over the configured URL, sslverify 0 and the rendered texts', async () => {
    const user = 'carol';
    const { serial, uri } = await h.init(user);
    const app = newApp();
    app.scan(uri);
    // The configured URL is this server behind a proxy: the phone's requests come here.
    app.token(serial).url = h.pushUrl;
    expectAppOk(await app.rollout(serial), true);
    const { tid, c } = await h.trigger(user);
    expect(c.message).toBe('Confirm, please');
    const p = await app.poll(serial);
    expect(p.rejected).toEqual([]);
    expect(p.requests).toHaveLength(1);
    const req = p.requests[0];
    expect(req).toMatchObject({
      url: REG_URL,
      sslVerify: false,
      title: 'ACME',
      question: `Log in carol (${serial})?`,
    });
    expect(req.data).toMatchObject({ sslverify: '0', url: REG_URL });
    expectAppOk(await app.accept({ ...req, url: h.pushUrl }), true);
    await h.expectAccept(user, tid, serial);
  });
});

describe('Push with PUSH_ALLOW_POLLING=deny', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ ...KEY_BITS, PUSH_ALLOW_POLLING: 'deny' });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('polls are refused with 403 Polling not allowed!', async () => {
    const user = 'deny';
    const { serial, app } = await h.enrolled(user);
    await h.trigger(user);
    const r = await app.poll(serial);
    expectAppError(r, 403, 303, 'Polling not allowed!');
    expect(r.requests).toEqual([]);
  });
});

describe('Push with PUSH_ALLOW_POLLING=token', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ ...KEY_BITS, PUSH_ALLOW_POLLING: 'token' });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('tokeninfo polling_allowed decides (default allowed)', async () => {
    const user = 'per-token';
    const { serial, app } = await h.enrolled(user);
    const { tid } = await h.trigger(user);
    const allowed = await app.poll(serial);
    expectAppOk(allowed, allowed.value);
    expect(allowed.requests).toHaveLength(1);
    expectOk(await h.setInfo(serial, 'polling_allowed', 'False'), true);
    expectAppError(await app.poll(serial), 403, 303, 'Polling not allowed!');
    expectOk(await h.setInfo(serial, 'polling_allowed', 'True'), true);
    const again = await app.poll(serial);
    expectAppOk(again, again.value);
    expect((again.value as unknown[]).length).toBe(1);
    expectAppOk(await app.accept(allowed.requests[0]), true);
    await h.expectAccept(user, tid, serial);
  });
});

describe('Push with PUSH_TTL=1 (enrollment credential expiry)', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ ...KEY_BITS, PUSH_TTL: '1' });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('the URI says ttl=1 and the expiry stamp is one minute ahead; past it, stage 2 is refused', async () => {
    const before = Date.now();
    const { serial, uri } = await h.init('ttl');
    expect(uri).toContain('&ttl=1&');
    expect(parsePushUri(uri).ttlMinutes).toBe(1);
    const stamp = (await h.info(serial)).enrollment_credential_expires;
    const expires = Date.parse(stamp);
    expect(expires).toBeGreaterThanOrEqual(before + 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 60_000);

    // Move time: the stamp one minute in the past (an admin may edit it).
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    expectOk(
      await h.setInfo(serial, 'enrollment_credential_expires', iso(Date.now() - 60_000)),
      true,
    );
    const snap = await h.snapshot(serial);
    const app = newApp();
    const late = await app.enroll(uri);
    expect(late.ok).toBe(false);
    expectAppError(late, 400, 905, EXPIRED_CREDENTIAL);
    expect(await h.snapshot(serial)).toEqual(snap);

    // The stamp decides: one minute ahead again, and the same app completes stage 2.
    expectOk(
      await h.setInfo(serial, 'enrollment_credential_expires', iso(Date.now() + 60_000)),
      true,
    );
    expectAppOk(await app.rollout(serial), true);
    expect(await h.snapshot(serial)).toMatchObject({ rollout_state: 'enrolled', active: true });
  });
});

// 3 s, not 1: on a loaded machine (and with MySQL's whole-second DATETIME) a 1 s challenge can
// expire between the trigger and the phone's first poll.
describe('Push with PUSH_CHALLENGE_VALIDITY_TIME=3', () => {
  let t: TestApp;
  let h: Harness;
  beforeAll(async () => {
    t = await startTestApp({ ...KEY_BITS, PUSH_CHALLENGE_VALIDITY_TIME: '3' });
    h = new Harness(t);
  });
  afterAll(() => t.close());

  it('an answer for an expired challenge is false and does not finalize', async () => {
    const user = 'expiring';
    const { serial, app } = await h.enrolled(user);
    const { tid, req } = await h.challenge(user, app, serial);
    await sleep(4200);
    expectAppOk(await app.respond(req, { accepted: true }), false);
    expectAppOk(await app.respond(req, { accepted: false }), false);
    expect(await h.status(tid)).toMatchObject({ value: false, status: 'pending' });
    expect((await h.finalize(user, tid)).body.result.value).toBe(false);
    expect((await app.poll(serial)).value).toEqual([]);
    expect((await h.token(serial)).failcount).toBe(0);
  });
});

describe.each([
  ['ALPHABETIC', {}, 3, /^[A-Z]$/],
  ['NUMERIC', { PUSH_PRESENCE_OPTIONS: 'NUMERIC' }, 3, /^\d{2}$/],
  [
    'CUSTOM',
    {
      PUSH_PRESENCE_OPTIONS: 'CUSTOM',
      PUSH_PRESENCE_CUSTOM_OPTIONS: '01:02:03:1A',
      PUSH_PRESENCE_NUM_OPTIONS: '4',
    },
    4,
    /^(01|02|03|1A)$/,
  ],
] as [string, Record<string, string>, number, RegExp][])(
  'Push number matching (PUSH_REQUIRE_PRESENCE, %s)',
  (kind, env, count, shape) => {
    let t: TestApp;
    let h: Harness;
    beforeAll(async () => {
      t = await startTestApp({ ...KEY_BITS, PUSH_REQUIRE_PRESENCE: 'true', ...env });
      h = new Harness(t);
    });
    afterAll(() => t.close());

    /** Trigger and poll: the RP's answer and the phone's options. */
    async function presenceChallenge(user: string, app: PushApp, serial: string) {
      const { tid, c, req } = await h.challenge(user, app, serial);
      const answer = c.presence_answer as string;
      expect(answer).toMatch(shape);
      expect(c.message).toBe(`${CHALLENGE_TEXT} Please press: ${answer}`);
      expect(req.type).toBe('choice');
      const options = req.possibleAnswers!;
      expect(options).toHaveLength(count);
      expect(new Set(options).size).toBe(count);
      for (const o of options) expect(o).toMatch(shape);
      expect(options).toContain(answer);
      expect(req.data).toMatchObject({ require_presence: options.join(','), version: '2' });
      if (kind === 'CUSTOM') expect([...options].sort()).toEqual(['01', '02', '03', '1A']);
      return { tid, req, answer, wrong: options.filter((o) => o !== answer) };
    }

    it('the right option: true, then ACCEPT', async () => {
      const user = `np-right-${kind}`;
      const { serial, app } = await h.enrolled(user);
      const { tid, req, answer } = await presenceChallenge(user, app, serial);
      expectAppOk(await app.answer(req, answer), true);
      expect(await h.status(tid)).toMatchObject({ value: true, status: 'accept' });
      await h.expectAccept(user, tid, serial);
    });

    it('a wrong option: false and the challenge is refused (no second guess)', async () => {
      const user = `np-wrong-${kind}`;
      const { serial, app } = await h.enrolled(user);
      const { tid, req, answer, wrong } = await presenceChallenge(user, app, serial);
      expectAppOk(await app.answer(req, wrong[0]), false);
      expect(await h.status(tid)).toEqual({
        value: false,
        status: 'declined',
        authentication: 'DECLINED',
      });
      expectAppOk(await app.answer(req, answer), false);
      expect((await h.finalize(user, tid)).body.result.value).toBe(false);
      expect((await app.poll(serial)).value).toEqual([]);
    });

    it('two push tokens in one request share the options and the answer', async () => {
      const user = `np-two-${kind}`;
      const a = await h.enrolled(user, newApp());
      const b = await h.enrolled(user, newApp({ newKey: () => cachedPhoneKey(1) }));
      const res = await h.check({ user, pass: PIN });
      const list = res.body.detail.multi_challenge as Record<string, any>[];
      expect(list).toHaveLength(2);
      expect(list[0].presence_answer).toBe(list[1].presence_answer);
      const answer = list[0].presence_answer as string;
      const ra = (await a.app.poll(a.serial)).requests[0];
      const rb = (await b.app.poll(b.serial)).requests[0];
      expect(ra.possibleAnswers).toEqual(rb.possibleAnswers);
      expect(ra.possibleAnswers).toContain(answer);
      expectAppOk(await b.app.answer(rb, answer), true);
      await h.expectAccept(user, res.body.detail.transaction_id as string, b.serial);
    });

    it('a plain accept without presence_answer, or an answer not signed with it: refused', async () => {
      const user = `np-plain-${kind}`;
      const { serial, app } = await h.enrolled(user);
      const first = await presenceChallenge(user, app, serial);
      // Signed `nonce|serial|X` but sent with another presence_answer: no row verifies.
      expectAppOk(
        await app.answer(first.req, first.answer, { fields: { presence_answer: first.wrong[0] } }),
        false,
      );
      expect(await h.status(first.tid)).toMatchObject({ status: 'pending' });
      expectAppOk(await app.accept(first.req), false);
      expect(await h.status(first.tid)).toMatchObject({ value: false, status: 'declined' });
      expect((await h.finalize(user, first.tid)).body.result.value).toBe(false);
    });
  },
);

describe('Push with Firebase delivery (recording sender)', () => {
  let t: TestApp;
  let h: Harness;
  let delivery: PushDelivery;
  const recorded: Message[] = [];
  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    t = await startTestApp({
      ...KEY_BITS,
      PUSH_FIREBASE_CONFIGURATION: 'fcm',
      PUSH_FIREBASE_SERVICE_ACCOUNT_JSON: JSON.stringify({
        type: 'service_account',
        project_id: 'pi-test',
        private_key: privateKey,
        client_email: 'x@pi-test.iam.gserviceaccount.com',
      }),
    });
    h = new Harness(t);
    delivery = t.app.get(PushDelivery);
    expect(delivery.enabled).toBe(true);
  });
  beforeEach(() => {
    recorded.length = 0;
    delivery.useSender({
      send: (m) => {
        recorded.push(m);
        return Promise.resolve();
      },
    });
  });
  afterAll(async () => {
    await t.close();
    // The replaced firebase-admin sender is no longer closed by the app.
    await Promise.all(getApps().map((a) => deleteApp(a)));
  });

  async function fcmEnrolled(user: string, fbToken: string) {
    const app = newApp({ firebaseToken: fbToken });
    const { serial, uri } = await h.init(user);
    expect(uri).toMatch(/&poll_only=False$/);
    expect(parsePushUri(uri).pollOnly).toBe(false);
    expect((await h.info(serial)).push_firebase_configuration).toBe('fcm');
    expect((await app.enroll(uri)).ok).toBe(true);
    expect((await h.info(serial)).firebase_token).toBe(fbToken);
    return { serial, app };
  }

  it('the challenge goes to Firebase as §5.2; the app takes it from the data and accepts', async () => {
    const user = 'fcm';
    const { serial, app } = await fcmEnrolled(user, 'fcm-device-token-1');
    const before = Math.floor(Date.now() / 1000);
    const { tid, c } = await h.trigger(user);
    expect(c.message).toBe(CHALLENGE_TEXT);
    expect(recorded).toHaveLength(1);
    const m = recorded[0] as Message & { token: string };
    expect(m.token).toBe('fcm-device-token-1');
    const data = m.data!;
    expect(Object.keys(data).sort()).toEqual(ITEM_FIELDS);
    for (const v of Object.values(data)) expect(typeof v).toBe('string');
    expect(data).toMatchObject({
      serial,
      question: QUESTION,
      title: 'privacyIDEA',
      sslverify: '1',
      url: h.pushUrl,
    });
    expect(m.notification).toEqual({ title: 'privacyIDEA', body: QUESTION });
    expect(m.android).toEqual({
      priority: 'high',
      ttl: 120_000,
      fcmOptions: { analyticsLabel: 'AndroidPushToken' },
    });
    const headers = m.apns!.headers!;
    expect(headers).toMatchObject({
      'apns-priority': '10',
      'apns-push-type': 'alert',
      'apns-collapse-id': 'privacyidea.pushtoken',
    });
    const expiration = Number(headers['apns-expiration']);
    expect(expiration).toBeGreaterThanOrEqual(before + 120);
    expect(expiration).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
    expect(m.apns!.payload).toEqual({
      aps: {
        alert: { title: 'privacyIDEA', body: QUESTION },
        sound: 'default',
        category: 'PUSH_AUTHENTICATION',
      },
    });
    expect(m.apns!.fcmOptions).toEqual({ analyticsLabel: 'iOSPushToken' });

    const got = app.receive(data);
    expect(got.rejected).toBeUndefined();
    const req = got.request as PushRequest;
    expect(req).toMatchObject({ type: 'default', serial, nonce: data.nonce });
    // Also the whole FCM request body form.
    expect(newApp().receive({ message: { data } }).rejected?.reason).toMatch(/no token/);
    expectAppOk(await app.accept(req), true);
    await h.expectAccept(user, tid, serial);
  });

  it('a Firebase token update redirects later challenges', async () => {
    const user = 'fcm-update';
    const { serial, app } = await fcmEnrolled(user, 'fcm-device-token-a');
    expectAppOk(await app.updateFirebaseToken(serial, 'fcm-device-token-b'), true);
    const { tid } = await h.trigger(user);
    expect(recorded.map((m) => (m as { token?: string }).token)).toEqual(['fcm-device-token-b']);
    const req = app.receive(recorded[0].data).request!;
    expectAppOk(await app.accept(req), true);
    await h.expectAccept(user, tid, serial);
  });

  it('a failing sender: the RP gets the polling hint; the challenge is pollable and answerable', async () => {
    const user = 'fcm-down';
    const { serial, app } = await fcmEnrolled(user, 'fcm-device-token-2');
    let calls = 0;
    delivery.useSender({
      send: () => {
        calls += 1;
        return Promise.reject(
          Object.assign(new Error('FCM unavailable'), { code: 'messaging/unavailable' }),
        );
      },
    });
    const { tid, c } = await h.trigger(user);
    expect(calls).toBe(1);
    expect(c.message).toBe(CHALLENGE_TEXT + POLLING_HINT);
    expect(c).toMatchObject({ type: 'push', client_mode: 'poll' });
    const p = await app.poll(serial);
    expect(p.requests).toHaveLength(1);
    expectAppOk(await app.accept(p.requests[0]), true);
    expect(await h.status(tid)).toMatchObject({ value: true, status: 'accept' });
    await h.expectAccept(user, tid, serial);
  });

  it('a token enrolled with no_firebase_token is not sent to Firebase (polling hint)', async () => {
    const user = 'fcm-none';
    const { serial, app } = await fcmEnrolled(user, NO_FIREBASE_TOKEN);
    const { tid, c } = await h.trigger(user);
    expect(recorded).toHaveLength(0);
    expect(c.message).toBe(CHALLENGE_TEXT + POLLING_HINT);
    const p = await app.poll(serial);
    expectAppOk(await app.accept(p.requests[0]), true);
    await h.expectAccept(user, tid, serial);
  });
});
