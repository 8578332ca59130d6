import { authenticationOf, errorEnvelope, successEnvelope } from './envelope';

const V = { version: 'privacyIDEA 3.13', versionnumber: '3.13' };

describe('envelopes', () => {
  it('computes result.authentication in privacyIDEA order', () => {
    expect(authenticationOf(true, {})).toBe('ACCEPT');
    expect(authenticationOf(false, { multi_challenge: [{}] })).toBe('CHALLENGE');
    expect(authenticationOf(2, { multi_challenge: [{}, {}] })).toBe('CHALLENGE');
    expect(authenticationOf(0, { multi_challenge: [] })).toBe('REJECT');
    expect(authenticationOf(false, { challenge_status: 'declined' })).toBe('DECLINED');
    expect(authenticationOf(false, { challenge_status: 'cancelled' })).toBe('DECLINED');
    expect(authenticationOf(false, { challenge_status: 'pending' })).toBe('REJECT');
  });

  it('adds authentication only for id 2 and detail only when non-empty', () => {
    const mgmt = successEnvelope(V, true);
    expect(mgmt).not.toHaveProperty('detail');
    expect(mgmt.result).toEqual({ status: true, value: true });
    const auth = successEnvelope(V, false, { message: 'wrong otp pin' }, 2);
    expect(auth.result.authentication).toBe('REJECT');
    expect(auth.detail).toEqual({ message: 'wrong otp pin', threadid: expect.any(Number) });
  });

  it('reports a threadid that is stable in the process but reveals nothing about it', () => {
    const a = successEnvelope(V, true, { x: 1 }).detail!.threadid as number;
    const b = errorEnvelope(V, 905, 'e', { y: 1 }).detail!.threadid;
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(b).toBe(a);
    expect(a).not.toBe(process.pid);
    // The old value was pid * 1000 + worker thread id.
    expect(Math.floor(a / 1000)).not.toBe(process.pid);
  });

  it('builds error envelopes without versionnumber', () => {
    const err = errorEnvelope(V, 905, 'ERR905: Missing parameter: serial');
    expect(err).toMatchObject({ detail: null, result: { status: false, error: { code: 905 } } });
    expect(err).not.toHaveProperty('versionnumber');
  });
});
