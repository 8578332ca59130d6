import { ChallengeService } from '../../src/challenge/challenge.service';
import { TestOobModule } from '../helpers/oob-token-type';
import { startTestApp, TestApp, tokenInfo } from '../helpers/test-app';

/**
 * The out-of-band flow TiQR and Push ride on, driven through a test-only token type that is
 * registered as one extra provider: trigger → the device confirms at /ttype → the RP polls →
 * the RP finalizes with an empty pass.
 */
describe('out-of-band challenges (poll + finalize)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, [TestOobModule]);
  });
  afterAll(() => t.close());

  const check = (params: Record<string, string>) =>
    t.http().post('/validate/check').type('form').send(params);
  const enroll = async (user: string) => {
    const res = await t
      .http()
      .post('/token/init')
      .set('Authorization', t.admin)
      .send({ type: 'testoob', user, pin: 'pw' });
    expect(res.status).toBe(200);
    expect(res.body.detail.serial).toMatch(/^TOOB\d{4}/);
    return res.body.detail.serial as string;
  };
  const trigger = async (user: string) => {
    const res = await check({ user, pass: 'pw' });
    expect(res.body.result.authentication).toBe('CHALLENGE');
    expect(res.body.detail.multi_challenge[0]).toMatchObject({
      client_mode: 'poll',
      type: 'testoob',
    });
    expect(res.body.detail.preferred_client_mode).toBe('poll');
    return res.body.detail.transaction_id as string;
  };
  const poll = (tid: string) =>
    t.http().get('/validate/polltransaction').query({ transaction_id: tid });

  it('pending until confirmed, accept after, and only the finalizing check authenticates (once)', async () => {
    const serial = await enroll('oob1');
    const tid = await trigger('oob1');
    expect((await poll(tid)).body.detail.challenge_status).toBe('pending');

    // Finalizing before the device answered fails, without touching the fail counter.
    const early = await check({ user: 'oob1', transaction_id: tid, pass: '' });
    expect(early.body.result).toMatchObject({ value: false, authentication: 'REJECT' });
    expect(early.body.detail).toMatchObject({
      message: 'Response did not match the challenge.',
      serial,
    });
    expect((await tokenInfo(t, serial)).failcount).toBe(0);

    const confirm = await t
      .http()
      .post('/ttype/testoob')
      .type('form')
      .send({ serial, transaction_id: tid });
    expect(confirm.status).toBe(200);
    expect(confirm.type).toBe('text/plain');
    expect(confirm.text).toBe('OK');
    const polled = await poll(tid);
    expect(polled.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(polled.body.detail.challenge_status).toBe('accept');
    expect((await poll(tid)).body.result.value).toBe(true); // polling never consumes

    // `pass` may be absent with a transaction_id (treated as empty).
    const fin = await check({ user: 'oob1', transaction_id: tid });
    expect(fin.body.result).toMatchObject({ value: true, authentication: 'ACCEPT' });
    expect(fin.body.detail).toMatchObject({ message: 'Found matching challenge', serial });
    expect((await check({ user: 'oob1', transaction_id: tid, pass: '' })).body.result.value).toBe(
      false,
    );
    expect((await poll(tid)).body.detail.challenge_status).toBe('pending');
  });

  it('a non-empty wrong answer to an out-of-band challenge counts as a failed attempt', async () => {
    const serial = await enroll('oob9');
    const tid = await trigger('oob9');
    const wrong = await check({ user: 'oob9', transaction_id: tid, pass: '123456' });
    expect(wrong.body.result.value).toBe(false);
    expect((await tokenInfo(t, serial)).failcount).toBe(1);
    // An empty pass (finalize before the device answered) still does not count.
    await check({ user: 'oob9', transaction_id: tid, pass: '' });
    expect((await tokenInfo(t, serial)).failcount).toBe(1);
  });

  it('30 concurrent confirmations mark the challenge once; 30 concurrent finalizations succeed once', async () => {
    const serial = await enroll('oob2');
    const tid = await trigger('oob2');
    const confirms = await Promise.all(
      Array.from({ length: 30 }, () =>
        t.http().post('/ttype/testoob').send({ serial, transaction_id: tid }),
      ),
    );
    expect(confirms.filter((r) => r.text === 'OK')).toHaveLength(1);
    expect(confirms.every((r) => r.status === 200)).toBe(true);
    const finals = await Promise.all(
      Array.from({ length: 30 }, () => check({ user: 'oob2', transaction_id: tid, pass: '' })),
    );
    expect(finals.every((r) => r.status === 200)).toBe(true);
    expect(finals.filter((r) => r.body.result.value === true)).toHaveLength(1);
  });

  it('reports a declined challenge as DECLINED while polling', async () => {
    const serial = await enroll('oob3');
    const tid = await trigger('oob3');
    const declined = await t
      .http()
      .post('/ttype/testoob')
      .send({ serial, transaction_id: tid, decline: '1' });
    expect(declined.text).toBe('OK');
    const res = await poll(tid);
    expect(res.body.result).toMatchObject({ value: false, authentication: 'DECLINED' });
    expect(res.body.detail.challenge_status).toBe('declined');
    // a declined challenge can no longer be confirmed
    const late = await t.http().post('/ttype/testoob').send({ serial, transaction_id: tid });
    expect(late.text).toBe('INVALID_CHALLENGE');
  });

  it('marks answered exactly once at the service level as well (CAS on otp_valid)', async () => {
    const challenges = t.app.get(ChallengeService);
    const row = await challenges.create({
      transactionId: challenges.newTransactionId(),
      serial: 'X',
      tokentype: 'testoob',
      challenge: '',
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => challenges.markAnswered(row.id)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("a finalize's wrong-answer bookkeeping never undoes the phone's answer", async () => {
    // The finalize read the row unanswered, then the phone answered, then the finalize counted
    // its miss: the row must stay answered (polltransaction true, a later finalize succeeds).
    const challenges = t.app.get(ChallengeService);
    const tid = challenges.newTransactionId();
    const row = await challenges.create({
      transactionId: tid,
      serial: 'Y',
      tokentype: 'testoob',
      challenge: '',
    });
    expect(await challenges.markAnswered(row.id)).toBe(true);
    await challenges.recordWrongAnswer(row.id);
    expect(await challenges.pollStatus(tid)).toBe('accept');
  });

  it('/ttype dispatch: unknown types and types without an app endpoint are 400s', async () => {
    const unknown = await t.http().get('/ttype/nosuch');
    expect(unknown.status).toBe(400);
    expect(unknown.body.result.error.message).toBe(
      'ERR905: Invalid tokentype provided. ttype: nosuch',
    );
    const hotp = await t.http().post('/ttype/HOTP');
    expect(hotp.status).toBe(400);
    expect(hotp.body.result.error.message).toBe('ERR905: hotp does not support the API endpoint');
  });
});
