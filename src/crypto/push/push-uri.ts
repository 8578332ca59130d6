import { randomBytes } from 'node:crypto';
import { base32Encode } from '../base32';
import { pyQuote as quote } from '../otpauth-uri';

/** Python urllib.parse.quote(text, safe='/') on UTF-8: A-Za-z0-9_.-~ and '/' kept, the rest %XX. */
export function pyQuote(text: string): string {
  return quote(text, '/');
}

export interface PushEnrollmentUriParams {
  scheme?: 'otpauth' | 'pia';
  /** Already rendered (tags replaced); quoted here. */
  label: string;
  url: string;
  /** Minutes; rendered as a plain integer (privacyIDEA does not quote it). */
  ttl: number;
  issuer: string;
  enrollmentCredential: string;
  image?: string;
  serial: string;
  sslverify: '0' | '1';
  pollOnly: boolean;
  pin?: boolean;
  appForceUnlock?: string;
}

/**
 * The stage-1 enrollment URI of §2.1, byte for byte: fixed parameter order, every label,
 * issuer, url, key and value quoted with `pyQuote`, booleans as Python `True`/`False`.
 */
export function pushEnrollmentUri(p: PushEnrollmentUriParams): string {
  if (!Number.isSafeInteger(p.ttl) || p.ttl < 0) {
    throw new RangeError('push ttl must be a non-negative integer');
  }
  const extra: [string, string][] = [['enrollment_credential', p.enrollmentCredential]];
  if (p.image) extra.push(['image', p.image]);
  extra.push(
    ['v', '1'],
    ['serial', p.serial],
    ['sslverify', p.sslverify],
    ['poll_only', p.pollOnly ? 'True' : 'False'],
  );
  if (p.pin) extra.push(['pin', 'True']);
  if (p.appForceUnlock) extra.push(['app_force_unlock', p.appForceUnlock]);
  return (
    `${p.scheme ?? 'otpauth'}://pipush/${pyQuote(p.label)}` +
    `?url=${pyQuote(p.url)}&ttl=${p.ttl}&issuer=${pyQuote(p.issuer)}` +
    extra.map(([key, value]) => `&${pyQuote(key)}=${pyQuote(value)}`).join('')
  );
}

/** nonce = base32 of 20 random bytes (32 chars, no padding needed). */
export function newPushNonce(): string {
  return base32Encode(randomBytes(20));
}
