import { lenientPercentDecode, parseUrlEncoded } from './url-decoding';

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
 * a JSON object body overrides; path parameters override everything.
 */
export function collectParams(
  req: RequestLike,
  opts: { multipart?: boolean } = {},
): Record<string, unknown> {
  const unquote = secondUnquote(req.headers['user-agent']);
  const q = req.url.indexOf('?');
  const merged: Record<string, unknown> = q >= 0 ? parseUrlEncoded(req.url.slice(q + 1)) : {};
  // Multipart bodies count only where an endpoint takes uploads (README "Malformed bodies").
  const body = isMultipart(req) && !opts.multipart ? undefined : req.body;
  if (body instanceof FormBody) {
    for (const [k, v] of Object.entries(body.values)) if (!(k in merged)) merged[k] = v;
  }
  if (unquote) {
    for (const [k, v] of Object.entries(merged)) merged[k] = lenientPercentDecode(v as string);
  }
  if (body && typeof body === 'object' && !(body instanceof FormBody) && !Array.isArray(body)) {
    Object.assign(merged, body as Record<string, unknown>);
  }
  if (req.params) {
    for (const [k, v] of Object.entries(req.params)) {
      if (v === undefined) continue;
      merged[k] = unquote ? lenientPercentDecode(v) : v;
    }
  }
  return merged;
}

function isMultipart(req: RequestLike): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('multipart/');
}
