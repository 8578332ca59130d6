import { isSafeKey, lenientPercentDecode, parseUrlEncoded } from './url-decoding';

/** Marker for a parsed `application/x-www-form-urlencoded` body (see app.setup.ts). */
export class FormBody {
  constructor(readonly values: Record<string, unknown>) {}
}

/** RPs that send values already decoded once; everyone else gets the second unquoting pass. */
const NO_SECOND_UNQUOTE = new Set(['privacyidea-cp', 'privacyidea-ldap-proxy', 'simplesamlphp']);

export interface RequestLike {
  url: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
}

function secondUnquote(userAgent: string | string[] | undefined): boolean {
  const ua = Array.isArray(userAgent) ? userAgent[0] : userAgent;
  if (!ua) return true;
  const product = ua.split('/')[0].trim().toLowerCase();
  return !NO_SECOND_UNQUOTE.has(product);
}

/**
 * Merges request parameters the way privacyIDEA's get_all_params does: query string, then form
 * body (query wins), each value unquoted a second time unless the client is one of the known RPs;
 * a JSON object body overrides; path parameters override everything. The map has no prototype
 * and only own keys of the sources are copied, so `__proto__` in a JSON body is inert.
 */
export function collectParams(
  req: RequestLike,
  opts: { multipart?: boolean } = {},
): Record<string, unknown> {
  const unquote = secondUnquote(req.headers['user-agent']);
  const q = req.url.indexOf('?');
  const merged = parseUrlEncoded(q >= 0 ? req.url.slice(q + 1) : '');
  // Multipart bodies count only where an endpoint takes uploads (README "Malformed bodies").
  const body = isMultipart(req) && !opts.multipart ? undefined : req.body;
  if (body instanceof FormBody) {
    for (const [k, v] of Object.entries(body.values)) {
      if (isSafeKey(k) && !Object.hasOwn(merged, k)) merged[k] = v;
    }
  }
  if (unquote) {
    for (const k of Object.keys(merged)) merged[k] = lenientPercentDecode(merged[k] as string);
  }
  if (body && typeof body === 'object' && !(body instanceof FormBody) && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) if (isSafeKey(k)) merged[k] = v;
  }
  if (req.params) {
    for (const [k, v] of Object.entries(req.params)) {
      if (v === undefined || !isSafeKey(k)) continue;
      merged[k] = unquote ? lenientPercentDecode(v) : v;
    }
  }
  return merged;
}

function isMultipart(req: RequestLike): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('multipart/');
}
