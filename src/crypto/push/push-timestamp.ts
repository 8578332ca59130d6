/** Longer than any sensible ISO 8601 date-time; refused before the regular expression runs. */
const MAX_TIMESTAMP_CHARS = 64;

/*
 * The subset of dateutil's `isoparse` (what privacyIDEA uses, §6.2 rule 3) that an app can
 * plausibly send: extended calendar date, then 'T', 't' or ' ' (isoparse takes any single
 * character there; Python's `str(datetime)` writes a space), HH:MM[:SS[(.|,)fraction]], then 'Z',
 * 'z', ±HH:MM, ±HHMM, ±HH or nothing (= UTC). Deliberately not accepted although isoparse
 * is: date-only, hour-only, basic format (20250501T123456), week/ordinal dates and 24:00.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Strict ISO 8601 date-time (see above), calendar-validated (no Feb 30, no second 60, year ≥ 1
 * like Python's datetime). Fractions of any length are truncated to milliseconds. Anything
 * else → undefined; never throws.
 */
export function parsePushTimestamp(text: string): Date | undefined {
  if (typeof text !== 'string' || text.length > MAX_TIMESTAMP_CHARS) return undefined;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (sign !== undefined && zulu === undefined) {
    const offHours = Number(oh);
    const offMinutes = om === undefined ? 0 : Number(om);
    if (offHours > 23 || offMinutes > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  }
  const millis = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  // setUTCFullYear, because Date.UTC maps years 0..99 to 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** |ts − now| ≤ seconds (inclusive, as privacyIDEA's `now - td <= ts <= now + td`). */
export function withinSkew(ts: Date, now: Date, seconds: number): boolean {
  const delta = Math.abs(ts.getTime() - now.getTime());
  return Number.isFinite(delta) && delta <= seconds * 1000;
}
