import { base32Encode } from './base32';
import type { HashAlgorithm } from './hash-algorithm';

/** Python's urllib.parse.quote with safe='/': what privacyIDEA uses inside key URIs. */
export function pyQuote(text: string, safe = '/'): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(ch) || safe.includes(ch)) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export interface LabelContext {
  serial: string;
  user?: string;
  realm?: string;
}

/** Renders a token label template: <s>, <u>, <r> and {serial}, {user}, {realm}, {givenname}, {surname}. */
export function renderLabel(template: string, ctx: LabelContext): string {
  const vars: Record<string, string> = {
    serial: ctx.serial,
    user: ctx.user ?? '',
    realm: ctx.realm ?? '',
    givenname: '',
    surname: '',
  };
  return template
    .replaceAll('<s>', ctx.serial)
    .replaceAll('<u>', ctx.user ?? '')
    .replaceAll('<r>', ctx.realm ?? '')
    .replace(/\{(serial|user|realm|givenname|surname)\}/g, (_m, k: string) => vars[k]);
}

export interface OtpauthParams {
  type: 'hotp' | 'totp';
  key: Buffer;
  label: string;
  issuer: string;
  serial: string;
  digits: number;
  hash: HashAlgorithm;
  period?: number;
  extra?: Record<string, string>;
}

/** otpauth:// key URI in privacyIDEA's exact parameter order (hotp-totp.md §6.1). */
export function otpauthUri(p: OtpauthParams): string {
  const secret = base32Encode(p.key);
  const counter = p.type === 'hotp' ? 'counter=1&' : '';
  const maxLabel = 180 - `otpauth://${p.type}/?secret=${secret}&counter=1`.length;
  const label = pyQuote(p.label.slice(0, Math.max(0, maxLabel)));
  const algorithm = p.hash === 'sha1' ? '' : `algorithm=${p.hash.toUpperCase()}&`;
  const period = p.type === 'totp' ? `period=${p.period ?? 30}&` : '';
  let uri =
    `otpauth://${p.type}/${label}?secret=${secret}&${counter}${algorithm}${period}` +
    `digits=${p.digits}&creator=privacyidea&issuer=${pyQuote(p.issuer)}&serial=${pyQuote(p.serial)}`;
  for (const [k, v] of Object.entries(p.extra ?? {})) uri += `&${pyQuote(k)}=${pyQuote(v)}`;
  return uri;
}

/** oathtoken:// URI for the OATH Token iOS app (hotp-totp.md §6.2). */
export function oathtokenUri(label: string, key: Buffer, timeBased: boolean): string {
  return (
    `oathtoken:///addToken?name=${pyQuote(label)}&lockdown=true&key=${key.toString('hex')}` +
    (timeBased ? '&timeBased=true' : '')
  );
}
