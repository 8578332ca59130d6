/** privacyIDEA's DATE_FORMAT "%Y-%m-%dT%H:%M%z" in server local time, e.g. 2024-01-31T13:05+0100. */
export function formatPiDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** ISO-8601 UTC with seconds, as privacyIDEA writes creation_date / assignment_date. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * Parses the date formats privacyIDEA accepts for validity periods: ISO 8601 (zone optional,
 * "+0100" or "+01:00"; without zone = server local time) and the legacy day-first
 * "dd/mm/yy HH:MM". Returns undefined when unparsable.
 */
export function parsePiDate(text: string): Date | undefined {
  const t = text.trim();
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      t,
    );
  if (iso) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = iso;
    return build(+y, +mo, +d, +h, +mi, +s, zone);
  }
  const legacy = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(t);
  if (legacy) {
    const [, d, mo, y, h = '0', mi = '0'] = legacy;
    const year = y.length === 2 ? 2000 + Number(y) : Number(y);
    return build(year, +mo, +d, +h, +mi, 0, undefined);
  }
  return undefined;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, zone?: string) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  let date: Date;
  if (zone === undefined) {
    date = new Date(y, mo - 1, d, h, mi, s);
  } else {
    let offsetMin = 0;
    if (zone !== 'Z') {
      const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
      offsetMin = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
    }
    date = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMin * 60000);
  }
  if (Number.isNaN(date.getTime()) || (zone === undefined && date.getDate() !== d))
    return undefined;
  return date;
}
