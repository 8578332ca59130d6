import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, CryptoKey, exportJWK, exportSPKI, generateKeyPair, JWK, SignJWT } from 'jose';
import type { Response } from 'supertest';
import { bodyText, expectClean, expectError, expectOk } from '../helpers/envelope-assert';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

/** README "Authorization" and "Service-specific conventions / Management authentication". */

const MISSING = 'Authentication failure. Missing Authorization header.';
const DECODING = /^Authentication failure\. Error decoding the Authorization token: \S/;
const EXPIRED = /^Authentication failure\. Your token has expired/;
const SECRET = new TextEncoder().encode(TEST_JWT_SECRET);
const now = () => Math.floor(Date.now() / 1000);

type Claims = Record<string, unknown>;

/** An HS256 JWT with the test secret; pass exp: null to leave exp out. */
function hs(claims: Claims, opts: { alg?: string; key?: Uint8Array; exp?: number | null } = {}) {
  const jwt = new SignJWT({ role: 'admin', username: 'admin', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 600);
  return jwt.sign(opts.key ?? SECRET);
}

function unsigned(claims: Claims): string {
  const enc = (o: unknown) => base64url.encode(JSON.stringify(o));
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ role: 'admin', username: 'admin', exp: now() + 600, ...claims })}.`;
}

/** A failed credential check: 401, the code, the message, and never the token or a secret echoed. */
function expectAuthFailure(res: Response, code: number, message: string | RegExp, token?: string) {
  expectError(res, 401, code, message);
  const text = bodyText(res);
  expect(text).not.toContain(TEST_JWT_SECRET);
  if (token) {
    expect(text).not.toContain(token);
    for (const part of token.split('.')) if (part.length > 8) expect(text).not.toContain(part);
  }
}

describe('management authentication (HS256 secret)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const list = (headers: Record<string, string> = {}) => {
    const req = t.http().get('/token/');
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req;
  };

  it('no header, an empty header or a bare "Bearer" → 4033', async () => {
    expectAuthFailure(await list(), 4033, MISSING);
    expectAuthFailure(await list({ Authorization: '' }), 4033, MISSING);
    expectAuthFailure(await list({ Authorization: 'Bearer' }), 4033, MISSING);
    expectAuthFailure(await list({ Authorization: 'bearer   ' }), 4033, MISSING);
    expectAuthFailure(await list({ 'PI-Authorization': 'Bearer' }), 4033, MISSING);
  });

  it('accepts a bare JWT, "Bearer <jwt>" (scheme case-insensitive) and PI-Authorization', async () => {
    for (const value of [t.admin, `Bearer ${t.admin}`, `bearer ${t.admin}`, `BEARER ${t.admin}`]) {
      expectOk(await list({ Authorization: value }));
      expectOk(await list({ 'PI-Authorization': value }));
    }
  });

  it('PI-Authorization is checked first', async () => {
    expectOk(await list({ 'PI-Authorization': t.admin, Authorization: 'Basic YWRtaW46YWRtaW4=' }));
    expectOk(await list({ 'PI-Authorization': `Bearer ${t.admin}`, Authorization: 'garbage' }));
    const res = await list({ 'PI-Authorization': 'garbage', Authorization: `Bearer ${t.admin}` });
    expectAuthFailure(res, 4304, DECODING, t.admin);
  });

  it('other schemes and non-JWTs → 4304', async () => {
    for (const value of [
      'Basic YWRtaW46c2VjcmV0',
      'Digest username="admin"',
      'garbage',
      'Bearer garbage',
      'aaaa.bbbb',
      'Bearer aaaa.bbbb',
      'a.b.c',
      '!!!.@@@.###',
      `${t.admin}.extra`,
      `Bearer ${t.admin} ${t.admin}`,
    ]) {
      expectAuthFailure(await list({ Authorization: value }), 4304, DECODING, t.admin);
    }
  });

  it('a wrong signature or a tampered payload → 4304', async () => {
    const other = await hs(
      {},
      { key: new TextEncoder().encode('another-secret-0123456789abcdef0123456789') },
    );
    expectAuthFailure(await list({ Authorization: `Bearer ${other}` }), 4304, DECODING, other);
    const user = await t.tokenFor('user', 'mallory');
    const [header, , sig] = user.split('.');
    const forged = `${header}.${base64url.encode(
      JSON.stringify({ role: 'admin', username: 'mallory', exp: now() + 600 }),
    )}.${sig}`;
    expectAuthFailure(await list({ Authorization: forged }), 4304, DECODING, forged);
  });

  it('alg none and HS512 → 4304', async () => {
    const none = unsigned({});
    expectAuthFailure(await list({ Authorization: none }), 4304, DECODING, none);
    expectAuthFailure(await list({ Authorization: `Bearer ${none}` }), 4304, DECODING, none);
    const hs512 = await hs({}, { alg: 'HS512' });
    expectAuthFailure(await list({ Authorization: hs512 }), 4304, DECODING, hs512);
    const hs384 = await hs({}, { alg: 'HS384' });
    expectAuthFailure(await list({ Authorization: hs384 }), 4304, DECODING, hs384);
  });

  it('RS256/ES256 without a configured JWKS → 4304', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ role: 'admin', username: 'admin' })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('10m')
      .sign(privateKey);
    expectAuthFailure(await list({ Authorization: rs }), 4304, DECODING, rs);
  });

  it('missing exp → 4304; exp in the past → 4305', async () => {
    const noExp = await hs({}, { exp: null });
    expectAuthFailure(await list({ Authorization: noExp }), 4304, DECODING, noExp);
    const expired = await hs({}, { exp: now() - 3600 });
    expectAuthFailure(await list({ Authorization: expired }), 4305, EXPIRED, expired);
    // Beyond the largest allowed clock skew (60 s).
    const recently = await hs({}, { exp: now() - 120 });
    expectAuthFailure(await list({ Authorization: `Bearer ${recently}` }), 4305, EXPIRED, recently);
  });

  it('nbf in the future → 4304; nbf in the past is fine', async () => {
    const future = await hs({ nbf: now() + 3600 });
    expectAuthFailure(await list({ Authorization: future }), 4304, DECODING, future);
    const soon = await hs({ nbf: now() + 120 });
    expectAuthFailure(await list({ Authorization: soon }), 4304, DECODING, soon);
    expectOk(await list({ Authorization: await hs({ nbf: now() - 10 }) }));
  });

  it('unknown or missing role, missing or empty username → 4304', async () => {
    for (const claims of [
      { role: 'superadmin' },
      { role: 'Admin' },
      { role: undefined },
      { role: ['admin'] },
      { username: undefined },
      { username: '' },
      { username: 42 },
    ]) {
      const jwt = await hs(claims);
      expectAuthFailure(await list({ Authorization: jwt }), 4304, DECODING, jwt);
    }
    expectOk(await list({ Authorization: await t.tokenFor('user', 'someone') }));
  });

  it('validation endpoints and /ttype need no credential and ignore a bad one', async () => {
    for (const headers of [
      {},
      { Authorization: 'garbage' },
      { Authorization: `Bearer ${await hs({ exp: 1 })}` },
    ]) {
      const check = await t
        .http()
        .post('/validate/check')
        .set(headers)
        .type('form')
        .send({ user: 'nobody', pass: '1' });
      expectClean(check);
      expect(check.status).toBe(200);
      expect(check.body.result).toMatchObject({
        status: true,
        value: false,
        authentication: 'REJECT',
      });
      expect(check.body.detail.message).toBe('The user has no tokens assigned');

      const poll = await t
        .http()
        .get('/validate/polltransaction')
        .set(headers)
        .query({ transaction_id: '12345678901234567890' });
      expect(poll.status).toBe(200);
      expect(poll.body.result).toMatchObject({ status: true, value: false });
      expect(poll.body.detail.challenge_status).toBe('pending');

      const ttype = await t.http().get('/ttype/hotp').set(headers);
      expectError(ttype, 400, 905, 'ERR905: hotp does not support the API endpoint');
    }
  });

  it('/validate/triggerchallenge needs an admin credential', async () => {
    expectAuthFailure(
      await t.http().post('/validate/triggerchallenge').type('form').send({ user: 'x' }),
      4033,
      MISSING,
    );
    const ok = await t
      .http()
      .post('/validate/triggerchallenge')
      .set('Authorization', t.admin)
      .type('form')
      .send({ user: 'x' });
    expect(ok.status).toBe(200);
    expect(ok.body.result).toMatchObject({ status: true, value: 0, authentication: 'REJECT' });
  });

  it('an unknown path under /token/ answers 404 with and without credentials', async () => {
    const notFound = 'The requested resource could not be found.';
    for (const headers of [
      {},
      { Authorization: `Bearer ${t.admin}` },
      { 'PI-Authorization': t.admin },
    ]) {
      expectError(await t.http().get('/token/nope/deeper/x').set(headers), 404, 601, notFound);
      expectError(await t.http().post('/token/foo/bar/baz').set(headers), 404, 601, notFound);
      expectError(await t.http().get('/nope').set(headers), 404, 601, notFound);
      expectError(
        await t.http().post('/auth').set(headers).send({ username: 'a', password: 'b' }),
        404,
        601,
        notFound,
      );
    }
  });
});

describe('issuer and audience', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_JWT_ISSUER: 'https://sso.example', AUTH_JWT_AUDIENCE: 'mfa' });
  });
  afterAll(() => t.close());

  const list = (jwt: string) => t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);

  it('iss and aud must match when configured', async () => {
    const good = { iss: 'https://sso.example', aud: 'mfa' };
    expectOk(await list(await hs(good)));
    expectOk(await list(await t.tokenFor('user', 'u1', undefined, good)));
    for (const claims of [
      {},
      { iss: 'https://sso.example' },
      { aud: 'mfa' },
      { iss: 'https://evil.example', aud: 'mfa' },
      { iss: 'https://sso.example', aud: 'other' },
      { iss: 'https://sso.example/', aud: 'mfa' },
    ]) {
      const jwt = await hs(claims);
      expectAuthFailure(await list(jwt), 4304, DECODING, jwt);
    }
  });
});

interface JwksServer {
  url: string;
  server: Server;
  requests: () => number;
}

async function serveJwks(keys: JWK[]): Promise<JwksServer> {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    server,
    requests: () => requests,
  };
}

const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

function asym(
  privateKey: CryptoKey,
  alg: 'RS256' | 'ES256',
  kid: string | undefined,
  claims: Claims = {},
) {
  return new SignJWT({ role: 'admin', username: 'sso-admin', ...claims })
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setIssuedAt()
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 600)
    .sign(privateKey);
}

describe('RS256 / ES256 through a JWKS', () => {
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let ec: { publicKey: CryptoKey; privateKey: CryptoKey };
  let rogueRsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let rogueEc: { publicKey: CryptoKey; privateKey: CryptoKey };
  let jwks: JwksServer;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    rogueRsa = await generateKeyPair('RS256', { extractable: true });
    rogueEc = await generateKeyPair('ES256', { extractable: true });
    jwks = await serveJwks([
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ]);
  });
  afterAll(() => closeServer(jwks.server));

  describe('with AUTH_JWKS_URL and AUTH_JWT_SECRET', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_ALLOW_ANY_AUDIENCE: 'true' });
    });
    afterAll(() => t.close());

    const list = (jwt: string) => t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);

    it('accepts RS256 and ES256 tokens whose kid is in the set, and without kid', async () => {
      expectOk(await list(await asym(rsa.privateKey, 'RS256', 'rsa-1')));
      expectOk(await list(await asym(ec.privateKey, 'ES256', 'ec-1')));
      expectOk(await list(await asym(rsa.privateKey, 'RS256', undefined)));
      expectOk(await list(await asym(ec.privateKey, 'ES256', undefined)));
      expectOk(
        await list(await asym(ec.privateKey, 'ES256', 'ec-1', { role: 'user', username: 'u' })),
      );
      expect(jwks.requests()).toBeGreaterThan(0);
    });

    it('refuses tokens signed by another key, with a known or an unknown kid', async () => {
      for (const jwt of [
        await asym(rogueRsa.privateKey, 'RS256', 'rsa-1'),
        await asym(rogueRsa.privateKey, 'RS256', 'rsa-unknown'),
        await asym(rogueEc.privateKey, 'ES256', 'ec-1'),
        await asym(rogueEc.privateKey, 'ES256', undefined),
      ]) {
        expectAuthFailure(await list(jwt), 4304, DECODING, jwt);
      }
    });

    it('claim rules apply to JWKS tokens too', async () => {
      const expired = await asym(rsa.privateKey, 'RS256', 'rsa-1', { exp: now() - 3600 });
      expectAuthFailure(await list(expired), 4305, EXPIRED, expired);
      const noRole = await asym(ec.privateKey, 'ES256', 'ec-1', { role: 'root' });
      expectAuthFailure(await list(noRole), 4304, DECODING, noRole);
    });

    it('HS256 with the shared secret still works because AUTH_JWT_SECRET is set', async () => {
      expectOk(await list(t.admin));
    });

    it('an HS256 token keyed with the RSA public key (algorithm confusion) → 4304', async () => {
      const pem = await exportSPKI(rsa.publicKey);
      for (const key of [pem, JSON.stringify(await exportJWK(rsa.publicKey))]) {
        const jwt = await hs({}, { key: new TextEncoder().encode(key) });
        expectAuthFailure(await list(jwt), 4304, DECODING, jwt);
      }
    });
  });

  describe('with AUTH_JWKS_URL only', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        AUTH_JWKS_URL: jwks.url,
        AUTH_JWT_SECRET: '',
        AUTH_JWT_ALLOW_ANY_AUDIENCE: 'true',
      });
    });
    afterAll(() => t.close());

    const list = (jwt: string) => t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);

    it('refuses HS256 (no secret configured) but accepts RS256', async () => {
      const jwt = await hs({});
      expectAuthFailure(await list(jwt), 4304, DECODING, jwt);
      expectOk(await list(await asym(rsa.privateKey, 'RS256', 'rsa-1')));
    });
  });
});

describe('JWKS audience and maximum token age', () => {
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let jwks: JwksServer;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    jwks = await serveJwks([{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256' }]);
  });
  afterAll(() => closeServer(jwks.server));

  /** A gateway token; iat: null leaves iat out. */
  function gateway(claims: Claims, iat: number | null = now()) {
    const jwt = new SignJWT({ role: 'admin', username: 'sso-admin', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setExpirationTime(now() + 3600);
    if (iat !== null) jwt.setIssuedAt(iat);
    return jwt.sign(rsa.privateKey);
  }

  it('refuses to start with AUTH_JWKS_URL but neither an audience nor the explicit opt-out', async () => {
    const envs: Record<string, string>[] = [
      {},
      { AUTH_JWT_SECRET: '' },
      { AUTH_JWT_ALLOW_ANY_AUDIENCE: 'false' },
    ];
    for (const env of envs) {
      const starting = startTestApp({ AUTH_JWKS_URL: jwks.url, ...env }, [], {
        freshDatabase: false,
      });
      await expect(starting).rejects.toThrow(/AUTH_JWT_AUDIENCE must be set with AUTH_JWKS_URL/);
    }
  });

  describe('with AUTH_JWT_AUDIENCE', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_AUDIENCE: 'mfa' });
    });
    afterAll(() => t.close());

    const list = (jwt: string) => t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);

    it('accepts only gateway tokens for this audience', async () => {
      expectOk(await list(await gateway({ aud: 'mfa' })));
      expectOk(await list(await gateway({ aud: ['wiki', 'mfa'] })));
      for (const claims of [{}, { aud: 'wiki' }, { aud: ['wiki', 'mail'] }, { aud: 'MFA' }]) {
        const jwt = await gateway(claims);
        expectAuthFailure(await list(jwt), 4304, DECODING, jwt);
      }
    });
  });

  describe('with AUTH_JWT_MAX_AGE', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        AUTH_JWKS_URL: jwks.url,
        AUTH_JWT_AUDIENCE: 'mfa',
        AUTH_JWT_MAX_AGE: '300',
      });
    });
    afterAll(() => t.close());

    const list = (jwt: string) => t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);

    it('accepts a recent token and refuses an old one although its exp is still ahead', async () => {
      expectOk(await list(await gateway({ aud: 'mfa' }, now() - 200)));
      const old = await gateway({ aud: 'mfa' }, now() - 1000);
      expectAuthFailure(await list(old), 4305, EXPIRED, old);
      const oldHs = await new SignJWT({ role: 'admin', username: 'admin', aud: 'mfa' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(now() - 1000)
        .setExpirationTime(now() + 3600)
        .sign(SECRET);
      expectAuthFailure(await list(oldHs), 4305, EXPIRED, oldHs);
    });

    it('refuses a token without iat, and one issued in the future', async () => {
      const noIat = await gateway({ aud: 'mfa' }, null);
      expectAuthFailure(await list(noIat), 4304, DECODING, noIat);
      const future = await gateway({ aud: 'mfa' }, now() + 3600);
      expectAuthFailure(await list(future), 4304, DECODING, future);
    });
  });
});
