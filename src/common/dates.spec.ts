import { formatPiDate, parsePiDate } from './dates';

describe('privacyIDEA dates', () => {
  it('formats in DATE_FORMAT (server zone UTC in tests)', () => {
    expect(formatPiDate(new Date(Date.UTC(2024, 0, 31, 13, 5)))).toBe('2024-01-31T13:05+0000');
  });

  it('parses ISO with either zone style, and round-trips its own format', () => {
    expect(parsePiDate('2025-03-01T10:00+0100')?.toISOString()).toBe('2025-03-01T09:00:00.000Z');
    expect(parsePiDate('2025-03-01T10:00:30+01:00')?.toISOString()).toBe(
      '2025-03-01T09:00:30.000Z',
    );
    expect(parsePiDate('2025-03-01')?.toISOString()).toBe('2025-03-01T00:00:00.000Z');
    const d = new Date(Date.UTC(2030, 5, 1, 8, 30));
    expect(parsePiDate(formatPiDate(d))?.getTime()).toBe(d.getTime());
  });

  it('parses the legacy day-first format', () => {
    expect(parsePiDate('01/03/25 10:00')?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
  });

  it.each(['tomorrow', '2025-13-01', '2025-02-30', '', '32/01/25 10:00'])('refuses %p', (t) => {
    expect(parsePiDate(t)).toBeUndefined();
  });
});
