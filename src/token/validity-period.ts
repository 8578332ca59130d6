import { formatPiDate, parsePiDate } from '../common/dates';
import { TokenAdminError } from '../common/errors';

/**
 * validity_period_start / _end as tokeninfo values in DATE_FORMAT; '' means "remove".
 * Unparsable input is the TokenAdminError privacyIDEA raises.
 */
export function validityInfo(start?: string, end?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (start !== undefined) out.validity_period_start = convert(start, 'start');
  if (end !== undefined) out.validity_period_end = convert(end, 'end');
  return out;
}

function convert(value: string, which: 'start' | 'end'): string {
  if (value.trim() === '') return '';
  const date = parsePiDate(value);
  if (!date) throw new TokenAdminError(`Could not parse validity period ${which} date!`);
  return formatPiDate(date);
}
