import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectError } from '../helpers/envelope-assert';
import { otpAt, RFC_KEY, startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

const PSKC = readFileSync(join(__dirname, '..', 'fixtures', 'import', 'pskc-encrypted.xml'));
const PSK = '12345678901234567890123456789012';
const INT32_MAX = '2147483647';

/**
 * Refuse what is not valid, accept what is: realms must be known (REALMS, DEFAULT_REALM), import
 * flags and keys must be well-formed, and counters take any INT as privacyIDEA's do. Every
 * refusal is a 400 whose message names the parameter.
 */
describe('parameter validation: realms, import flags, INT counters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REALMS: 'default,sales' });
  });
  afterAll(() => t.close());

  const post = (path: string, body: Record<string, unknown>) =>
    t.http().post(path).set('Authorization', t.admin).send(body);
  const init = (body: Record<string, unknown>) => post('/token/init', { otpkey: RFC_KEY, ...body });
  const refused = (res: Awaited<ReturnType<typeof post>>, param: string) => {
    expectError(res, 400, 905);
    expect(res.body.result.error.message).toContain(`Invalid parameter ${param}:`);
  };

  describe('realms', () => {
    it('init: an unknown realm (with or without a user) is refused naming realm', async () => {
      for (const body of [{ realm: 'nosuchrealm' }, { user: 'alice', realm: 'nosuchrealm' }]) {
        const res = await init(body);
        refused(res, 'realm');
        expect(res.body.result.error.message).toContain("unknown realm 'nosuchrealm'");
      }
    });

    it('init: an unknown tokenrealm is refused naming tokenrealm, nothing is stored', async () => {
      refused(await init({ serial: 'VAL-TR-1', tokenrealm: 'sales,nosuchrealm' }), 'tokenrealm');
      refused(await init({ serial: 'VAL-TR-1', tokenrealm: ['nosuchrealm'] }), 'tokenrealm');
      expect(await tokenInfo(t, 'VAL-TR-1')).toBeUndefined();
    });

    it('init: known realms are accepted, in any case', async () => {
      const res = await init({
        serial: 'VAL-R-1',
        user: 'bob',
        realm: 'SALES',
        tokenrealm: 'default',
      });
      expect(res.status).toBe(200);
      expect(await tokenInfo(t, 'VAL-R-1')).toMatchObject({
        username: 'bob',
        realms: expect.arrayContaining(['sales', 'default']),
      });
    });

    it('/token/realm and /token/assign: unknown realms are refused naming the parameter', async () => {
      expect((await init({ serial: 'VAL-R-2' })).status).toBe(200);
      refused(await post('/token/realm/VAL-R-2', { realms: 'sales,nosuchrealm' }), 'realms');
      refused(
        await post('/token/assign', { serial: 'VAL-R-2', user: 'carol', realm: 'x1' }),
        'realm',
      );
      expect((await post('/token/realm/VAL-R-2', { realms: 'sales' })).status).toBe(200);
    });
  });

  describe('import parameters', () => {
    const load = (fields: Record<string, string>, name = 'tokens.xml', file = PSKC) => {
      let req = t
        .http()
        .post(`/token/load/${name}`)
        .set('Authorization', t.admin)
        .attach('file', file, name);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      return req;
    };

    it('an unknown tokenrealms entry is refused naming tokenrealms', async () => {
      refused(await load({ type: 'pskc', psk: PSK, tokenrealms: 'nosuchrealm' }), 'tokenrealms');
    });

    it('partial must be 1/0 or true/false', async () => {
      for (const partial of ['maybe', 'yes', '2']) {
        refused(await load({ type: 'pskc', psk: PSK, partial }), 'partial');
      }
    });

    it('psk must be 32, 48 or 64 hex digits', async () => {
      for (const psk of ['zz'.repeat(16), '1234', PSK + '0']) {
        refused(await load({ type: 'pskc', psk }), 'psk');
      }
    });

    it('well-formed values import', async () => {
      const res = await load({ type: 'pskc', psk: PSK, partial: 'true', tokenrealms: 'sales' });
      expect(res.status).toBe(200);
      expect(res.body.result.value.n_imported).toBeGreaterThan(0);
    });
  });

  describe('counters take any INT up to 2^31-1', () => {
    it('max_failcount, count_auth_max, count_auth_success_max: 1000000 and 2147483647', async () => {
      expect((await init({ serial: 'VAL-C-1' })).status).toBe(200);
      for (const value of ['1000000', INT32_MAX]) {
        const res = await post('/token/set', {
          serial: 'VAL-C-1',
          max_failcount: value,
          count_auth_max: value,
          count_auth_success_max: value,
        });
        expect(res.status).toBe(200);
        expect(res.body.result.value).toBe(3);
        expect(await tokenInfo(t, 'VAL-C-1')).toMatchObject({
          maxfail: Number(value),
          info: expect.objectContaining({ count_auth_max: value, count_auth_success_max: value }),
        });
      }
      const info = await post('/token/info/VAL-C-1/count_auth_max', { value: INT32_MAX });
      expect(info.status).toBe(200);
      // The token still authenticates and counts with limits at the top of the INT range.
      const check = await t
        .http()
        .post('/validate/check')
        .send({ serial: 'VAL-C-1', pass: otpAt(RFC_KEY, 0) });
      expect(check.body.result.value).toBe(true);
      expect(await tokenInfo(t, 'VAL-C-1')).toMatchObject({
        failcount: 0,
        info: expect.objectContaining({ count_auth: '1', count_auth_success: '1' }),
      });
    });

    it('2147483648 is refused naming the parameter', async () => {
      for (const param of ['max_failcount', 'count_auth_max', 'count_auth_success_max']) {
        const res = await post('/token/set', { serial: 'VAL-C-1', [param]: '2147483648' });
        refused(res, param);
        expect(res.body.result.error.message).toContain(INT32_MAX);
      }
    });
  });
});
