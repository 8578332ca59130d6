import { normalizeValidity } from '../token-data/token-limits';

/**
 * validity_period_start / _end as tokeninfo values in DATE_FORMAT; '' means "remove".
 * Unparsable input is the TokenAdminError privacyIDEA raises.
 */
export function validityInfo(start?: string, end?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (start !== undefined) out.validity_period_start = normalizeValidity(start, 'start');
  if (end !== undefined) out.validity_period_end = normalizeValidity(end, 'end');
  return out;
}
