import { Token } from './entities/token.entity';
import { TokenRecord } from './token-record';
import { failcounterClearDue, fitnessProblem } from './token-fitness';

function token(row: Partial<Token>, info: Record<string, string> = {}): TokenRecord {
  const base = {
    active: true,
    failcount: 0,
    maxfail: 10,
    countAuth: 0,
    countAuthSuccess: 0,
    rolloutState: 'enrolled',
  };
  return new TokenRecord({ ...base, ...row } as Token, new Map(Object.entries(info)));
}

describe('token fitness (check_all order)', () => {
  const now = new Date('2026-06-01T12:00:00Z');

  it('reports the first failing check', () => {
    expect(fitnessProblem(token({}), now)).toBeUndefined();
    expect(fitnessProblem(token({ active: false, failcount: 10 }), now)).toBe('Token is disabled');
    expect(fitnessProblem(token({ failcount: 10 }), now)).toBe('Failcounter exceeded');
    expect(
      fitnessProblem(token({ countAuth: 5, active: false }, { count_auth_max: '5' }), now),
    ).toBe('Authentication counter exceeded');
    expect(fitnessProblem(token({ rolloutState: 'clientwait' }), now)).toBe(
      'Token is not yet enrolled',
    );
  });

  it('honours both ends of the validity period', () => {
    expect(fitnessProblem(token({}, { validity_period_end: '2026-05-31T12:00+0000' }), now)).toBe(
      'Outside validity period',
    );
    expect(fitnessProblem(token({}, { validity_period_start: '2026-06-02T00:00+0000' }), now)).toBe(
      'Outside validity period',
    );
    expect(
      fitnessProblem(
        token(
          {},
          {
            validity_period_start: '2026-05-01T00:00+0000',
            validity_period_end: '2026-07-01T00:00+0000',
          },
        ),
        now,
      ),
    ).toBeUndefined();
  });

  it('an unparsable stored validity date makes the token unusable (fails closed)', () => {
    for (const key of ['validity_period_start', 'validity_period_end']) {
      for (const bad of ['garbage', '2026-13-01', '31/02/2026x', ' ']) {
        expect(fitnessProblem(token({}, { [key]: bad }), now)).toBe('Outside validity period');
      }
    }
    // An empty value means "no limit", as /token/set writes it.
    expect(fitnessProblem(token({}, { validity_period_end: '' }), now)).toBeUndefined();
  });

  it('clears a maxed fail counter only after the timeout', () => {
    const t = token({ failcount: 10 }, { failcounter_exceeded: '2026-06-01T11:50+0000' });
    expect(failcounterClearDue(t, 5, now)).toBe(true);
    expect(failcounterClearDue(t, 15, now)).toBe(false);
    expect(failcounterClearDue(t, 0, now)).toBe(false);
    expect(
      failcounterClearDue(
        token({ failcount: 3 }, { failcounter_exceeded: '2026-06-01T11:00+0000' }),
        5,
        now,
      ),
    ).toBe(false);
  });
});
