import { createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  acceptMessage,
  base32Decode,
  base32Encode,
  canonicalJson,
  challengeMessage,
  dartTimestamp,
  dartUriString,
  declineMessage,
  fbTokenMessage,
  parsePushUri,
  phonePubkeyField,
  pollMessage,
  PushApp,
  PushAppError,
  readServerKey,
  serverKeyObject,
  signBase32,
  verifyBase32,
  type PushToken,
} from '../clients/push-app';
import * as V from '../fixtures/push-vectors';

/**
 * push.md §12 test vectors, checked with the simulated privacyIDEA Authenticator's crypto
 * (test/clients/push-app.ts), plus the app's wire format against a stub HTTP server. Needs no
 * running service.
 */

const phoneKey = createPrivateKey(V.PHONE_PRIVATE_KEY);
const serverKey = createPrivateKey(V.SERVER_PRIVATE_KEY);
/** The phone key as a server reads the stage-2 `pubkey` (SPKI). */
const phonePublic = createPublicKey({
  key: Buffer.from(V.PHONE_PUBKEY_FIELD, 'base64'),
  format: 'der',
  type: 'spki',
});
/** The server key as the app reads `detail.public_key`. */
const serverPublic = serverKeyObject(
  readServerKey({ detail: { public_key: V.STAGE2_PUBLIC_KEY } }),
);

/** Python-side verification: strict upper-case padded base32, then PKCS#1 v1.5 / SHA-256. */
function serverVerifies(key: KeyObject, message: string, sig: string): boolean {
  if (!/^(?:[A-Z2-7]{8})*$|^(?:[A-Z2-7]{8})*[A-Z2-7]{2,7}=+$/.test(sig) || sig.length % 8)
    return false;
  return verify('sha256', Buffer.from(message), key, base32Decode(sig)!);
}

describe('push.md §12 key formats', () => {
  it('the phone key gives the stage-2 pubkey field (base64 DER SPKI, one line)', () => {
    expect(phonePubkeyField(phoneKey)).toBe(V.PHONE_PUBKEY_FIELD);
    expect(phonePubkeyField(V.PHONE_PRIVATE_KEY)).toBe(V.PHONE_PUBKEY_FIELD);
  });

  it('the server key gives the stored PKCS#1 PEM and the stage-2 detail.public_key', () => {
    const pem = createPublicKey(serverKey).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(pem.trimEnd()).toBe(V.SERVER_PUBLIC_KEY_PEM);
    expect(pem.trimEnd().split('\n').slice(1, -1).join('\n')).toBe(V.STAGE2_PUBLIC_KEY);
    expect(serverPublic.export({ type: 'spki', format: 'der' })).toEqual(
      createPublicKey(serverKey).export({ type: 'spki', format: 'der' }),
    );
  });

  it('the app refuses a server key that is not a PKCS#1 body', () => {
    const spki = createPublicKey(serverKey).export({ type: 'spki', format: 'der' });
    const cases: [unknown, RegExp][] = [
      [{ detail: { public_key: spki.toString('base64') } }, /not a PKCS#1/],
      [{ detail: { public_key: V.STAGE2_PUBLIC_KEY.replaceAll('\n', '\r\n') } }, /not base64/],
      [{ detail: { public_key: V.SERVER_PUBLIC_KEY_PEM } }, /not base64/],
      [{ detail: {} }, /no detail.public_key/],
    ];
    for (const [json, msg] of cases) expect(() => readServerKey(json)).toThrow(msg);
  });
});

describe('push.md §12 signatures', () => {
  const serverSigned = [
    ['challenge', V.CHALLENGE],
    ['challenge with presence', V.CHALLENGE_PRESENCE],
    ['capabilities', V.CAPABILITIES],
  ] as const;
  const appSigned = [
    ['accept', V.ACCEPT],
    ['decline', V.DECLINE],
    ['accept with presence', V.ACCEPT_PRESENCE],
    ['poll', V.POLL],
    ['firebase token update', V.FB_TOKEN],
  ] as const;

  it.each(serverSigned)('server → app %s: exact signature, verified by the app', (_, v) => {
    expect(signBase32(serverKey, v.message)).toBe(v.signature);
    expect(verifyBase32(serverPublic, v.message, v.signature)).toBe(true);
    expect(verifyBase32(serverPublic, v.message + ' ', v.signature)).toBe(false);
    expect(verifyBase32(phonePublic, v.message, v.signature)).toBe(false);
  });

  it.each(appSigned)('app → server %s: exact signature, verified with the SPKI key', (_, v) => {
    expect(signBase32(phoneKey, v.message)).toBe(v.signature);
    expect(serverVerifies(phonePublic, v.message, v.signature)).toBe(true);
    expect(serverVerifies(phonePublic, v.message.replace('PIPU', 'PIPX'), v.signature)).toBe(false);
    expect(serverVerifies(serverPublic, v.message, v.signature)).toBe(false);
  });

  it('the app builds exactly the signed strings of the vectors', () => {
    const c = {
      nonce: V.NONCE,
      url: dartUriString(V.URL),
      serial: V.SERIAL,
      question: V.QUESTION,
      title: V.TITLE,
      sslVerify: true,
    };
    expect(challengeMessage(c)).toBe(V.CHALLENGE.message);
    expect(challengeMessage({ ...c, possibleAnswers: ['A', 'B', 'C'] })).toBe(
      V.CHALLENGE_PRESENCE.message,
    );
    expect(canonicalJson({ nonce: V.NONCE, capabilities: { decline_reason: true } })).toBe(
      V.CAPABILITIES.message,
    );
    expect(acceptMessage(V.NONCE, V.SERIAL)).toBe(V.ACCEPT.message);
    expect(declineMessage(V.NONCE, V.SERIAL)).toBe(V.DECLINE.message);
    expect(acceptMessage(V.NONCE, V.SERIAL, 'B')).toBe(V.ACCEPT_PRESENCE.message);
    expect(pollMessage(V.SERIAL, V.TIMESTAMP)).toBe(V.POLL.message);
    expect(fbTokenMessage(V.NEW_FB_TOKEN, V.SERIAL, V.TIMESTAMP)).toBe(V.FB_TOKEN.message);
  });
});

describe('encodings', () => {
  it('base32: RFC 4648 vectors, the nonce, padded 2048-bit signatures', () => {
    const rfc: [string, string][] = [
      ['', ''],
      ['f', 'MY======'],
      ['fo', 'MZXQ===='],
      ['foo', 'MZXW6==='],
      ['foob', 'MZXW6YQ='],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI======'],
    ];
    for (const [plain, enc] of rfc) {
      expect(base32Encode(Buffer.from(plain))).toBe(enc);
      expect(base32Decode(enc)?.toString()).toBe(plain);
    }
    const bytes = Buffer.from(Array.from({ length: 20 }, (_, i) => i));
    expect(base32Encode(bytes)).toBe(V.NONCE);
    expect(V.ACCEPT.signature).toHaveLength(416);
    expect(base32Decode(V.ACCEPT.signature)).toHaveLength(256);
  });

  it('base32 as the app decodes: missing padding is fine, lower case and junk are not', () => {
    const sig = V.CHALLENGE.signature;
    expect(base32Decode(sig.replace(/=+$/, ''))).toEqual(base32Decode(sig));
    expect(base32Decode(sig.toLowerCase())).toBeUndefined();
    expect(base32Decode('1' + sig.slice(1))).toBeUndefined();
    expect(verifyBase32(serverPublic, V.CHALLENGE.message, sig.toLowerCase())).toBe(false);
    expect(verifyBase32(serverPublic, V.CHALLENGE.message, sig.slice(0, 100))).toBe(false);
  });

  it('Dart timestamps: milliseconds, plus microseconds unless they are zero', () => {
    const base = BigInt(Date.UTC(2025, 0, 1, 12)) * 1000n;
    expect(dartTimestamp(base)).toBe(V.TIMESTAMP);
    expect(dartTimestamp(base + 789012n)).toBe('2025-01-01T12:00:00.789012Z');
    expect(dartTimestamp(base + 5n)).toBe('2025-01-01T12:00:00.000005Z');
    expect(dartTimestamp(base + 7000n)).toBe('2025-01-01T12:00:00.007Z');
  });

  it('Dart Uri.toString(): what the app rebuilds from a challenge url', () => {
    const cases: [string, string][] = [
      [V.URL, V.URL],
      ['HTTPS://MFA.Example.ORG:443/ttype/push', V.URL],
      ['http://mfa.example.org:80/ttype/push', 'http://mfa.example.org/ttype/push'],
      ['https://mfa.example.org:8443/ttype/push', 'https://mfa.example.org:8443/ttype/push'],
      ['https://mfa.example.org/a/../ttype/./push', V.URL],
      ['https://mfa.example.org/%7euser/p%2fq', 'https://mfa.example.org/~user/p%2Fq'],
      ['https://mfa.example.org/a b', 'https://mfa.example.org/a%20b'],
    ];
    for (const [input, out] of cases) expect(dartUriString(input)).toBe(out);
  });

  it('parses the enrollment URI of push.md §2 as the app does', () => {
    const uri =
      'otpauth://pipush/PIPU0006EF85?url=https%3A//mfa.example.org/ttype/push&ttl=10&issuer=privacyIDEA&enrollment_credential=9311ee50678983c0f29d3d843f86e39405e2b427&v=1&serial=PIPU0006EF85&sslverify=1&poll_only=True';
    const p = parsePushUri(uri);
    expect(p).toMatchObject({
      scheme: 'otpauth',
      label: 'PIPU0006EF85',
      issuer: 'privacyIDEA',
      serial: 'PIPU0006EF85',
      url: V.URL,
      ttlMinutes: 10,
      enrollmentCredential: '9311ee50678983c0f29d3d843f86e39405e2b427',
      sslVerify: true,
      pollOnly: true,
      version: '1',
    });
    const odd = parsePushUri(
      'pia://PIPUSH/Corp%3Aalice%20smith?url=mfa.example.org%2Fttype%2Fpush&v=1&serial=S1&sslverify=yes&poll_only=maybe&ttl=x&pin=True&app_force_unlock=pin&projectid=p1',
    );
    expect(odd).toMatchObject({
      scheme: 'pia',
      issuer: 'Corp',
      label: 'alice smith',
      url: V.URL,
      ttlMinutes: 3,
      sslVerify: true,
      pollOnly: undefined,
      pin: true,
      appForceUnlock: 'pin',
    });
    expect(odd.params.projectid).toBe('p1');
    expect(() => parsePushUri('otpauth://hotp/x?secret=AA&serial=S&v=1&url=x')).toThrow(
      PushAppError,
    );
    expect(() => new PushApp().scan(uri.replace('v=1', 'v=2'), { key: phoneKey })).toThrow(
      /version 2/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The app's requests, captured by a stub server that answers with the vector server key.

interface Captured {
  method: string;
  path: string;
  query: URLSearchParams;
  form: [string, string][];
  rawBody: string;
  userAgent: string;
  contentType: string;
}

class Stub {
  server!: Server;
  url = '';
  seen: Captured[] = [];
  reply: (c: Captured) => [number, unknown] = () => [200, { result: { status: true } }];

  async start() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ttype/push`;
  }

  stop() {
    return new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    let rawBody = '';
    for await (const chunk of req) rawBody += String(chunk);
    const u = new URL(req.url ?? '/', 'http://x');
    const c: Captured = {
      method: req.method ?? '',
      path: u.pathname,
      query: u.searchParams,
      form: [...new URLSearchParams(rawBody)],
      rawBody,
      userAgent: req.headers['user-agent'] ?? '',
      contentType: req.headers['content-type'] ?? '',
    };
    this.seen.push(c);
    return this.reply(c);
  }

  last(): Captured {
    return this.seen[this.seen.length - 1];
  }
}

const envelope = (value: unknown, detail?: unknown) => ({
  jsonrpc: '2.0',
  id: 1,
  result: { status: true, value },
  ...(detail ? { detail } : {}),
});

describe('the simulated app on the wire (stub server, vector keys)', () => {
  const stub = new Stub();
  beforeAll(() => stub.start());
  afterAll(() => stub.stop());

  const enrollUri = () =>
    `otpauth://pipush/${V.SERIAL}?url=${encodeURIComponent(stub.url).replaceAll('%2F', '/')}&ttl=10&issuer=privacyIDEA&enrollment_credential=cred01&v=1&serial=${V.SERIAL}&sslverify=1&poll_only=True`;

  /** A challenge the way the server builds it, signed with the vector server key. */
  const challenge = (extra: Record<string, string> = {}, nonce = V.NONCE) => {
    const d: Record<string, string> = {
      nonce,
      question: V.QUESTION,
      serial: V.SERIAL,
      title: V.TITLE,
      sslverify: '1',
      url: stub.url,
      ...extra,
    };
    // push.md §4: nonce|url|serial|question|title|sslverify[|require_presence]
    const parts = [nonce, stub.url, V.SERIAL, d.question, V.TITLE, '1'];
    if (d.require_presence !== undefined) parts.push(d.require_presence);
    d.signature = signBase32(serverKey, parts.join('|'));
    return d;
  };

  async function enrolled(): Promise<PushApp> {
    const app = new PushApp({ newKey: () => phoneKey });
    stub.reply = () => [
      200,
      envelope(true, {
        serial: V.SERIAL,
        rollout_state: 'enrolled',
        public_key: V.STAGE2_PUBLIC_KEY,
      }),
    ];
    const r = await app.enroll(enrollUri());
    expect({ ok: r.ok, failure: r.failure }).toEqual({ ok: true, failure: undefined });
    return app;
  }

  it('enrollment stage 2: form fields in order, SPKI pubkey, PKCS#1 server key kept', async () => {
    const app = await enrolled();
    const c = stub.last();
    expect([c.method, c.path]).toEqual(['POST', '/ttype/push']);
    expect(c.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(c.userAgent).toMatch(/^privacyIDEA-App\//);
    expect(c.form).toEqual([
      ['enrollment_credential', 'cred01'],
      ['serial', V.SERIAL],
      ['fbtoken', 'no_firebase_token'],
      ['pubkey', V.PHONE_PUBKEY_FIELD],
      ['capabilities', '["decline_reason"]'],
    ]);
    // Dart's encodeQueryComponent: base64 `+` and `/` are escaped, never sent raw.
    expect(c.rawBody).not.toMatch(/[+/]/);
    expect(c.rawBody).toContain('%2B');
    const t: PushToken = app.token(V.SERIAL);
    expect(t).toMatchObject({ rolledOut: true, pollOnly: true, fbToken: undefined, url: stub.url });
    expect(t.publicServerKey).toBe(V.STAGE2_PUBLIC_KEY.replaceAll('\n', ''));
  });

  it('a failed rollout (error envelope or an SPKI key) leaves the token not rolled out', async () => {
    const app = new PushApp({ newKey: () => phoneKey });
    stub.reply = () => [400, { result: { status: false, error: { code: 905, message: 'x' } } }];
    const r1 = await app.enroll(enrollUri());
    expect({ ok: r1.ok, failure: r1.failure, rolledOut: r1.token.rolledOut }).toEqual({
      ok: false,
      failure: 'HTTP 400',
      rolledOut: false,
    });
    const spki = createPublicKey(serverKey).export({ type: 'spki', format: 'der' });
    stub.reply = () => [200, envelope(true, { public_key: spki.toString('base64') })];
    const r2 = await app.rollout(V.SERIAL);
    expect([r2.ok, r2.failure]).toEqual([false, 'public_key is not a PKCS#1 RSAPublicKey']);
  });

  it('poll: Dart timestamp signed with the phone key; verified challenges kept, bad ones dropped', async () => {
    const app = await enrolled();
    const good = challenge();
    const forged = { ...challenge({}, 'B'.repeat(32)), question: 'Changed question' };
    const presence = challenge({ require_presence: 'A,B,C', version: '2' }, 'C'.repeat(32));
    stub.reply = () => [200, envelope([good, forged, presence])];
    const r = await app.poll(V.SERIAL);
    const c = stub.last();
    expect(c.method).toBe('GET');
    expect([...c.query.keys()]).toEqual(['serial', 'timestamp', 'signature', 'capabilities']);
    const ts = c.query.get('timestamp')!;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\d{3})?Z$/);
    expect(Math.abs(Date.parse(ts) - Date.now())).toBeLessThan(5000);
    expect(serverVerifies(phonePublic, `${V.SERIAL}|${ts}`, c.query.get('signature')!)).toBe(true);
    expect(r.requests.map((x) => [x.nonce, x.type])).toEqual([
      [V.NONCE, 'default'],
      ['C'.repeat(32), 'choice'],
    ]);
    expect(r.rejected.map((x) => x.reason)).toEqual(['bad challenge signature']);
    expect(app.pending()[1].possibleAnswers).toEqual(['A', 'B', 'C']);
    // The same challenge polled again is not a second request.
    const again = await app.poll(V.SERIAL);
    expect(again.requests).toEqual([]);
  });

  it('poll: one malformed item discards the whole list, as in the app', async () => {
    const app = await enrolled();
    stub.reply = () => [200, envelope([challenge(), { ...challenge(), sslverify: 1 }])];
    const r = await app.poll(V.SERIAL);
    expect([r.failure, r.requests.length, app.pending().length]).toEqual([
      'sslverify is not a string',
      0,
      0,
    ]);
  });

  it('answers: exact vector signatures for accept, presence and decline', async () => {
    const app = await enrolled();
    stub.reply = () => [200, envelope([challenge()])];
    await app.poll(V.SERIAL);
    stub.reply = () => [200, envelope(true)];

    const a = await app.accept(V.NONCE);
    expect(stub.last().form).toEqual([
      ['serial', V.SERIAL],
      ['nonce', V.NONCE],
      ['signature', V.ACCEPT.signature],
    ]);
    expect([a.delivered, a.value, app.pending().length]).toEqual([true, true, 0]);

    const req = { ...app.receive(challenge()).request! };
    await app.answer(req, 'B');
    expect(stub.last().form).toEqual([
      ['serial', V.SERIAL],
      ['nonce', V.NONCE],
      ['presence_answer', 'B'],
      ['signature', V.ACCEPT_PRESENCE.signature],
    ]);

    await app.decline(app.receive(challenge()).request!);
    expect(stub.last().form).toEqual([
      ['serial', V.SERIAL],
      ['nonce', V.NONCE],
      ['decline', '1'],
      ['signature', V.DECLINE.signature],
    ]);
  });

  it('decline_reason only after a verified capabilities advertisement', async () => {
    const app = await enrolled();
    const caps = { capabilities: '{"decline_reason": true}' };
    stub.reply = () => [200, envelope(true)];

    const forged = app.receive({ ...challenge(caps), capabilities_signature: V.ACCEPT.signature });
    expect(forged.rejected?.reason).toBe('bad capabilities signature');

    const ok = app.receive({
      ...challenge(caps),
      capabilities_signature: V.CAPABILITIES.signature,
    });
    await app.decline(ok.request!, 'cancelled');
    const form = stub.last().form;
    expect(form.slice(0, 4)).toEqual([
      ['serial', V.SERIAL],
      ['nonce', V.NONCE],
      ['decline', '1'],
      ['decline_reason', 'cancelled'],
    ]);
    const sig = form[4][1];
    expect(serverVerifies(phonePublic, `${V.NONCE}|${V.SERIAL}|decline|cancelled`, sig)).toBe(true);

    // An old app never sends a reason (and no capabilities field).
    const old = new PushApp({ tokens: app.tokens, oldApp: true });
    await old.decline(
      old.receive({ ...challenge(caps), capabilities_signature: V.CAPABILITIES.signature })
        .request!,
    );
    expect(stub.last().form.map(([k]) => k)).toEqual(['serial', 'nonce', 'decline', 'signature']);
  });

  it('Firebase data message (§5.2 body) with the vector challenge signature', () => {
    const token: PushToken = {
      serial: V.SERIAL,
      label: V.SERIAL,
      issuer: 'privacyIDEA',
      url: V.URL,
      sslVerify: true,
      expiresAt: 0,
      privateKey: V.PHONE_PRIVATE_KEY,
      publicServerKey: V.STAGE2_PUBLIC_KEY.replaceAll('\n', ''),
      rolledOut: true,
    };
    const app = new PushApp({ tokens: [token] });
    const data = {
      nonce: V.NONCE,
      question: V.QUESTION,
      serial: V.SERIAL,
      title: V.TITLE,
      sslverify: '1',
      url: 'HTTPS://mfa.example.org:443/ttype/push', // the app verifies its parsed form
      signature: V.CHALLENGE.signature,
    };
    expect(app.receive({ message: { data, token: 'fcm' } }).request?.url).toBe(V.URL);
    const presence = { ...data, nonce: V.NONCE, require_presence: 'A,B,C' };
    const fresh = new PushApp({ tokens: [token] });
    expect(fresh.receive(presence).rejected?.reason).toBe('bad challenge signature');
    expect(
      fresh.receive({ ...presence, signature: V.CHALLENGE_PRESENCE.signature }).request,
    ).toBeDefined();
    expect(fresh.receive({ ...data, serial: 'PIPU9999' }).rejected?.reason).toBe(
      'no token PIPU9999',
    );
  });

  it('tampering: wrong key, other string, junk base32, timestamps, replay', async () => {
    const app = await enrolled();
    stub.reply = () => [200, envelope([])];
    const sigOf = () => stub.last().query.get('signature')!;
    const tsOf = () => stub.last().query.get('timestamp')!;

    await app.poll(V.SERIAL, { key: serverKey });
    expect(serverVerifies(phonePublic, `${V.SERIAL}|${tsOf()}`, sigOf())).toBe(false);
    await app.poll(V.SERIAL, { message: 'other' });
    expect(serverVerifies(phonePublic, 'other', sigOf())).toBe(true);
    await app.poll(V.SERIAL, { encoding: 'junk' });
    expect(base32Decode(sigOf())).toBeUndefined();
    await app.poll(V.SERIAL, { encoding: 'lower' });
    expect(sigOf()).toMatch(/^[a-z2-7]+=+$/);
    await app.poll(V.SERIAL, { encoding: 'unpadded' });
    expect(sigOf()).toMatch(/^[A-Z2-7]+$/);

    await app.poll(V.SERIAL, { skewMs: -120_000 });
    expect(Date.now() - Date.parse(tsOf())).toBeGreaterThan(115_000);
    await app.poll(V.SERIAL, { timestamp: 'yesterday' });
    expect(tsOf()).toBe('yesterday');
    expect(serverVerifies(phonePublic, `${V.SERIAL}|yesterday`, sigOf())).toBe(true);

    const fb = await app.updateFirebaseToken(V.SERIAL, V.NEW_FB_TOKEN, { timestamp: V.TIMESTAMP });
    expect(stub.last().form).toEqual([
      ['new_fb_token', V.NEW_FB_TOKEN],
      ['serial', V.SERIAL],
      ['timestamp', V.TIMESTAMP],
      ['signature', V.FB_TOKEN.signature],
      ['capabilities', '["decline_reason"]'],
    ]);
    const before = stub.seen.length;
    await app.replay(fb.sent);
    expect(stub.seen.length).toBe(before + 1);
    expect(stub.last().rawBody).toBe(stub.seen[before - 1].rawBody);
  });
});
