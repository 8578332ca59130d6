import { createCipheriv, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { computeOcra } from '../../src/crypto/ocra/ocra';
import { OcraSuite } from '../../src/crypto/ocra/ocra-suite';
import { base32check } from '../helpers/envelope-assert';
import { isMysql, otpAt, RFC_KEY, startTestApp, TestApp } from '../helpers/test-app';

/** The ENCRYPTION_KEY startTestApp sets. */
const TEST_ENCRYPTION_KEY = Buffer.from('00'.repeat(16) + '11'.repeat(16), 'hex');
const KEY_A = 'a1'.repeat(20);
const QH40 = 'OCRA-1:HOTP-SHA1-8:QH40';

/** A value as earlier versions sealed it: "v1:" + base64(iv || tag || ct), AAD = purpose only. */
function sealV1(plain: Buffer | string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', TEST_ENCRYPTION_KEY, iv);
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return 'v1:' + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

async function column(t: TestApp, serial: string, name: string): Promise<string | null> {
  const rows: Record<string, string | null>[] = await t.app
    .get(DataSource)
    .query(`SELECT ${name} AS v FROM token WHERE serial = ?`, [serial]);
  return rows[0]?.v ?? null;
}

async function setColumn(t: TestApp, serial: string, name: string, value: string): Promise<void> {
  await t.app
    .get(DataSource)
    .query(`UPDATE token SET ${name} = ? WHERE serial = ?`, [value, serial]);
}

function init(t: TestApp, fields: Record<string, string>) {
  return t.http().post('/token/init').set('Authorization', t.admin).type('form').send(fields);
}

function check(t: TestApp, fields: Record<string, string>) {
  return t.http().post('/validate/check').type('form').send(fields);
}

async function tokenCount(t: TestApp, serial: string): Promise<number> {
  const res = await t.http().get('/token/').query({ serial }).set('Authorization', t.admin);
  return res.body.result.value.count as number;
}

async function challengeRows(t: TestApp, serial: string): Promise<number> {
  const rows: { n: number | string }[] = await t.app
    .get(DataSource)
    .query('SELECT COUNT(*) AS n FROM challenge WHERE serial = ?', [serial]);
  return Number(rows[0].n);
}

describe('token secrets: row-bound encryption, minimum key length, OCRA challenge cap', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('AES-GCM values are bound to their token (issue 7.13)', () => {
    it("a key copied from token A into B's row does not decrypt: B is unusable (clean 400), A still works", async () => {
      expect((await init(t, { type: 'hotp', serial: 'BOXA', otpkey: KEY_A })).status).toBe(200);
      expect((await init(t, { type: 'hotp', serial: 'BOXB', otpkey: RFC_KEY })).status).toBe(200);
      // Warm the key cache with A's value first: the cache must not bypass the binding.
      expect((await check(t, { serial: 'BOXA', pass: otpAt(KEY_A, 0) })).body.result.value).toBe(
        true,
      );
      await setColumn(t, 'BOXB', 'key_enc', (await column(t, 'BOXA', 'key_enc'))!);

      // Whoever knows A's key now tries to log in with B.
      for (const pass of [otpAt(KEY_A, 1), otpAt(KEY_A, 2), otpAt(RFC_KEY, 0)]) {
        const res = await check(t, { serial: 'BOXB', pass });
        expect(res.status).toBe(400);
        expect(res.body.result.status).toBe(false);
        expect(res.body.result.error.code).toBe(301);
        expect(res.body.result.error.message).toMatch(/key of token BOXB is missing or invalid/);
        expect(JSON.stringify(res.body)).not.toContain(KEY_A);
      }
      const b = await t
        .http()
        .get('/token/')
        .query({ serial: 'BOXB' })
        .set('Authorization', t.admin);
      expect(b.body.result.value.tokens[0].failcount).toBe(0);
      expect((await check(t, { serial: 'BOXA', pass: otpAt(KEY_A, 1) })).body.result.value).toBe(
        true,
      );
    });

    it('the same holds for OCRA answers (challenge-response path)', async () => {
      expect((await init(t, { type: 'ocra', serial: 'BOXOA', otpkey: KEY_A })).status).toBe(200);
      expect((await init(t, { type: 'ocra', serial: 'BOXOB', otpkey: RFC_KEY })).status).toBe(200);
      await setColumn(t, 'BOXOB', 'key_enc', (await column(t, 'BOXOA', 'key_enc'))!);
      const trigger = await t
        .http()
        .post('/validate/triggerchallenge')
        .set('Authorization', t.admin)
        .send({ serial: 'BOXOB' });
      expect(trigger.status).toBe(200);
      const question = trigger.body.detail.attributes.challenge as string;
      const res = await check(t, {
        serial: 'BOXOB',
        transaction_id: trigger.body.detail.transaction_id,
        pass: computeOcra(OcraSuite.parse(QH40), Buffer.from(KEY_A, 'hex'), { question }),
      });
      expect(res.status).toBe(400);
      expect(res.body.result.error.code).toBe(301);
    });

    it('a missing or garbled key is the same clean error, never a 500 or an empty HMAC key', async () => {
      expect((await init(t, { type: 'hotp', serial: 'BOXC', otpkey: RFC_KEY })).status).toBe(200);
      for (const garbled of ['v2:AAAA', 'v2:%%%', 'v1:' + 'A'.repeat(24), 'v9:xyz']) {
        await setColumn(t, 'BOXC', 'key_enc', garbled);
        const res = await check(t, { serial: 'BOXC', pass: otpAt(RFC_KEY, 0) });
        expect(res.status).toBe(400);
        expect(res.body.result.error.code).toBe(301);
      }
      await t.app.get(DataSource).query("UPDATE token SET key_enc = NULL WHERE serial = 'BOXC'");
      // The OTP of an empty HMAC key is what anyone would compute for a token without key.
      const res = await check(t, { serial: 'BOXC', pass: otpAt('', 0) });
      expect(res.status).toBe(400);
      expect(res.body.result.value).toBeUndefined();
    });
  });

  describe('minimum OTP key length (issue 7.7)', () => {
    const refused = async (fields: Record<string, string>, serial: string) => {
      const res = await init(t, { serial, ...fields });
      expect(res.status).toBe(400);
      expect(res.body.result.error.code).toBe(905);
      expect(res.body.result.error.message).toMatch(/at least 16 required/);
      expect(await tokenCount(t, serial)).toBe(0);
    };

    it('init refuses a 15-byte key for HOTP, TOTP and OCRA and accepts 16 bytes', async () => {
      for (const type of ['hotp', 'totp', 'ocra']) {
        await refused({ type, otpkey: 'ab'.repeat(15) }, `SHORT-${type}`);
        expect(
          (await init(t, { type, serial: `MIN16-${type}`, otpkey: 'ab'.repeat(16) })).status,
        ).toBe(200);
      }
    });

    it('refuses a base32check value holding only the checksum (an empty key) and short ones', async () => {
      for (const [i, payload] of [Buffer.alloc(0), Buffer.alloc(15, 1)].entries()) {
        await refused(
          { type: 'hotp', otpkey: base32check(payload), otpkeyformat: 'base32check' },
          `B32C-${i}`,
        );
      }
    });

    it('refuses a generated key shorter than the minimum (keysize)', async () => {
      await refused({ type: 'hotp', genkey: '1', keysize: '12' }, 'GENKEY-12');
      await refused({ type: 'ocra', genkey: '1', keysize: '12' }, 'GENKEY-OCRA-12');
      expect((await init(t, { type: 'hotp', genkey: '1', keysize: '16' })).status).toBe(200);
    });

    it('an import with a short key records an error and imports nothing of it (CSV)', async () => {
      const csv = Buffer.from(
        `csvgood01, ${RFC_KEY}, hotp, 6\ncsvshort01, ${'ab'.repeat(15)}, hotp, 6\ncsvocra01, ${'ab'.repeat(10)}, ocra, ${QH40}\n`,
      );
      const load = (partial: boolean) => {
        let req = t
          .http()
          .post('/token/load/short.csv')
          .set('Authorization', t.admin)
          .attach('file', csv, 'short.csv')
          .field('type', 'oathcsv');
        if (partial) req = req.field('partial', '1');
        return req;
      };
      const all = await load(false);
      expect(all.status).toBe(400);
      expect(all.body.result.error.code).toBe(304);
      expect(all.body.detail.errors).toEqual([
        expect.objectContaining({
          serial: 'csvshort01',
          reason: expect.stringMatching(/15 bytes/),
        }),
        expect.objectContaining({ serial: 'csvocra01', reason: expect.stringMatching(/10 bytes/) }),
      ]);
      expect(await tokenCount(t, 'csvgood01')).toBe(0);
      const partial = await load(true);
      expect(partial.status).toBe(200);
      expect(partial.body.detail.imported).toEqual(['csvgood01']);
      expect(await tokenCount(t, 'csvshort01')).toBe(0);
      expect(await tokenCount(t, 'csvocra01')).toBe(0);
    });

    it('an import with a short key records an error and imports nothing of it (PSKC)', async () => {
      const pkg = (serial: string, key: Buffer) => `
  <KeyPackage>
    <DeviceInfo><SerialNo>${serial}</SerialNo></DeviceInfo>
    <Key Id="${serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>${key.toString('base64')}</PlainValue></Secret>
        <Counter><PlainValue>0</PlainValue></Counter>
      </Data>
    </Key>
  </KeyPackage>`;
      const xml = Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">${pkg('PSKCGOOD1', Buffer.from(RFC_KEY, 'hex'))}${pkg('PSKCSHORT1', Buffer.alloc(8, 3))}
</KeyContainer>`,
      );
      const res = await t
        .http()
        .post('/token/load/short.xml')
        .set('Authorization', t.admin)
        .attach('file', xml, 'short.xml')
        .field('type', 'pskc')
        .field('partial', '1');
      expect(res.status).toBe(200);
      expect(res.body.detail.imported).toEqual(['PSKCGOOD1']);
      expect(res.body.detail.errors).toEqual([
        expect.objectContaining({ serial: 'PSKCSHORT1', reason: expect.stringMatching(/8 bytes/) }),
      ]);
      expect(await tokenCount(t, 'PSKCSHORT1')).toBe(0);
    });
  });

  describe('OCRA challenge text is capped (issue 7.14)', () => {
    beforeAll(async () => {
      expect(
        (
          await init(t, {
            type: 'ocra',
            serial: 'OCRACAP1',
            otpkey: RFC_KEY,
            user: 'oscar',
            pin: 'op',
          })
        ).status,
      ).toBe(200);
    });

    it('/validate/check with a 1 kB challenge → 400 and no challenge row', async () => {
      const res = await check(t, {
        user: 'oscar',
        pass: 'op',
        challenge: 'x'.repeat(1000),
        hashchallenge: '1',
        addrandomchallenge: '64',
      });
      expect(res.status).toBe(400);
      expect(res.body.result.error.code).toBe(905);
      expect(res.body.result.error.message).toMatch(/challenge: longer than 64 characters/);
      expect(JSON.stringify(res.body).length).toBeLessThan(1000);
      expect(await challengeRows(t, 'OCRACAP1')).toBe(0);
    });

    it('/validate/triggerchallenge with a 1 kB challenge → 400 and no challenge row', async () => {
      const res = await t
        .http()
        .post('/validate/triggerchallenge')
        .set('Authorization', t.admin)
        .send({ serial: 'OCRACAP1', challenge: 'y'.repeat(1000), hashchallenge: 'sha1' });
      expect(res.status).toBe(400);
      expect(res.body.result.error.code).toBe(905);
      expect(await challengeRows(t, 'OCRACAP1')).toBe(0);
    });

    it('addrandomchallenge above 64 is refused; the largest accepted request has a small reply', async () => {
      const tooMuch = await check(t, {
        user: 'oscar',
        pass: 'op',
        challenge: 'pay 10 EUR',
        hashchallenge: '1',
        addrandomchallenge: '1024',
      });
      expect(tooMuch.status).toBe(400);
      expect(await challengeRows(t, 'OCRACAP1')).toBe(0);
      const largest = await check(t, {
        user: 'oscar',
        pass: 'op',
        challenge: 'é'.repeat(64),
        hashchallenge: '1',
        addrandomchallenge: '64',
      });
      expect(largest.status).toBe(200);
      expect(largest.body.result.authentication).toBe('CHALLENGE');
      expect(largest.body.detail.attributes.original_challenge).toHaveLength(128);
      expect(JSON.stringify(largest.body).length).toBeLessThan(16_000);
      expect(await challengeRows(t, 'OCRACAP1')).toBe(1);
    });
  });
});

describe('MIN_OTPKEY_BYTES=10 (issue 7.7)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ MIN_OTPKEY_BYTES: '10' });
  });
  afterAll(() => t.close());

  it('allows a 10-byte key, and still refuses 9 bytes', async () => {
    const ok = await init(t, { type: 'hotp', serial: 'TEN1', otpkey: 'cd'.repeat(10) });
    expect(ok.status).toBe(200);
    expect(
      (await check(t, { serial: 'TEN1', pass: otpAt('cd'.repeat(10), 0) })).body.result.value,
    ).toBe(true);
    const nine = await init(t, { type: 'hotp', serial: 'NINE1', otpkey: 'cd'.repeat(9) });
    expect(nine.status).toBe(400);
    expect(nine.body.result.error.message).toMatch(/9 bytes, at least 10 required/);
  });
});

describe('legacy (v1) secrets (issue 7.13)', () => {
  const dbPath = `/tmp/mfa-e2e-c-legacy-${process.pid}.sqlite`;
  const env: Record<string, string> = isMysql() ? {} : { DB_PATH: dbPath };
  const removeDb = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  };
  beforeAll(removeDb);
  afterAll(removeDb);

  it('are still read, and rewritten in the row-bound format at start-up', async () => {
    const first = await startTestApp(env);
    try {
      expect((await init(first, { type: 'hotp', serial: 'LEGACY1', otpkey: RFC_KEY })).status).toBe(
        200,
      );
      // As an earlier version wrote them.
      await setColumn(first, 'LEGACY1', 'key_enc', sealV1(Buffer.from(RFC_KEY, 'hex'), 'otpkey'));
      await setColumn(first, 'LEGACY1', 'user_pin_enc', sealV1('1234', 'userpin'));
      expect(
        (await check(first, { serial: 'LEGACY1', pass: otpAt(RFC_KEY, 0) })).body.result.value,
      ).toBe(true);
    } finally {
      await first.close();
    }

    const second = await startTestApp(env, [], { freshDatabase: false });
    try {
      expect(await column(second, 'LEGACY1', 'key_enc')).toMatch(/^v2:/);
      expect(await column(second, 'LEGACY1', 'user_pin_enc')).toMatch(/^v2:/);
      expect(
        (await check(second, { serial: 'LEGACY1', pass: otpAt(RFC_KEY, 1) })).body.result.value,
      ).toBe(true);
    } finally {
      await second.close();
    }
  });
});
