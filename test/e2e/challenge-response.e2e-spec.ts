import { createHash } from 'node:crypto';
import { computeOcra } from '../../src/crypto/ocra/ocra';
import { OcraSuite } from '../../src/crypto/ocra/ocra-suite';
import {
  enrollHotp,
  RFC_KEY,
  RFC_OTPS,
  startTestApp,
  TestApp,
  tokenInfo,
} from '../helpers/test-app';

const OCRA_KEY = RFC_KEY;
const QH40 = 'OCRA-1:HOTP-SHA1-8:QH40';
const answer = (question: string, suite = QH40, key = OCRA_KEY) =>
  computeOcra(OcraSuite.parse(suite), Buffer.from(key, 'hex'), { question });

describe('challenge-response (OCRA, HOTP) through /validate', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      OCRA_CHALLENGE_VALIDITY_TIME: '120',
      CHALLENGE_CLEANUP_INTERVAL: '3600',
    });
  });
  afterAll(() => t.close());

  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);
  const enrollOcra = async (fields: Record<string, string>) => {
    const res = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'ocra', otpkey: OCRA_KEY, ...fields });
    expect(res.status).toBe(200);
    return res.body.detail.serial as string;
  };

  it('triggers with the PIN, accepts the right answer once, and deletes the challenge', async () => {
    const serial = await enrollOcra({ user: 'olga', pin: 'op' });
    expect(serial).toMatch(/^OCRA\d{4}[0-9A-F]{4}$/);
    const trigger = await check({ user: 'olga', pass: 'op' });
    expect(trigger.body.result).toMatchObject({
      status: true,
      value: false,
      authentication: 'CHALLENGE',
    });
    const d = trigger.body.detail;
    expect(d.transaction_id).toMatch(/^\d{20}$/);
    expect(d.multi_challenge).toHaveLength(1);
    expect(d.multi_challenge[0]).toMatchObject({
      serial,
      type: 'ocra',
      client_mode: 'interactive',
      message: 'Please answer the challenge',
      transaction_id: d.transaction_id,
    });
    const question = d.multi_challenge[0].attributes.challenge as string;
    expect(question).toMatch(/^[0-9a-f]{40}$/);
    expect(d).toMatchObject({
      messages: ['Please answer the challenge'],
      transaction_ids: [d.transaction_id],
    });
    expect(d.serial).toBe(serial);
    expect(d.preferred_client_mode).toBe('interactive');

    const ok = await check({
      user: 'olga',
      transaction_id: d.transaction_id,
      pass: answer(question),
    });
    expect(ok.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(ok.body.detail).toMatchObject({ message: 'Found matching challenge', serial });

    const reuse = await check({
      user: 'olga',
      transaction_id: d.transaction_id,
      pass: answer(question),
    });
    expect(reuse.body.result.value).toBe(false);
    expect(reuse.body.detail.message).toBe('wrong otp pin');
    const listed = await t.http().get(`/token/challenges/${serial}`).set('Authorization', t.admin);
    expect(listed.body.result.value.count).toBe(0);
  });

  it('counts a wrong answer on the challenge and the fail counter, and keeps the challenge', async () => {
    const serial = await enrollOcra({ user: 'pete', pin: 'pp' });
    const d = (await check({ user: 'pete', pass: 'pp' })).body.detail;
    const wrong = await check({ user: 'pete', state: d.transaction_id, pass: '12345678' });
    expect(wrong.body.result.value).toBe(false);
    expect(wrong.body.detail).toMatchObject({
      message: 'Response did not match the challenge.',
      serial,
      type: 'ocra',
    });
    expect((await tokenInfo(t, serial)).failcount).toBe(1);
    const listed = await t
      .http()
      .get('/token/challenges/')
      .query({ serial })
      .set('Authorization', t.admin);
    expect(listed.body.result.value.challenges[0]).toMatchObject({
      transaction_id: d.transaction_id,
      received_count: 1,
      otp_received: true,
      otp_valid: false,
    });
    // The right answer still works afterwards (legacy `state` alias).
    const q = d.multi_challenge[0].attributes.challenge as string;
    expect(
      (await check({ user: 'pete', state: d.transaction_id, pass: answer(q) })).body.result.value,
    ).toBe(true);
    expect((await tokenInfo(t, serial)).failcount).toBe(0);
  });

  it('mixes server randomness into a question given on unauthenticated /validate/check', async () => {
    const serial = await enrollOcra({ user: 'quinn', pin: 'qq' });
    const res = await check({
      user: 'quinn',
      pass: 'qq',
      challenge: 'transfer 100 EUR',
      hashchallenge: '1',
    });
    const attrs = res.body.detail.multi_challenge[0].attributes;
    expect(attrs.original_challenge).toMatch(/^transfer 100 EUR[A-Za-z0-9]{8}$/);
    expect(attrs.qrcode).toMatch(/^data:image\/png;base64,/);
    const sha1 = createHash('sha1')
      .update(attrs.original_challenge as string)
      .digest('hex');
    expect(attrs.challenge).toBe(sha1);
    const ok = await check({
      serial,
      transaction_id: res.body.detail.transaction_id,
      pass: answer(sha1),
    });
    expect(ok.body.result.value).toBe(true);
    const rnd = await check({
      user: 'quinn',
      pass: 'qq',
      challenge: 'abc',
      addrandomchallenge: '5',
      hashchallenge: 'sha1',
    });
    expect(rnd.body.detail.multi_challenge[0].attributes.original_challenge).toMatch(
      /^abc[A-Za-z0-9]{5}[A-Za-z0-9]{3}$/,
    );
    // Without hashing the server's part uses the suite's alphabet, so the question stays valid.
    const hex = await check({ user: 'quinn', pass: 'qq', challenge: 'c0ffee' });
    expect(hex.body.detail.multi_challenge[0].attributes.challenge).toMatch(/^c0ffee[0-9a-f]{8}$/);
  });

  it('never accepts one observed (question, response) pair twice', async () => {
    const serial = await enrollOcra({ user: 'rory', pin: 'rr' });
    const fixed = '0123456789abcdef';
    const first = await check({ user: 'rory', pass: 'rr', challenge: fixed });
    const q1 = first.body.detail.multi_challenge[0].attributes.challenge as string;
    const observed = answer(q1);
    const tid1 = first.body.detail.transaction_id as string;
    expect((await check({ serial, transaction_id: tid1, pass: observed })).body.result.value).toBe(
      true,
    );
    // The attacker asks for the same question again and replays the observed response.
    for (let i = 0; i < 5; i++) {
      const again = await check({ user: 'rory', pass: 'rr', challenge: fixed });
      const q = again.body.detail.multi_challenge[0].attributes.challenge as string;
      expect(q).not.toBe(q1);
      const replay = await check({
        serial,
        transaction_id: again.body.detail.transaction_id,
        pass: observed,
      });
      expect(replay.body.result.value).toBe(false);
    }
    await t.http().post('/token/reset').set('Authorization', t.admin).send({ serial });
  });

  it('takes a fully chosen question (transaction signing) only from an admin trigger', async () => {
    const serial = await enrollOcra({ user: 'sven', pin: 'ss' });
    const trig = await t
      .http()
      .post('/validate/triggerchallenge')
      .set('Authorization', t.admin)
      .send({ serial, challenge: 'transfer 100 EUR', hashchallenge: '1' });
    const attrs = trig.body.detail.multi_challenge[0].attributes;
    expect(attrs.original_challenge).toBe('transfer 100 EUR');
    const sha1 = createHash('sha1').update('transfer 100 EUR').digest('hex');
    expect(attrs.challenge).toBe(sha1);
    const ok = await check({
      serial,
      transaction_id: trig.body.detail.transaction_id,
      pass: answer(sha1),
    });
    expect(ok.body.result.value).toBe(true);
    // The same answer to the consumed transaction is refused.
    const replay = await check({
      serial,
      transaction_id: trig.body.detail.transaction_id,
      pass: answer(sha1),
    });
    expect(replay.body.result.value).toBe(false);
  });

  it('rejects an answer after the challenge expired', async () => {
    const short = await startTestApp({
      OCRA_CHALLENGE_VALIDITY_TIME: '1',
      CHALLENGE_CLEANUP_INTERVAL: '3600',
    });
    try {
      await short
        .http()
        .post('/token/init')
        .set('Authorization', short.admin)
        .send({ type: 'ocra', otpkey: OCRA_KEY, user: 'rita', serial: 'OCRAEXP1' });
      const d = (await short.http().post('/validate/check').send({ user: 'rita', pass: '' })).body
        .detail;
      const q = d.multi_challenge[0].attributes.challenge as string;
      await new Promise((r) => setTimeout(r, 2100));
      const late = await short
        .http()
        .post('/validate/check')
        .send({ user: 'rita', transaction_id: d.transaction_id, pass: answer(q) });
      expect(late.body.result.value).toBe(false);
      expect(late.body.detail.message).toBe('Response did not match the challenge.');
    } finally {
      await short.close();
    }
  });

  it('sends one transaction id for all challenge tokens of a user (multi-challenge) and any can answer', async () => {
    const ocra = await enrollOcra({ user: 'sam', pin: 'same' });
    const hotp = await enrollHotp(t, { user: 'sam', pin: 'same' });
    const res = await check({ user: 'sam', pass: 'same' });
    const d = res.body.detail;
    expect(res.body.result.authentication).toBe('CHALLENGE');
    expect(d.multi_challenge.map((c: { serial: string }) => c.serial).sort()).toEqual(
      [hotp, ocra].sort(),
    );
    expect(
      new Set(d.multi_challenge.map((c: { transaction_id: string }) => c.transaction_id)),
    ).toEqual(new Set([d.transaction_id]));
    expect(d.transaction_ids).toEqual([d.transaction_id, d.transaction_id]);
    expect(d.messages).toHaveLength(2);
    expect(d.message.split(', ').sort()).toEqual(
      ['Please answer the challenge', 'please enter otp: '].sort(),
    );
    // HOTP answers with its current OTP (no PIN); all rows of the transaction are consumed.
    const ok = await check({ user: 'sam', transaction_id: d.transaction_id, pass: RFC_OTPS[0] });
    expect(ok.body.result.value).toBe(true);
    expect(ok.body.detail.serial).toBe(hotp);
    const q = d.multi_challenge.find((c: { type: string }) => c.type === 'ocra').attributes
      .challenge;
    expect(
      (await check({ user: 'sam', transaction_id: d.transaction_id, pass: answer(q) })).body.result
        .value,
    ).toBe(false);
  });

  it('/validate/triggerchallenge creates challenges without PIN for admins only', async () => {
    const ocra = await enrollOcra({ user: 'tina', pin: 'secret-never-sent' });
    const hotp = await enrollHotp(t, { user: 'tina', pin: 'x' });
    const noAuth = await t.http().post('/validate/triggerchallenge').send({ user: 'tina' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.result.error.code).toBe(4033);
    const asUser = await t
      .http()
      .post('/validate/triggerchallenge')
      .set('Authorization', await t.tokenFor('user', 'tina'))
      .send({ user: 'tina' });
    expect(asUser.status).toBe(401);
    expect(asUser.body.result.error.code).toBe(4306);
    const res = await t
      .http()
      .post('/validate/triggerchallenge')
      .set('Authorization', t.admin)
      .send({ user: 'tina' });
    expect(res.body.result).toMatchObject({ status: true, value: 2, authentication: 'CHALLENGE' });
    expect(res.body.id).toBe(2);
    expect(res.body.detail.multi_challenge.map((c: { serial: string }) => c.serial).sort()).toEqual(
      [hotp, ocra].sort(),
    );
    const typed = await t
      .http()
      .get('/validate/triggerchallenge')
      .query({ user: 'tina', type: 'ocra' })
      .set('Authorization', t.admin);
    expect(typed.body.result.value).toBe(1);
    const none = await t
      .http()
      .post('/validate/triggerchallenge')
      .set('Authorization', t.admin)
      .send({ user: 'nobody-here' });
    expect(none.body.result).toMatchObject({ value: 0, authentication: 'REJECT' });
    expect(none.body.detail).toMatchObject({
      messages: [],
      transaction_ids: [],
      multi_challenge: [],
    });
    // the fail counter is never touched by triggering
    expect((await tokenInfo(t, ocra)).failcount).toBe(0);
  });

  it('/validate/polltransaction reports pending, never consumes, and false for unknown ids', async () => {
    await enrollOcra({ user: 'uma' });
    const d = (
      await t
        .http()
        .post('/validate/triggerchallenge')
        .set('Authorization', t.admin)
        .send({ user: 'uma' })
    ).body.detail;
    for (let i = 0; i < 2; i++) {
      const poll = await t
        .http()
        .get('/validate/polltransaction')
        .query({ transaction_id: d.transaction_id });
      expect(poll.body.id).toBe(2);
      expect(poll.body.result).toMatchObject({
        status: true,
        value: false,
        authentication: 'REJECT',
      });
      expect(poll.body.detail.challenge_status).toBe('pending');
    }
    const byPath = await t.http().get(`/validate/polltransaction/${d.transaction_id}`);
    expect(byPath.body.detail.challenge_status).toBe('pending');
    for (const id of ['00000000000000000000', '*', 'x'.repeat(100)]) {
      const unknown = await t.http().get('/validate/polltransaction').query({ transaction_id: id });
      expect(unknown.status).toBe(200);
      expect(unknown.body.result.value).toBe(false);
      expect(unknown.body.detail.challenge_status).toBe('pending');
    }
    const missing = await t.http().get('/validate/polltransaction');
    expect(missing.status).toBe(400);
    expect(missing.body.result.error.message).toContain('Missing parameter: transaction_id');
    // the challenge still answers after polling
    const q = d.multi_challenge[0].attributes.challenge;
    expect(
      (await check({ user: 'uma', transaction_id: d.transaction_id, pass: answer(q) })).body.result
        .value,
    ).toBe(true);
  });

  it('refuses invalid suites at init and leaves nothing behind', async () => {
    for (const suite of [
      'OCRA-1:HOTP-SHA3-6:QH10-S128',
      'OCRA-1:HOTP-SHA1-3:QN08',
      'OCRA-1:HOTP-SHA1-6:C-QN65-PSHA1',
      'foo',
    ]) {
      const res = await t
        .http()
        .post('/token/init')
        .set('Authorization', t.admin)
        .send({ type: 'ocra', otpkey: OCRA_KEY, ocrasuite: suite, serial: 'OCRABAD1' });
      expect(res.status).toBe(400);
      expect(res.body.result.error.code).toBe(905);
      expect(res.body.result.error.message).toMatch(/^ERR905: Invalid OCRA suite: /);
    }
    const list = await t
      .http()
      .get('/token/')
      .query({ serial: 'OCRABAD1' })
      .set('Authorization', t.admin);
    expect(list.body.result.value.count).toBe(0);
  });

  it('supports time-based suites with a one-step window and no replay of the same step', async () => {
    const suite = 'OCRA-1:HOTP-SHA1-6:QN08-T1M';
    const serial = await enrollOcra({ user: 'vic', ocrasuite: suite });
    const d = (await check({ user: 'vic', pass: '' })).body.detail;
    const q = d.multi_challenge[0].attributes.challenge as string;
    expect(q).toMatch(/^\d{8}$/);
    const step = Math.floor(Date.now() / 60000);
    const resp = computeOcra(OcraSuite.parse(suite), Buffer.from(OCRA_KEY, 'hex'), {
      question: q,
      timestamp: step,
    });
    expect(
      (await check({ serial, transaction_id: d.transaction_id, pass: resp })).body.result.value,
    ).toBe(true);
    expect((await tokenInfo(t, serial)).count).toBeGreaterThanOrEqual(step - 1);
  });
});
