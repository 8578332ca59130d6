import { DataSource } from 'typeorm';
import { Challenge } from '../../src/challenge/entities/challenge.entity';
import { TokenInfo } from '../../src/token-data/entities/token-info.entity';
import { TokenRealm } from '../../src/token-data/entities/token-realm.entity';
import {
  base32,
  base32check,
  bodyText,
  expectError,
  expectOk,
  expectPngDataUri,
  listTokens,
} from '../helpers/envelope-assert';
import { otpAt, RFC_KEY, RFC_OTPS, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

/** /token/... over HTTP: api-token.md §1–§14, tokenclass.md, hotp-totp.md §6. */
describe('/token/ API', () => {
  let t: TestApp;
  /** Every key the server handed out in this file; none may ever show up in a listing. */
  const seeds: string[] = [];

  beforeAll(async () => {
    // Realms the tests name (an unknown realm is refused, see validation.e2e-spec.ts).
    t = await startTestApp({ REALMS: 'default,sales,sales2,extra,r1,r2,r3,r4,r5,r9,t1,t2,x,a' });
  });
  afterAll(() => t.close());

  const bearer = (jwt?: string) => `Bearer ${jwt ?? t.admin}`;
  const post = (path: string, body: Record<string, unknown> = {}, jwt?: string) =>
    t.http().post(path).set('Authorization', bearer(jwt)).type('form').send(body);
  const postJson = (path: string, body: Record<string, unknown>, jwt?: string) =>
    t.http().post(path).set('Authorization', bearer(jwt)).send(body);
  const del = (path: string, jwt?: string) =>
    t.http().delete(path).set('Authorization', bearer(jwt));
  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);
  const accepted = async (params: Record<string, string>) => {
    const res = await check(params);
    expect(res.status).toBe(200);
    return res.body.result.value as boolean;
  };

  async function initOk(fields: Record<string, unknown>, jwt?: string) {
    const res = await post('/token/init', fields, jwt);
    expectOk(res, true);
    const detail = res.body.detail as Record<string, any>;
    const seed = detail.otpkey?.value as string | undefined;
    if (seed?.startsWith('seed://')) seeds.push(seed.slice('seed://'.length));
    return detail;
  }

  describe('POST /token/init', () => {
    it('enrolls HOTP with a given hex key: generated serial, seed, otpauth/oathtoken URIs, QR images', async () => {
      const d = await initOk({ type: 'hotp', otpkey: RFC_KEY });
      const serial = d.serial as string;
      expect(serial).toMatch(/^OATH\d{4}[0-9A-F]{4}$/);
      expect(d.rollout_state).toBe('enrolled');
      const b32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
      expect(d.otpkey).toEqual({
        description: 'OTP seed',
        value: `seed://${RFC_KEY}`,
        img: expect.any(String),
        value_b32: b32,
      });
      expect(d.googleurl.description).toBe('URL for google Authenticator');
      expect(d.googleurl.value).toBe(
        `otpauth://hotp/${serial}?secret=${b32}&counter=1&digits=6&creator=privacyidea` +
          `&issuer=privacyIDEA&serial=${serial}`,
      );
      expect(d.oathurl.description).toBe('URL for OATH token');
      expect(d.oathurl.value).toBe(
        `oathtoken:///addToken?name=${serial}&lockdown=true&key=${RFC_KEY}`,
      );
      for (const img of [d.otpkey.img, d.googleurl.img, d.oathurl.img]) expectPngDataUri(img);
      // The key really is the one given: RFC 4226 OTPs work.
      expect(await accepted({ serial, pass: RFC_OTPS[0] })).toBe(true);
      const info = await tokenInfo(t, serial);
      expect(info).toMatchObject({
        serial,
        tokentype: 'hotp',
        otplen: 6,
        count: 1,
        active: true,
        username: '',
        rollout_state: 'enrolled',
      });
      expect(info.info).toMatchObject({ hashlib: 'sha1', tokenkind: 'software' });
      expect(info.info.creation_date).toEqual(expect.any(String));
    });

    it('enrolls TOTP with sha256, otplen 8 and a 60 s time step; the URI carries them', async () => {
      const key = '3132333435363738393031323334353637383930313233343536373839303132';
      const d = await initOk({
        type: 'totp',
        otpkey: key,
        hashlib: 'sha256',
        otplen: '8',
        timeStep: '60',
      });
      const serial = d.serial as string;
      expect(serial).toMatch(/^TOTP\d{4}[0-9A-F]{4}$/);
      const b32 = base32(Buffer.from(key, 'hex'));
      expect(d.otpkey.value_b32).toBe(b32);
      expect(d.googleurl.value).toBe(
        `otpauth://totp/${serial}?secret=${b32}&algorithm=SHA256&period=60&digits=8` +
          `&creator=privacyidea&issuer=privacyIDEA&serial=${serial}`,
      );
      expect(d.oathurl.value).toBe(
        `oathtoken:///addToken?name=${serial}&lockdown=true&key=${key}&timeBased=true`,
      );
      const info = await tokenInfo(t, serial);
      expect(info).toMatchObject({ tokentype: 'totp', otplen: 8 });
      expect(info.info).toMatchObject({ hashlib: 'sha256', timeStep: '60' });
      const step = Math.floor(Date.now() / 1000 / 60);
      expect(await accepted({ serial, pass: otpAt(key, step, 8, 'sha256') })).toBe(true);
    });

    it('genkey with sha512 generates a 64-byte key that the returned seed reproduces', async () => {
      const d = await initOk({ type: 'hotp', genkey: '1', hashlib: 'sha512' });
      const serial = d.serial as string;
      const hex = (d.otpkey.value as string).replace(/^seed:\/\//, '');
      expect(hex).toMatch(/^[0-9a-f]{128}$/);
      const b32 = base32(Buffer.from(hex, 'hex'));
      expect(d.otpkey.value_b32).toBe(b32);
      expect(d.googleurl.value).toBe(
        `otpauth://hotp/${serial}?secret=${b32}&counter=1&algorithm=SHA512&digits=6` +
          `&creator=privacyidea&issuer=privacyIDEA&serial=${serial}`,
      );
      expect(await accepted({ serial, pass: otpAt(hex, 0, 6, 'sha512') })).toBe(true);
    });

    it('accepts otpkeyformat=base32check (lower case, no padding) and stores the payload', async () => {
      const otpkey = base32check(Buffer.from(RFC_KEY, 'hex')).toLowerCase();
      const d = await initOk({ type: 'hotp', otpkey, otpkeyformat: 'base32check' });
      expect(d.otpkey.value).toBe(`seed://${RFC_KEY}`);
      expect(await accepted({ serial: d.serial, pass: RFC_OTPS[0] })).toBe(true);
    });

    it('HOTP with genkey and otpkey drops the otpkey silently and generates a key', async () => {
      const d = await initOk({ type: 'hotp', genkey: '1', otpkey: RFC_KEY });
      const hex = (d.otpkey.value as string).replace(/^seed:\/\//, '');
      expect(hex).toMatch(/^[0-9a-f]{40}$/);
      expect(hex).not.toBe(RFC_KEY);
      expect(await accepted({ serial: d.serial, pass: otpAt(hex, 0) })).toBe(true);
    });

    it('type names are case-insensitive; a 40-character serial and a 512-hex-digit key are fine', async () => {
      const serial40 = 'S'.repeat(40);
      const d = await initOk({ type: 'HOTP', serial: serial40, otpkey: 'ab'.repeat(256) });
      expect(d.serial).toBe(serial40);
      expect((await tokenInfo(t, serial40)).tokentype).toBe('hotp');
    });

    it('an empty type means hotp (tokenclass.md §2.1)', async () => {
      const empty = await initOk({ type: '', serial: 'EMPTY-TYPE-1', otpkey: RFC_KEY });
      expect(empty.serial).toBe('EMPTY-TYPE-1');
      expect((await tokenInfo(t, 'EMPTY-TYPE-1')).tokentype).toBe('hotp');
    });

    it('realm without user puts the unassigned token in that realm (tokenclass.md §2.5)', async () => {
      await initOk({ serial: 'REALM-ONLY-1', otpkey: RFC_KEY, realm: 'Sales2' });
      const info = await tokenInfo(t, 'REALM-ONLY-1');
      expect(info).toMatchObject({ username: '', user_realm: '', realms: ['sales2'] });
    });

    it('tokenrealm may be a JSON list (README "Repeated keys")', async () => {
      const res = await postJson('/token/init', {
        serial: 'TR-LIST-1',
        otpkey: RFC_KEY,
        tokenrealm: ['t1', 't2'],
      });
      expectOk(res, true);
      expect((await tokenInfo(t, 'TR-LIST-1')).realms).toEqual(['t1', 't2']);
    });

    it('re-init of the same serial and type updates the token (new key, counter reset)', async () => {
      await initOk({
        type: 'hotp',
        serial: 'REINIT-1',
        otpkey: RFC_KEY,
        user: 'reinit',
        pin: 'p1',
      });
      expect(await accepted({ serial: 'REINIT-1', pass: `p1${RFC_OTPS[0]}` })).toBe(true);
      expect(await accepted({ serial: 'REINIT-1', pass: `p1${RFC_OTPS[1]}` })).toBe(true);
      expect((await tokenInfo(t, 'REINIT-1')).count).toBe(2);

      const key2 = 'a1b2c3d4e5f60718293a4b5c6d7e8f9001122334';
      const d = await initOk({
        type: 'hotp',
        serial: 'REINIT-1',
        otpkey: key2,
        otplen: '8',
        pin: 'p2',
      });
      expect(d.serial).toBe('REINIT-1');
      expect(d.otpkey.value).toBe(`seed://${key2}`);
      const list = await listTokens(t, { serial: 'REINIT-1' });
      expect(list.count).toBe(1);
      expect(list.tokens[0]).toMatchObject({ count: 0, otplen: 8, tokentype: 'hotp' });
      expect(await accepted({ serial: 'REINIT-1', pass: `p2${RFC_OTPS[2]}` })).toBe(false);
      expect(await accepted({ serial: 'REINIT-1', pass: `p2${otpAt(key2, 0, 8)}` })).toBe(true);
    });

    it('the same serial with another type is a TokenAdminError and changes nothing', async () => {
      const res = await post('/token/init', { type: 'totp', serial: 'REINIT-1', otpkey: RFC_KEY });
      expectError(
        res,
        400,
        301,
        'ERR301: init token failed: Token REINIT-1 already exists with type hotp. ' +
          'Can not initialize token with new type totp',
      );
      const list = await listTokens(t, { serial: 'REINIT-1' });
      expect(list.count).toBe(1);
      expect(list.tokens[0]).toMatchObject({ tokentype: 'hotp', otplen: 8, count: 1 });
    });
  });

  describe('GET /token/ filters, sorting and pagination', () => {
    beforeAll(async () => {
      await initOk({
        serial: 'L-HOTP-A1',
        otpkey: RFC_KEY,
        user: 'lalice',
        description: 'alpha one',
        tokenrealm: 'extra',
      });
      await initOk({
        serial: 'L-HOTP-A2',
        otpkey: RFC_KEY,
        user: 'lalice',
        description: 'alpha two',
      });
      await initOk({
        serial: 'L-HOTP-B1',
        otpkey: RFC_KEY,
        tokenrealm: 'sales',
        description: 'beta one',
      });
      await initOk({
        type: 'totp',
        serial: 'L-TOTP-B2',
        otpkey: RFC_KEY,
        user: 'lbob',
        realm: 'sales',
        description: 'beta two',
      });
      await initOk({ type: 'totp', serial: 'L-TOTP-C1', otpkey: RFC_KEY, description: 'gamma' });
      await initOk({ serial: 'L-HOTP-C2', otpkey: RFC_KEY, description: '50%_off' });
      expectOk(await post('/token/disable/L-TOTP-C1'), 1);
      expectOk(await post('/token/info/L-HOTP-C2/lkey', { value: 'lval' }), true);
    });

    const serialsOf = async (query: Record<string, string>) =>
      (await listTokens(t, query)).tokens.map((x) => x.serial as string).sort();

    it('serial: exact, wildcard and comma-separated list', async () => {
      expect(await serialsOf({ serial: 'L-HOTP-A1' })).toEqual(['L-HOTP-A1']);
      expect(await serialsOf({ serial: 'L-HOTP-A' })).toEqual([]);
      expect(await serialsOf({ serial: 'L-HOTP-*' })).toEqual([
        'L-HOTP-A1',
        'L-HOTP-A2',
        'L-HOTP-B1',
        'L-HOTP-C2',
      ]);
      expect(await serialsOf({ serial: '*-B*' })).toEqual(['L-HOTP-B1', 'L-TOTP-B2']);
      expect(await serialsOf({ serial: 'L-HOTP-A1,L-TOTP-C1' })).toEqual([
        'L-HOTP-A1',
        'L-TOTP-C1',
      ]);
    });

    it('SQL LIKE metacharacters in filters are literal (only * is a wildcard)', async () => {
      expect(await serialsOf({ serial: 'L-HOTP-A_*' })).toEqual([]);
      expect(await serialsOf({ serial: 'L-HOTP-A%' })).toEqual([]);
      expect(await serialsOf({ serial: 'L-*', description: '*_o*' })).toEqual(['L-HOTP-C2']);
      expect(await serialsOf({ serial: 'L-*', description: '*%*' })).toEqual(['L-HOTP-C2']);
    });

    it('type and type_list', async () => {
      expect(await serialsOf({ serial: 'L-*', type: 'totp' })).toEqual(['L-TOTP-B2', 'L-TOTP-C1']);
      expect(await serialsOf({ serial: 'L-*', type_list: 'totp,ocra' })).toEqual([
        'L-TOTP-B2',
        'L-TOTP-C1',
      ]);
      expect((await listTokens(t, { serial: 'L-*', type_list: 'hotp,totp' })).count).toBe(6);
    });

    it('user, realm and tokenrealm', async () => {
      const alice = await listTokens(t, { user: 'lalice' });
      expect(alice.tokens.map((x) => x.serial).sort()).toEqual(['L-HOTP-A1', 'L-HOTP-A2']);
      for (const tok of alice.tokens) {
        expect(tok).toMatchObject({
          username: 'lalice',
          user_id: 'lalice',
          user_realm: 'default',
          resolver: '',
        });
      }
      expect(await serialsOf({ user: 'lbob' })).toEqual([]);
      expect(await serialsOf({ user: 'lbob', realm: 'sales' })).toEqual(['L-TOTP-B2']);
      expect(await serialsOf({ tokenrealm: 'extra' })).toEqual(['L-HOTP-A1']);
      expect(await serialsOf({ tokenrealm: 'sales' })).toEqual(['L-HOTP-B1', 'L-TOTP-B2']);
      expect((await tokenInfo(t, 'L-HOTP-A1')).realms).toEqual(['default', 'extra']);
      expect((await tokenInfo(t, 'L-HOTP-B1')).realms).toEqual(['sales']);
      expect((await tokenInfo(t, 'L-TOTP-B2')).user_realm).toBe('sales');
    });

    it('realm alone (admin) lists the tokens in that realm (api-token.md §2)', async () => {
      expect(await serialsOf({ serial: 'L-*', realm: 'sales' })).toEqual([
        'L-HOTP-B1',
        'L-TOTP-B2',
      ]);
      expect(await serialsOf({ serial: 'L-*', realm: 'SALES' })).toEqual([
        'L-HOTP-B1',
        'L-TOTP-B2',
      ]);
    });

    it('assigned, active, description, infokey/infovalue', async () => {
      expect(await serialsOf({ serial: 'L-*', assigned: 'true' })).toEqual([
        'L-HOTP-A1',
        'L-HOTP-A2',
        'L-TOTP-B2',
      ]);
      expect(await serialsOf({ serial: 'L-*', assigned: 'False' })).toEqual([
        'L-HOTP-B1',
        'L-HOTP-C2',
        'L-TOTP-C1',
      ]);
      expect(await serialsOf({ serial: 'L-*', active: 'false' })).toEqual(['L-TOTP-C1']);
      expect((await listTokens(t, { serial: 'L-*', active: 'TRUE' })).count).toBe(5);
      expect(await serialsOf({ serial: 'L-*', description: 'alpha*' })).toEqual([
        'L-HOTP-A1',
        'L-HOTP-A2',
      ]);
      expect(await serialsOf({ serial: 'L-*', description: '*two' })).toEqual([
        'L-HOTP-A2',
        'L-TOTP-B2',
      ]);
      expect(await serialsOf({ infokey: 'lkey', infovalue: 'lval' })).toEqual(['L-HOTP-C2']);
      expect(await serialsOf({ infokey: 'lkey', infovalue: 'lv*' })).toEqual(['L-HOTP-C2']);
      expect(await serialsOf({ infokey: 'lkey', infovalue: 'nope' })).toEqual([]);
    });

    it('sortby / sortdir, unknown sort column falls back to serial', async () => {
      const ordered = async (query: Record<string, string>) =>
        (await listTokens(t, { serial: 'L-*', ...query })).tokens.map((x) => x.serial as string);
      const asc = ['L-HOTP-A1', 'L-HOTP-A2', 'L-HOTP-B1', 'L-HOTP-C2', 'L-TOTP-B2', 'L-TOTP-C1'];
      expect(await ordered({})).toEqual(asc);
      expect(await ordered({ sortby: 'serial', sortdir: 'desc' })).toEqual([...asc].reverse());
      expect(await ordered({ sortby: 'no_such_column' })).toEqual(asc);
      expect(await ordered({ sortby: 'description' })).toEqual([
        'L-HOTP-C2', // "50%_off"
        'L-HOTP-A1',
        'L-HOTP-A2',
        'L-HOTP-B1',
        'L-TOTP-B2',
        'L-TOTP-C1', // "gamma"
      ]);
    });

    it('page / pagesize with count, prev, next, current', async () => {
      const p1 = await listTokens(t, { serial: 'L-*', pagesize: '4', page: '1' });
      expect(p1).toMatchObject({ count: 6, prev: null, next: 2, current: 1 });
      expect(p1.tokens).toHaveLength(4);
      const p2 = await listTokens(t, { serial: 'L-*', pagesize: '4', page: '2' });
      expect(p2).toMatchObject({ count: 6, prev: 1, next: null, current: 2 });
      expect(p2.tokens).toHaveLength(2);
      const all = [...p1.tokens, ...p2.tokens].map((x) => x.serial);
      expect(new Set(all).size).toBe(6);
      // default page size 15 and page 1
      const res = await t.http().get('/token/').set('Authorization', bearer());
      expectOk(res);
      expect(res.body.result.value).toMatchObject({ prev: null, current: 1 });
      expect(res.body.result.value.tokens.length).toBe(Math.min(15, res.body.result.value.count));
    });

    it('a list entry has the documented fields', async () => {
      const tok = await tokenInfo(t, 'L-HOTP-A1');
      expect(tok).toEqual(
        expect.objectContaining({
          id: expect.any(Number),
          serial: 'L-HOTP-A1',
          tokentype: 'hotp',
          description: 'alpha one',
          active: true,
          revoked: false,
          locked: false,
          failcount: 0,
          maxfail: 10,
          count: 0,
          count_window: 10,
          sync_window: 1000,
          otplen: 6,
          rollout_state: 'enrolled',
          info: expect.any(Object),
          username: 'lalice',
          user_realm: 'default',
          realms: ['default', 'extra'],
        }),
      );
    });
  });

  describe('assign / unassign', () => {
    it('assigns, refuses a second owner (1103), and unassign clears the PIN', async () => {
      await initOk({ serial: 'ASSIGN-1', otpkey: RFC_KEY });
      expectOk(
        await post('/token/assign', { serial: 'ASSIGN-1', user: 'asuser', pin: 'ap' }),
        true,
      );
      const info = await tokenInfo(t, 'ASSIGN-1');
      expect(info).toMatchObject({ username: 'asuser', user_realm: 'default' });
      expect(info.realms).toContain('default');
      expect(info.info.assignment_date).toEqual(expect.any(String));

      const again = await post('/token/assign', { serial: 'ASSIGN-1', user: 'other' });
      expectError(again, 400, 1103, 'ERR1103: Token already assigned to user asuser');
      expect((await tokenInfo(t, 'ASSIGN-1')).username).toBe('asuser');

      expect(await accepted({ user: 'asuser', pass: `ap${RFC_OTPS[0]}` })).toBe(true);
      expectOk(await post('/token/unassign', { serial: 'ASSIGN-1' }), 1);
      const after = await tokenInfo(t, 'ASSIGN-1');
      expect(after).toMatchObject({ username: '', user_realm: '', failcount: 0 });
      // The PIN is now empty: the OTP alone authenticates.
      expect(await accepted({ serial: 'ASSIGN-1', pass: RFC_OTPS[1] })).toBe(true);
      expect((await check({ user: 'asuser', pass: `ap${RFC_OTPS[2]}` })).body.detail.message).toBe(
        'The user has no tokens assigned',
      );
    });

    it('assign needs serial and user', async () => {
      expectError(
        await post('/token/assign', { user: 'x' }),
        400,
        905,
        'ERR905: Missing parameter: serial',
      );
      expectError(
        await post('/token/assign', { serial: 'ASSIGN-1' }),
        400,
        905,
        'ERR905: Missing parameter: user',
      );
    });
  });

  describe('lifecycle of one token', () => {
    const S = 'LC-1';
    let next = 0; // next unused RFC counter
    beforeAll(async () => {
      await initOk({ serial: S, otpkey: RFC_KEY, user: 'lcuser', pin: 'lp' });
    });

    it('enable / disable return the number of tokens whose state changed', async () => {
      expectOk(await post(`/token/disable/${S}`), 1);
      expectOk(await post(`/token/disable/${S}`), 0);
      expect((await tokenInfo(t, S)).active).toBe(false);
      expectOk(await post('/token/enable', { serial: S }), 1);
      expectOk(await post('/token/enable', { serial: S }), 0);
      expect((await tokenInfo(t, S)).active).toBe(true);
      // by owner
      expectOk(await post('/token/disable', { user: 'lcuser' }), 1);
      expectOk(await post('/token/enable', { user: 'lcuser' }), 1);
    });

    it('setpin: otppin becomes the PIN /validate/check uses; value counts the PINs set', async () => {
      expectOk(await post(`/token/setpin/${S}`, { otppin: 'np' }), 1);
      const wrong = await check({ user: 'lcuser', pass: `lp${RFC_OTPS[next]}` });
      expect(wrong.body.result.value).toBe(false);
      expect(wrong.body.detail.message).toBe('wrong otp pin');
      expect(await accepted({ user: 'lcuser', pass: `np${RFC_OTPS[next++]}` })).toBe(true);
      expectOk(
        await post('/token/setpin', { serial: S, otppin: 'np2', userpin: 'u', sopin: 's' }),
        3,
      );
      expect(await accepted({ user: 'lcuser', pass: `np2${RFC_OTPS[next++]}` })).toBe(true);
    });

    it('description is truncated to 80 characters and may be emptied', async () => {
      const long = 'd'.repeat(50) + 'e'.repeat(50);
      expectOk(await post(`/token/description/${S}`, { description: long }), 1);
      expect((await tokenInfo(t, S)).description).toBe(long.slice(0, 80));
      expectOk(await post('/token/description', { serial: S, description: '' }), 1);
      expect((await tokenInfo(t, S)).description).toBe('');
    });

    it('resync answers false for non-consecutive and true for consecutive OTPs', async () => {
      const res1 = await post(`/token/resync/${S}`, {
        otp1: otpAt(RFC_KEY, 500),
        otp2: otpAt(RFC_KEY, 502),
      });
      expectOk(res1, false);
      const res2 = await post('/token/resync', {
        serial: S,
        otp1: otpAt(RFC_KEY, 500),
        otp2: otpAt(RFC_KEY, 501),
      });
      expectOk(res2, true);
      expect((await tokenInfo(t, S)).count).toBe(502);
      next = 502;
      expect(await accepted({ serial: S, pass: `np2${otpAt(RFC_KEY, next++)}` })).toBe(true);
    });

    it('reset clears the fail counter and failcounter_exceeded', async () => {
      expectOk(await post('/token/set', { serial: S, max_failcount: '2' }), 1);
      expect(await accepted({ serial: S, pass: 'np2000000' })).toBe(false);
      expect(await accepted({ serial: S, pass: 'np2000000' })).toBe(false);
      const locked = await tokenInfo(t, S);
      expect(locked.failcount).toBe(2);
      expect(locked.info.failcounter_exceeded).toEqual(expect.any(String));
      const blocked = await check({ serial: S, pass: `np2${otpAt(RFC_KEY, next)}` });
      expect(blocked.body.detail.message).toBe('Failcounter exceeded');
      expectOk(await post(`/token/reset/${S}`), 1);
      const after = await tokenInfo(t, S);
      expect(after.failcount).toBe(0);
      expect(after.info).not.toHaveProperty('failcounter_exceeded');
      expect(await accepted({ serial: S, pass: `np2${otpAt(RFC_KEY, next++)}` })).toBe(true);
    });

    it('set: count_window limits the look-ahead; the value counts the attributes set', async () => {
      expectOk(await post('/token/set', { serial: S, count_window: '2' }), 1);
      expect(await accepted({ serial: S, pass: `np2${otpAt(RFC_KEY, next + 2)}` })).toBe(false);
      expect(await accepted({ serial: S, pass: `np2${otpAt(RFC_KEY, next + 1)}` })).toBe(true);
      next += 2;
      const res = await post(`/token/set/${S}`, {
        sync_window: '500',
        max_failcount: '7',
        hashlib: 'sha256',
        count_auth_max: '9',
        validity_period_end: '2999-01-01T00:00+0000',
        description: 'via set',
      });
      expectOk(res, 6);
      const info = await tokenInfo(t, S);
      expect(info).toMatchObject({
        count_window: 2,
        sync_window: 500,
        maxfail: 7,
        description: 'via set',
      });
      expect(info.info).toMatchObject({
        hashlib: 'sha256',
        count_auth_max: '9',
        validity_period_end: '2999-01-01T00:00+0000',
      });
    });

    it('realm/<serial> replaces the realm list but keeps the owner realm', async () => {
      expectOk(await post(`/token/realm/${S}`, { realms: 'r1, R2' }), true);
      expect((await tokenInfo(t, S)).realms).toEqual(['default', 'r1', 'r2']);
      expectOk(await post(`/token/realm/${S}`, { realms: 'r3' }), true);
      expect((await tokenInfo(t, S)).realms).toEqual(['default', 'r3']);
      expectOk(await post(`/token/realm/${S}`, { realms: '' }), true);
      expect((await tokenInfo(t, S)).realms).toEqual(['default']);
      expect(await listTokens(t, { tokenrealm: 'r3' })).toMatchObject({ count: 0 });
    });

    it('realm/<serial> accepts realms as a JSON list (api-token.md §13)', async () => {
      expectOk(await postJson(`/token/realm/${S}`, { realms: ['r4', 'r5'] }), true);
      expect((await tokenInfo(t, S)).realms).toEqual(['default', 'r4', 'r5']);
      expectOk(await post(`/token/realm/${S}`, { realms: '' }), true);
    });

    it('info/<serial>/<key>: set and delete; engine-owned keys are a PolicyError', async () => {
      expectOk(await post(`/token/info/${S}/mykey`, { value: 'my value' }), true);
      expect((await tokenInfo(t, S)).info.mykey).toBe('my value');
      expectOk(await del(`/token/info/${S}/mykey`), true);
      expect((await tokenInfo(t, S)).info).not.toHaveProperty('mykey');
      expectOk(await del(`/token/info/${S}/mykey`), false);
      expectError(
        await post(`/token/info/${S}/mykey`),
        400,
        905,
        'ERR905: Missing parameter: value',
      );

      for (const key of ['private_key_server', 'enrollment_credential', 'session']) {
        expectError(await post(`/token/info/${S}/${key}`, { value: 'x' }), 403, 303);
        expectError(await del(`/token/info/${S}/${key}`), 403, 303);
        expect((await tokenInfo(t, S)).info).not.toHaveProperty(key);
      }
    });

    it('revoke is irreversible: revoked, locked, disabled; later changes answer 1007', async () => {
      expectOk(await post(`/token/revoke/${S}`), 1);
      expect(await tokenInfo(t, S)).toMatchObject({ revoked: true, locked: true, active: false });
      const locked = 'ERR1007: This action is not possible, since the token is locked';
      expectError(await post(`/token/enable/${S}`), 400, 1007, locked);
      expectError(await post(`/token/setpin/${S}`, { otppin: 'x' }), 400, 1007, locked);
      expect(await tokenInfo(t, S)).toMatchObject({ revoked: true, locked: true, active: false });
    });
  });

  describe('DELETE', () => {
    it('DELETE /token/<serial> removes the token, its tokeninfo, realms and challenges', async () => {
      await initOk({
        serial: 'DEL-1',
        otpkey: RFC_KEY,
        user: 'deluser',
        pin: 'dp',
        tokenrealm: 'r9',
      });
      expectOk(await post('/token/info/DEL-1/k', { value: 'v' }), true);
      const id = (await tokenInfo(t, 'DEL-1')).id as number;
      const trigger = await check({ user: 'deluser', pass: 'dp' });
      expect(trigger.body.result.authentication).toBe('CHALLENGE');
      const tid = trigger.body.detail.transaction_id as string;
      const db = t.app.get(DataSource);
      expect(await db.getRepository(Challenge).countBy({ serial: 'DEL-1' })).toBeGreaterThan(0);

      expectOk(await del('/token/DEL-1'), 1);
      expect((await listTokens(t, { serial: 'DEL-1' })).count).toBe(0);
      expect(await db.getRepository(Challenge).countBy({ serial: 'DEL-1' })).toBe(0);
      expect(await db.getRepository(TokenInfo).countBy({ tokenId: id })).toBe(0);
      expect(await db.getRepository(TokenRealm).countBy({ tokenId: id })).toBe(0);
      const poll = await t.http().get('/validate/polltransaction').query({ transaction_id: tid });
      expect(poll.body.result.value).toBe(false);
      expect((await check({ user: 'deluser', pass: `dp${RFC_OTPS[0]}` })).body.detail.message).toBe(
        'The user has no tokens assigned',
      );

      const again = await del('/token/DEL-1');
      expectError(again, 404, 601, 'The requested token could not be found.');
    });

    it('DELETE /token/?serial= works the same; without serial it is a missing parameter', async () => {
      await initOk({ serial: 'DEL-2', otpkey: RFC_KEY });
      expectOk(await del('/token/?serial=DEL-2'), 1);
      expect((await listTokens(t, { serial: 'DEL-2' })).count).toBe(0);
      expectError(
        await del('/token/?serial=DEL-2'),
        404,
        601,
        'The requested token could not be found.',
      );
      expectError(await del('/token/'), 400, 905, 'ERR905: Missing parameter: serial');
    });
  });

  describe('unknown serials', () => {
    const NOPE = 'NO-SUCH-SERIAL';
    const cases: [string, () => ReturnType<typeof post>][] = [
      ['enable', () => post(`/token/enable/${NOPE}`)],
      ['disable', () => post('/token/disable', { serial: NOPE })],
      ['revoke', () => post(`/token/revoke/${NOPE}`)],
      ['reset', () => post(`/token/reset/${NOPE}`)],
      ['resync', () => post(`/token/resync/${NOPE}`, { otp1: '123456', otp2: '234567' })],
      ['setpin', () => post(`/token/setpin/${NOPE}`, { otppin: '1' })],
      ['description', () => post(`/token/description/${NOPE}`, { description: 'x' })],
      ['set', () => post(`/token/set/${NOPE}`, { count_window: '5' })],
      ['realm', () => post(`/token/realm/${NOPE}`, { realms: 'a' })],
      ['info set', () => post(`/token/info/${NOPE}/k`, { value: 'v' })],
      ['info delete', () => del(`/token/info/${NOPE}/k`)],
      ['assign', () => post('/token/assign', { serial: NOPE, user: 'x' })],
      ['unassign', () => post(`/token/unassign/${NOPE}`)],
      ['delete', () => del(`/token/${NOPE}`)],
    ];
    it.each(cases)('%s → 404, code 601', async (_name, call) => {
      expectError(await call(), 404, 601, 'The requested token could not be found.');
    });

    it('listing an unknown serial is an empty list, not an error', async () => {
      expect(await listTokens(t, { serial: NOPE })).toMatchObject({
        tokens: [],
        count: 0,
        prev: null,
        next: null,
      });
    });
  });

  describe('role user', () => {
    let alice: string;
    let aliceOtherRealm: string;
    beforeAll(async () => {
      alice = await t.tokenFor('user', 'ualice');
      aliceOtherRealm = await t.tokenFor('user', 'ualice', 'other');
      await initOk({ serial: 'UA-1', otpkey: RFC_KEY, user: 'ualice', description: 'alice token' });
      await initOk({
        serial: 'UB-1',
        otpkey: RFC_KEY,
        user: 'ubob',
        pin: 'bobpin',
        description: 'bob token',
      });
    });

    const FORBIDDEN =
      'Authentication failure. You do not have the necessary role (admin) to access this resource!';

    it('sees only its own tokens, whatever user= it passes', async () => {
      for (const query of [
        {},
        { user: 'ubob' },
        { user: 'ubob', realm: 'default' },
        { assigned: 'true' },
      ] as Record<string, string>[]) {
        const list = await listTokens(t, query, alice);
        expect(list.tokens.map((x) => x.serial)).toEqual(['UA-1']);
        expect(list.count).toBe(1);
      }
      expect((await listTokens(t, { serial: 'UB-1' }, alice)).count).toBe(0);
      expect((await listTokens(t, { serial: 'U*' }, alice)).count).toBe(1);
      // Same login in another realm is another user.
      expect((await listTokens(t, {}, aliceOtherRealm)).count).toBe(0);
    });

    it("gets 404 for another user's serial on every endpoint and changes nothing", async () => {
      const calls = [
        () => post('/token/enable/UB-1', {}, alice),
        () => post('/token/disable', { serial: 'UB-1' }, alice),
        () => post('/token/revoke/UB-1', {}, alice),
        () => post('/token/reset', { serial: 'UB-1' }, alice),
        () => post('/token/resync/UB-1', { otp1: RFC_OTPS[0], otp2: RFC_OTPS[1] }, alice),
        () => post('/token/setpin/UB-1', { otppin: 'hijack' }, alice),
        () => post('/token/description/UB-1', { description: 'hijacked' }, alice),
        () => post('/token/unassign', { serial: 'UB-1' }, alice),
        () => post('/token/init', { serial: 'UB-1', otpkey: RFC_KEY }, alice),
        () => post('/token/assign', { serial: 'UB-1', user: 'ualice', pin: 'x' }, alice),
        () => del('/token/UB-1', alice),
        () => del('/token/?serial=UB-1', alice),
        () => post('/token/disable/UA-1', {}, aliceOtherRealm),
      ];
      for (const call of calls) {
        expectError(await call(), 404, 601, 'The requested token could not be found.');
      }
      const bob = await tokenInfo(t, 'UB-1');
      expect(bob).toMatchObject({
        active: true,
        revoked: false,
        description: 'bob token',
        username: 'ubob',
        count: 0,
      });
      expect(await accepted({ user: 'ubob', pass: `bobpin${RFC_OTPS[0]}` })).toBe(true);
    });

    it('selecting by user= acts on its own tokens only', async () => {
      const res = await post('/token/disable', { user: 'ubob' }, alice);
      expectOk(res, 1);
      expect((await tokenInfo(t, 'UA-1')).active).toBe(false);
      expect((await tokenInfo(t, 'UB-1')).active).toBe(true);
      expectOk(await post('/token/enable/UA-1', {}, alice), 1);
    });

    it('manages its own token', async () => {
      expectOk(await post('/token/setpin/UA-1', { otppin: 'ap' }, alice), 1);
      expectOk(await post('/token/description/UA-1', { description: 'mine' }, alice), 1);
      expect(await accepted({ user: 'ualice', pass: `ap${RFC_OTPS[0]}` })).toBe(true);
      expect((await tokenInfo(t, 'UA-1')).description).toBe('mine');
    });

    it('init enrolls the token for itself, whatever user= says', async () => {
      const d = await initOk(
        { type: 'hotp', user: 'ubob', realm: 'sales', otpkey: RFC_KEY },
        alice,
      );
      const mine = await tokenInfo(t, d.serial as string);
      expect(mine).toMatchObject({ username: 'ualice', user_realm: 'default' });
      expect((await listTokens(t, { user: 'ubob' })).count).toBe(1);
      expect((await listTokens(t, {}, alice)).count).toBe(2);
    });

    it('gets 401 code 4306 on admin-only endpoints', async () => {
      const calls = [
        () => post('/token/set', { serial: 'UA-1', max_failcount: '99' }, alice),
        () => post('/token/set/UA-1', { count_window: '99' }, alice),
        () => post('/token/realm/UA-1', { realms: 'x' }, alice),
        () => post('/token/info/UA-1/k', { value: 'v' }, alice),
        () => del('/token/info/UA-1/k', alice),
        () => post('/validate/triggerchallenge', { user: 'ualice' }, alice),
        () =>
          t
            .http()
            .get('/validate/triggerchallenge')
            .query({ user: 'ualice' })
            .set('Authorization', alice),
      ];
      for (const call of calls) expectError(await call(), 401, 4306, FORBIDDEN);
      const info = await tokenInfo(t, 'UA-1');
      expect(info).toMatchObject({ maxfail: 10, count_window: 10, realms: ['default'] });
      expect(info.info).not.toHaveProperty('k');
    });
  });

  it('no listing ever contains key material or PIN hashes', async () => {
    expect(seeds.length).toBeGreaterThan(10);
    const res = await t
      .http()
      .get('/token/')
      .query({ pagesize: '1000' })
      .set('Authorization', bearer());
    expectOk(res);
    expect(res.body.result.value.count).toBeGreaterThan(10);
    const text = bodyText(res);
    for (const seed of new Set(seeds)) {
      expect(text.toLowerCase()).not.toContain(seed.toLowerCase());
      expect(text).not.toContain(base32(Buffer.from(seed, 'hex')));
    }
    expect(text).not.toMatch(/\$argon2|\$pbkdf2|\$scrypt/);
    for (const field of [
      '"otpkey"',
      '"pin_hash"',
      '"pinHash"',
      '"keyEnc"',
      '"key_enc"',
      '"user_pin"',
      '"so_pin"',
    ]) {
      expect(text).not.toContain(field);
    }
  });
});
