import { parsePiDate } from '../common/dates';
import type { TokenRecord } from './token-record';

/** Fitness of a token for authentication, in privacyIDEA's check_all order (tokenclass.md §7). */
export function fitnessProblem(token: TokenRecord, now = new Date()): string | undefined {
  const row = token.row;
  const authMax = token.infoInt('count_auth_max');
  const successMax = token.infoInt('count_auth_success_max');
  if (
    (authMax > 0 && row.countAuth >= authMax) ||
    (successMax > 0 && row.countAuthSuccess >= successMax)
  ) {
    return 'Authentication counter exceeded';
  }
  if (!row.active) return 'Token is disabled';
  if (row.failcount >= row.maxfail) return 'Failcounter exceeded';
  if (!withinValidityPeriod(token, now)) return 'Outside validity period';
  if (row.rolloutState === 'clientwait' || row.rolloutState === 'verify') {
    return 'Token is not yet enrolled';
  }
  return undefined;
}

/** An unparsable stored date fails closed: the token is unusable, not valid forever. */
export function withinValidityPeriod(token: TokenRecord, now = new Date()): boolean {
  const start = token.infoValue('validity_period_start');
  const end = token.infoValue('validity_period_end');
  const startDate = start ? parsePiDate(start) : undefined;
  const endDate = end ? parsePiDate(end) : undefined;
  if (start && !startDate) return false;
  if (end && !endDate) return false;
  if (startDate && startDate > now) return false;
  if (endDate && endDate < now) return false;
  return true;
}

/** failcounter_clear_timeout: a maxed-out fail counter clears itself after `minutes`. */
export function failcounterClearDue(
  token: TokenRecord,
  minutes: number,
  now = new Date(),
): boolean {
  if (minutes <= 0 || token.row.failcount < token.row.maxfail) return false;
  const exceeded = token.infoValue('failcounter_exceeded');
  const at = exceeded ? parsePiDate(exceeded) : undefined;
  return at !== undefined && now.getTime() > at.getTime() + minutes * 60_000;
}
