import { parsePushTimestamp, withinSkew } from './push-timestamp';

const iso = (text: string) => parsePushTimestamp(text)?.toISOString();

describe('parsePushTimestamp (§6.2 rule 3)', () => {
  it('parses what the app sends', () => {
    expect(iso('2025-05-01T12:34:56.789012Z')).toBe('2025-05-01T12:34:56.789Z');
    expect(iso('2025-01-01T12:00:00.000Z')).toBe('2025-01-01T12:00:00.000Z');
  });

  it('parses numeric offsets and converts to UTC', () => {
    expect(iso('2025-05-01T12:34:56+00:00')).toBe('2025-05-01T12:34:56.000Z');
    expect(iso('2025-05-01T12:34:56-00:00')).toBe('2025-05-01T12:34:56.000Z');
    expect(iso('2025-05-01T12:34:56+0200')).toBe('2025-05-01T10:34:56.000Z');
    expect(iso('2025-05-01T12:34:56+02')).toBe('2025-05-01T10:34:56.000Z');
    expect(iso('2025-05-01T12:34:56.5-05:30')).toBe('2025-05-01T18:04:56.500Z');
    expect(iso('2025-05-01T00:10:00+01:00')).toBe('2025-04-30T23:10:00.000Z');
    expect(iso('2025-05-01T12:34:56z')).toBe('2025-05-01T12:34:56.000Z');
  });

  it('reads a naive timestamp as UTC, not server-local time', () => {
    expect(iso('2025-05-01T12:34:56.789012')).toBe('2025-05-01T12:34:56.789Z');
    expect(iso('2025-05-01T12:34')).toBe('2025-05-01T12:34:00.000Z');
  });

  it('accepts 1 to 9 (and more) fraction digits, truncated to milliseconds', () => {
    const expected = ['.1', '.12', '.123', '.123', '.123', '.123', '.123', '.123', '.123'];
    for (let n = 1; n <= 9; n++) {
      const frac = '123456789'.slice(0, n);
      expect(iso(`2025-05-01T12:34:56.${frac}Z`)).toBe(
        `2025-05-01T12:34:56${expected[n - 1].padEnd(4, '0')}Z`,
      );
    }
    expect(iso('2025-05-01T12:34:56.999999999999Z')).toBe('2025-05-01T12:34:56.999Z');
    expect(iso('2025-05-01T12:34:56,5Z')).toBe('2025-05-01T12:34:56.500Z'); // ISO decimal comma
  });

  it('accepts a space or lower-case t as separator (Python str(datetime); isoparse takes any)', () => {
    expect(iso('2025-05-01 12:34:56.789012')).toBe('2025-05-01T12:34:56.789Z');
    expect(iso('2025-05-01t12:34:56Z')).toBe('2025-05-01T12:34:56.000Z');
  });

  it('validates the calendar', () => {
    expect(parsePushTimestamp('2025-02-30T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-02-29T00:00:00Z')).toBeUndefined();
    expect(iso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(iso('2000-02-29T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(parsePushTimestamp('1900-02-29T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-04-31T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-13-01T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-00-01T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-00T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-01T24:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-01T12:60:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-01T12:00:60Z')).toBeUndefined();
    expect(parsePushTimestamp('0000-01-01T00:00:00Z')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-01T12:00:00+24:00')).toBeUndefined();
    expect(parsePushTimestamp('2025-05-01T12:00:00+01:60')).toBeUndefined();
  });

  it('keeps two-digit years as years (no 1900 mapping)', () => {
    expect(parsePushTimestamp('0025-05-01T12:00:00Z')?.getUTCFullYear()).toBe(25);
  });

  it('refuses everything that is not such an ISO 8601 date-time', () => {
    const bad = [
      '',
      ' ',
      'yesterday',
      'now',
      'Thu, 01 May 2025 12:34:56 GMT', // RFC 2822
      'Thu, 01 May 2025 12:34:56 +0000',
      '1746102896', // epoch seconds
      '2019-broken-timestamp',
      '2025-05-01', // date only
      '2025-05-01T12', // hour only
      '2025-05-01T12:34:56.Z', // empty fraction
      '2025-05-01T12:34.5Z', // fraction without seconds
      '20250501T123456Z', // basic format
      '2025-W18-4T12:00:00Z', // week date
      '2025-05-01T12:34:56ZZ',
      '2025-05-01T12:34:56 Z',
      '2025-05-01T12:34:56+2',
      '2025-05-01T12:34:56+02:0',
      '2025-05-01T12:34:56+020',
      '2025-05-01T12:34:56+02:00:00',
      '2025-05-01T12:34:56 +02:00',
      ' 2025-05-01T12:34:56Z',
      '2025-05-01T12:34:56Z\n',
      '2025-05-01X12:34:56Z',
      '2025-5-1T12:34:56Z',
      '25-05-01T12:34:56Z',
      '+2025-05-01T12:34:56Z',
      '2025-05-01T12:34:56Z[Europe/Berlin]',
      '２０２５-05-01T12:34:56Z', // full-width digits
      '2025-05-01T12:34:56.' + '1'.repeat(10_000) + 'Z',
      'x'.repeat(10_000),
    ];
    for (const text of bad) expect(parsePushTimestamp(text)).toBeUndefined();
    expect(parsePushTimestamp(undefined as unknown as string)).toBeUndefined();
  });
});

describe('withinSkew', () => {
  const now = new Date('2025-05-01T12:00:00.000Z');

  it('is inclusive on both sides', () => {
    expect(withinSkew(new Date('2025-05-01T12:01:00.000Z'), now, 60)).toBe(true);
    expect(withinSkew(new Date('2025-05-01T11:59:00.000Z'), now, 60)).toBe(true);
    expect(withinSkew(new Date('2025-05-01T12:01:00.001Z'), now, 60)).toBe(false);
    expect(withinSkew(new Date('2025-05-01T11:58:59.999Z'), now, 60)).toBe(false);
    expect(withinSkew(now, now, 0)).toBe(true);
  });

  it('works with parsed offsets (±5 minutes for token updates)', () => {
    expect(withinSkew(parsePushTimestamp('2025-05-01T14:04:59+02:00')!, now, 300)).toBe(true);
    expect(withinSkew(parsePushTimestamp('2025-05-01T14:05:01+02:00')!, now, 300)).toBe(false);
  });

  it('is false for invalid dates', () => {
    expect(withinSkew(new Date(Number.NaN), now, 60)).toBe(false);
    expect(withinSkew(now, new Date(Number.NaN), 60)).toBe(false);
  });
});
