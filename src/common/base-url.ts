import type { AppConfig } from '../config/app-config';

interface OriginRequest {
  protocol?: string;
  headers: Record<string, string | string[] | undefined>;
}

const first = (v: string | string[] | undefined) =>
  (Array.isArray(v) ? v[0] : v)?.split(',')[0].trim();

/**
 * The base URL apps reach this service at: PUBLIC_BASE_URL, else the request's origin
 * (X-Forwarded-* only behind a trusted proxy).
 */
export function baseUrlOf(req: OriginRequest, config: AppConfig): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const proto =
    (config.trustProxy && first(req.headers['x-forwarded-proto'])) || req.protocol || 'http';
  const host =
    (config.trustProxy && first(req.headers['x-forwarded-host'])) ||
    first(req.headers.host) ||
    'localhost';
  // Normalized like PUBLIC_BASE_URL (lower-case host, no default port): apps rebuild signed URLs.
  try {
    const url = new URL(`${proto === 'https' ? 'https' : 'http'}://${host}`);
    return url.origin;
  } catch {
    return 'http://localhost';
  }
}
