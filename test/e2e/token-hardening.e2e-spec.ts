import { DataSource } from 'typeorm';
import { TokenInfo } from '../../src/token-data/entities/token-info.entity';
import { Token } from '../../src/token-data/entities/token.entity';
import { expectClean, expectError, expectOk, listTokens } from '../helpers/envelope-assert';
import { otpAt, RFC_KEY, RFC_OTPS, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const OTHER_KEY = 'ab'.repeat(20);

/**
 * Issue 7 points 4, 5 (data caps), 8, 10, 12 and numeric ranges on /token/*: token takeover by
 * serial, per-user and per-token caps, validity dates, outer whitespace (MariaDB PAD SPACE),
 * window caps. Run on SQLite and (DB_TYPE=mysql) MariaDB.
 */
describe('token API hardening (issue 7)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      MAX_TOKENS_PER_USER: '3',
      MAX_TOKENINFO_PER_TOKEN: '12',
      TOKENINFO_KEY_MAX_LENGTH: '32',
      TOKENINFO_VALUE_MAX_LENGTH: '100',
    });
  });
  afterAll(() => t.close());

  const post = (path: string, body: Record<string, unknown> = {}, jwt = t.admin) =>
    t.http().post(path).set('Authorization', `Bearer ${jwt}`).type('form').send(body);
  const del = (path: string, jwt = t.admin) =>
    t.http().delete(path).set('Authorization', `Bearer ${jwt}`);
  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);
  async function accepted(params: Record<string, string>): Promise<boolean> {
    const res = await check(params);
    expectClean(res);
    expect(res.status).toBe(200);
    return res.body.result.value as boolean;
  }
  async function initOk(fields: Record<string, unknown>, jwt = t.admin): Promise<string> {
    const res = await post('/token/init', fields, jwt);
    expectOk(res, true);
    return res.body.detail.serial as string;
  }
  /** Stored tokeninfo rows (the listing adds count_auth and count_auth_success). */
  const storedInfo = async (serial: string) => {
    const db = t.app.get(DataSource);
    const { id } = await db.getRepository(Token).findOneByOrFail({ serial });
    return db.getRepository(TokenInfo).countBy({ tokenId: id });
  };
  const ownedBy = async (login: string) => (await listTokens(t, { user: login })).count;

  describe('no token takeover by serial (7.4)', () => {
    let mallory: string;
    beforeAll(async () => {
      mallory = await t.tokenFor('user', 'mallory');
      await initOk({ serial: 'FREE-1', otpkey: RFC_KEY });
      await initOk({ serial: 'FREE-2', otpkey: RFC_KEY });
      await initOk({ serial: 'MINE-1', otpkey: RFC_KEY, user: 'mallory', pin: 'mp' });
    });

    it('a user cannot re-key or claim an unassigned token with /token/init', async () => {
      const notFound = 'The requested token could not be found.';
      for (const fields of [
        { serial: 'FREE-1', otpkey: OTHER_KEY },
        { serial: 'FREE-1', genkey: '1' },
        { serial: 'FREE-1', otpkey: OTHER_KEY, pin: 'x', user: 'mallory' },
      ]) {
        expectError(await post('/token/init', fields, mallory), 404, 601, notFound);
      }
      expect(await tokenInfo(t, 'FREE-1')).toMatchObject({ username: '', count: 0 });
      // Still the old key: the RFC OTP works, the attacker's does not.
      expect(await accepted({ serial: 'FREE-1', pass: RFC_OTPS[0] })).toBe(true);
      expect(await accepted({ serial: 'FREE-1', pass: otpAt(OTHER_KEY, 1) })).toBe(false);
    });

    it('a user cannot claim an unassigned token with /token/assign, nor set its PIN', async () => {
      const unowned = await post(
        '/token/assign',
        { serial: 'FREE-2', user: 'mallory', pin: 'x' },
        mallory,
      );
      const unknown = await post(
        '/token/assign',
        { serial: 'NOPE-9', user: 'mallory', pin: 'x' },
        mallory,
      );
      expectError(unowned, 404, 601);
      // Indistinguishable from a serial that does not exist.
      expect(unowned.body.result.error).toEqual(unknown.body.result.error);
      expect(await tokenInfo(t, 'FREE-2')).toMatchObject({ username: '' });
      expect(await accepted({ serial: 'FREE-2', pass: RFC_OTPS[0] })).toBe(true);
      expect(await accepted({ serial: 'FREE-2', pass: `x${RFC_OTPS[1]}` })).toBe(false);

      // Its own token is already assigned; the PIN stays.
      expectError(
        await post('/token/assign', { serial: 'MINE-1', user: 'mallory', pin: 'new' }, mallory),
        400,
        1103,
      );
      expect(await accepted({ user: 'mallory', pass: `mp${RFC_OTPS[0]}` })).toBe(true);
    });

    it('a user may still init a new serial and re-init its own token', async () => {
      await initOk({ serial: 'MAL-NEW', otpkey: OTHER_KEY }, mallory);
      expect(await tokenInfo(t, 'MAL-NEW')).toMatchObject({ username: 'mallory' });
      await initOk({ serial: 'MINE-1', otpkey: RFC_KEY }, mallory);
      expect(await tokenInfo(t, 'MINE-1')).toMatchObject({ username: 'mallory', count: 0 });
    });

    it('admins can still claim unassigned tokens by init and by assign (with a PIN)', async () => {
      await initOk({ serial: 'FREE-1', otpkey: RFC_KEY, user: 'alice', pin: 'ap' });
      expect(await tokenInfo(t, 'FREE-1')).toMatchObject({ username: 'alice' });
      expectOk(await post('/token/assign', { serial: 'FREE-2', user: 'bob', pin: 'bp' }), true);
      expect(await accepted({ user: 'bob', pass: `bp${RFC_OTPS[2]}` })).toBe(true);
    });
  });

  describe('MAX_TOKENS_PER_USER (7.5)', () => {
    it('init and assign refuse a token beyond the cap with a PolicyError', async () => {
      for (let i = 0; i < 3; i++) await initOk({ otpkey: RFC_KEY, user: 'capped' });
      const over = await post('/token/init', { otpkey: RFC_KEY, user: 'capped' });
      expectError(over, 403, 303, 'A user may have at most 3 tokens.');
      const free = await initOk({ otpkey: RFC_KEY });
      expectError(await post('/token/assign', { serial: free, user: 'capped' }), 403, 303);
      expectError(
        await post('/token/init', { serial: free, otpkey: RFC_KEY, user: 'capped' }),
        403,
        303,
      );
      expect(await tokenInfo(t, free)).toMatchObject({ username: '' });
      expect(await ownedBy('capped')).toBe(3);
      // Re-initialising a token the user already has is not one more.
      const [first] = (await listTokens(t, { user: 'capped' })).tokens;
      await initOk({ serial: first.serial, otpkey: RFC_KEY, user: 'capped' });
    });

    it('applies to users enrolling for themselves', async () => {
      const carol = await t.tokenFor('user', 'carol');
      for (let i = 0; i < 3; i++) await initOk({ otpkey: RFC_KEY }, carol);
      expectError(await post('/token/init', { otpkey: RFC_KEY }, carol), 403, 303);
      expect(await ownedBy('carol')).toBe(3);
    });

    it('concurrent enrollments at cap-1 never push a user over the cap', async () => {
      const racer = await t.tokenFor('user', 'racer');
      for (let i = 0; i < 2; i++) await initOk({ otpkey: RFC_KEY }, racer);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => post('/token/init', { otpkey: RFC_KEY }, racer)),
      );
      for (const r of results) {
        expectClean(r);
        if (r.status !== 200) expect(r.body.result.error.code).toBe(303);
      }
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      expect(await ownedBy('racer')).toBeLessThanOrEqual(3);
    });

    it('a burst of enrollments for a new user leaves at most the cap, each one answered', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => post('/token/init', { otpkey: RFC_KEY, user: 'burst' })),
      );
      for (const r of results) {
        expectClean(r);
        if (r.status !== 200) expect(r.body.result.error.code).toBe(303);
      }
      const owned = await ownedBy('burst');
      expect(owned).toBeLessThanOrEqual(3);
      expect(results.filter((r) => r.status === 200)).toHaveLength(owned);
    });
  });

  describe('tokeninfo caps (7.5)', () => {
    let S: string;
    beforeAll(async () => {
      S = await initOk({ serial: 'INFO-1', otpkey: RFC_KEY });
    });

    it('init: over-long keys and values of <type>.* parameters are a 400, never a 500', async () => {
      for (const fields of [
        { ['hotp.' + 'k'.repeat(300)]: 'v' },
        { ['hotp.' + 'k'.repeat(28)]: 'v' },
        { 'hotp.note': 'v'.repeat(101) },
        { 'hotp.note': 'é'.repeat(40000) },
      ]) {
        expectError(await post('/token/init', { otpkey: RFC_KEY, ...fields }), 400, 905);
      }
      const ok = await initOk({ otpkey: RFC_KEY, 'hotp.note': 'v'.repeat(100) });
      expect((await tokenInfo(t, ok)).info['hotp.note']).toBe('v'.repeat(100));
    });

    it('init: more <type>.* keys than the cap is a PolicyError', async () => {
      const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`hotp.k${i}`, 'v']));
      expectError(await post('/token/init', { otpkey: RFC_KEY, ...many }), 403, 303);
    });

    it('/token/info: key and value length, key whitespace, count', async () => {
      expectError(await post(`/token/info/${S}/${'k'.repeat(33)}`, { value: 'v' }), 400, 905);
      expectError(await post(`/token/info/${S}/note`, { value: 'x'.repeat(101) }), 400, 905);
      expectError(await post(`/token/info/${S}/note`, { value: 'é'.repeat(40000) }), 400, 905);
      const before = await storedInfo(S);
      for (let i = before; i < 12; i++) {
        expectOk(await post(`/token/info/${S}/k${i}`, { value: 'v' }), true);
      }
      expectError(await post(`/token/info/${S}/one-more`, { value: 'v' }), 403, 303);
      // Overwriting an existing key at the cap is fine; /token/set cannot add one either.
      expectOk(await post(`/token/info/${S}/k${before}`, { value: 'w' }), true);
      expectError(await post('/token/set', { serial: S, count_auth_max: '5' }), 403, 303);
      expect(await storedInfo(S)).toBe(12);
    });

    it('/token/info: a key with outer whitespace never addresses another key', async () => {
      expectError(await del(`/token/info/${S}/hashlib%20`), 400, 905);
      expectError(await post(`/token/info/${S}/session%20`, { value: 'x' }), 400, 905);
      expectError(await post(`/token/info/${S}/%20hashlib`, { value: 'sha512' }), 400, 905);
      expect((await tokenInfo(t, S)).info.hashlib).toBe('sha1');
    });
  });

  describe('validity dates (7.8)', () => {
    let S: string;
    beforeAll(async () => {
      S = await initOk({ serial: 'VAL-1', otpkey: RFC_KEY });
    });

    it('/token/info refuses unparsable validity dates (they used to mean "valid forever")', async () => {
      for (const key of ['validity_period_start', 'validity_period_end']) {
        for (const value of ['garbage', '2030-13-01', '31/13/30 10:00']) {
          const res = await post(`/token/info/${S}/${key}`, { value });
          expectError(res, 400, 301, /^ERR301: Could not parse validity period (start|end) date!$/);
        }
      }
      expect((await tokenInfo(t, S)).info).not.toHaveProperty('validity_period_end');
    });

    it('/token/info stores parsed dates in DATE_FORMAT; an empty value removes them', async () => {
      expectOk(
        await post(`/token/info/${S}/validity_period_end`, { value: '2020-01-01T00:00Z' }),
        true,
      );
      expect((await tokenInfo(t, S)).info.validity_period_end).toMatch(
        /^20(19-12-31|20-01-01)T\d{2}:\d{2}[+-]\d{4}$/,
      );
      expect(await accepted({ serial: S, pass: RFC_OTPS[0] })).toBe(false);
      expectOk(await post(`/token/info/${S}/validity_period_end`, { value: '' }), true);
      expect((await tokenInfo(t, S)).info).not.toHaveProperty('validity_period_end');
      expect(await accepted({ serial: S, pass: RFC_OTPS[0] })).toBe(true);
    });

    it('/token/set and /token/init refuse unparsable dates too', async () => {
      expectError(await post('/token/set', { serial: S, validity_period_start: 'soon' }), 400, 301);
      expectError(
        await post('/token/init', { otpkey: RFC_KEY, validity_period_end: 'never' }),
        400,
        301,
      );
    });

    it('an unparsable stored date makes the token unusable', async () => {
      const db = t.app.get(DataSource);
      const id = (await db.getRepository(Token).findOneByOrFail({ serial: S })).id;
      await db.getRepository(TokenInfo).insert({
        tokenId: id,
        key: 'validity_period_end',
        value: 'not a date',
        type: '',
      });
      expect(await accepted({ serial: S, pass: RFC_OTPS[1] })).toBe(false);
      await db.getRepository(TokenInfo).delete({ tokenId: id, key: 'validity_period_end' });
      expect(await accepted({ serial: S, pass: RFC_OTPS[1] })).toBe(true);
    });
  });

  describe('outer whitespace in logins, realms and serials (7.10)', () => {
    beforeAll(async () => {
      await initOk({ serial: 'ROSE-1', otpkey: RFC_KEY, user: 'rose', pin: 'rp' });
    });

    it('a JWT username or realm with outer whitespace is refused at the guard', async () => {
      for (const [username, realm] of [
        ['rose ', undefined],
        [' rose', undefined],
        ['rose\u00a0', undefined],
        ['rose', 'default '],
      ] as [string, string | undefined][]) {
        const jwt = await t.tokenFor('user', username, realm);
        const res = await t.http().get('/token/').set('Authorization', `Bearer ${jwt}`);
        expectError(res, 401, 4304);
        expectError(await post('/token/disable', { serial: 'ROSE-1' }, jwt), 401, 4304);
      }
      expect(await tokenInfo(t, 'ROSE-1')).toMatchObject({ active: true, username: 'rose' });
    });

    it('user, realm and serial parameters on /token/* with outer whitespace → 400', async () => {
      for (const query of [
        { user: 'rose ' },
        { user: 'rose', realm: 'default ' },
        { realm: 'default ' },
        { tokenrealm: 'default ' },
        { userid: 'rose ' },
      ]) {
        const res = await t.http().get('/token/').query(query).set('Authorization', t.admin);
        expectError(res, 400, 905);
      }
      expectError(await post('/token/disable', { serial: 'ROSE-1 ' }), 400, 905);
      expectError(await post('/token/disable', { user: 'rose ' }), 400, 905);
      expectError(await post('/token/setpin', { serial: 'ROSE-1 ', otppin: 'hijack' }), 400, 905);
      expectError(await post('/token/init', { otpkey: RFC_KEY, user: 'rose ' }), 400, 905);
      expectError(await del('/token/ROSE-1%20'), 400, 905);
      expect(await tokenInfo(t, 'ROSE-1')).toMatchObject({ active: true, username: 'rose' });
      expect(await accepted({ user: 'rose', pass: `rp${RFC_OTPS[0]}` })).toBe(true);
    });

    it('/validate/check: such users are invalid (904) and such serials unknown (404)', async () => {
      for (const user of ['rose ', ' rose', 'rose @default']) {
        expectError(await check({ user, pass: `rp${RFC_OTPS[1]}` }), 400, 904);
      }
      expectError(await check({ serial: 'ROSE-1 ', pass: `rp${RFC_OTPS[1]}` }), 404, 601);
      expect(await accepted({ user: 'rose', pass: `rp${RFC_OTPS[1]}` })).toBe(true);
    });
  });

  describe('window caps, admin only (7.12)', () => {
    let user: string;
    beforeAll(async () => {
      user = await t.tokenFor('user', 'winuser');
    });

    it('a user setting count_window, sync_window or timeWindow at init gets a PolicyError', async () => {
      for (const fields of [
        { type: 'hotp', count_window: '5' },
        { type: 'hotp', sync_window: '5' },
        { type: 'totp', timeWindow: '86400' },
        { type: 'totp', timeWindow: '30' },
      ]) {
        expectError(await post('/token/init', { otpkey: RFC_KEY, ...fields }, user), 403, 303);
      }
      expect(await ownedBy('winuser')).toBe(0);
    });

    it('init (admin): windows within the caps are applied, beyond them refused', async () => {
      for (const fields of [
        { type: 'totp', timeWindow: '601' },
        { type: 'totp', timeWindow: '86400' },
        { type: 'hotp', count_window: '1001' },
        { type: 'hotp', sync_window: '10001' },
      ]) {
        expectError(await post('/token/init', { otpkey: RFC_KEY, ...fields }), 400, 905);
      }
      const totp = await initOk({ type: 'totp', otpkey: RFC_KEY, timeWindow: '600' });
      expect((await tokenInfo(t, totp)).info.timeWindow).toBe('600');
      const hotp = await initOk({ otpkey: RFC_KEY, count_window: '1000', sync_window: '10000' });
      expect(await tokenInfo(t, hotp)).toMatchObject({ count_window: 1000, sync_window: 10000 });
    });

    it('/token/set and /token/info refuse windows beyond the caps', async () => {
      const S = await initOk({ type: 'totp', otpkey: RFC_KEY });
      expectError(await post('/token/set', { serial: S, count_window: '1001' }), 400, 905);
      expectError(await post('/token/set', { serial: S, sync_window: '10001' }), 400, 905);
      expectOk(
        await post('/token/set', { serial: S, count_window: '1000', sync_window: '10000' }),
        2,
      );
      expectError(await post(`/token/info/${S}/timeWindow`, { value: '86400' }), 400, 905);
      expectError(await post(`/token/info/${S}/timeStep`, { value: '1' }), 400, 905);
      expectError(await post(`/token/info/${S}/timeShift`, { value: '1e9' }), 400, 905);
      expectOk(await post(`/token/info/${S}/timeWindow`, { value: '120' }), true);
      expect((await tokenInfo(t, S)).info).toMatchObject({ timeWindow: '120', timeStep: '30' });
    });

    it('a stored window beyond the cap (older rows) is clamped at check time', async () => {
      const S = await initOk({ otpkey: RFC_KEY });
      await t.app
        .get(DataSource)
        .getRepository(Token)
        .update({ serial: S }, { countWindow: 999_999 });
      expect(await accepted({ serial: S, pass: otpAt(RFC_KEY, 2000) })).toBe(false);
      expect(await accepted({ serial: S, pass: otpAt(RFC_KEY, 500) })).toBe(true);
    });
  });

  describe('numeric parameters stay within INT columns', () => {
    it('/token/set, /token/info and /token/init answer 4xx for out-of-range numbers', async () => {
      const S = await initOk({ otpkey: RFC_KEY });
      for (const fields of [
        { max_failcount: '2147483648' },
        { count_window: '99999999999' },
        { count_auth_max: '2147483648' },
        { count_auth_success_max: '-1' },
        { sync_window: 'x' },
      ]) {
        expectError(await post('/token/set', { serial: S, ...fields }), 400, 905);
      }
      for (const value of ['2147483648', 'abc', '-1']) {
        expectError(await post(`/token/info/${S}/count_auth_max`, { value }), 400, 905);
      }
      for (const fields of [
        { otplen: '2147483648' },
        { keysize: '99999999' },
        { count_window: '2147483648' },
      ]) {
        expectError(await post('/token/init', { otpkey: RFC_KEY, ...fields }), 400, 905);
      }
      const list = await t
        .http()
        .get('/token/')
        .query({ page: '99999999999', pagesize: '99999999999' })
        .set('Authorization', t.admin);
      expectError(list, 400, 905);
      expect(await tokenInfo(t, S)).toMatchObject({ maxfail: 10, count_window: 10 });
    });
  });
});
