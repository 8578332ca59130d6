import type { TiqrConfig } from '../../config/app-config';

/** The TiQR URLs for one request: configured values, else derived from the app-facing base URL. */
export interface TiqrUrls {
  regServer: string;
  authServer: string;
  logoUrl: string;
  infoUrl: string;
}

export function tiqrUrls(config: TiqrConfig, baseUrl: string): TiqrUrls {
  const regServer = config.regServer ?? `${baseUrl}/ttype/tiqr`;
  return {
    regServer,
    authServer: config.authServer ?? regServer,
    logoUrl: config.logoUrl ?? `${baseUrl}/static/logo.png`,
    infoUrl: config.infoUrl ?? baseUrl,
  };
}
