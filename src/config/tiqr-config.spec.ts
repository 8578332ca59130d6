import { ConfigError, loadConfig, loadTiqrConfig } from './app-config';

describe('TiQR configuration (README "TiQR")', () => {
  it("defaults to privacyIDEA's values and derives URLs per request", () => {
    expect(loadTiqrConfig({})).toEqual({
      regServer: undefined,
      authServer: undefined,
      serviceIdentifier: 'org.privacyidea',
      serviceDisplayname: 'privacyIDEA',
      logoUrl: undefined,
      infoUrl: undefined,
      ocraSuite: 'OCRA-1:HOTP-SHA1-6:QN10',
    });
  });

  it('takes the authentication server from the registration server unless set', () => {
    const c = loadTiqrConfig({ TIQR_REG_SERVER: 'https://mfa.example.org/ttype/tiqr/' });
    expect(c.regServer).toBe('https://mfa.example.org/ttype/tiqr');
    expect(c.authServer).toBe('https://mfa.example.org/ttype/tiqr');
    expect(
      loadTiqrConfig({ TIQR_REG_SERVER: 'https://a/t', TIQR_AUTH_SERVER: 'https://b/t' })
        .authServer,
    ).toBe('https://b/t');
  });

  it.each([
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:QX10' }],
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:C-QN10' }],
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:QN10-S064' }],
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:QN10-T1M' }],
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:QN10-PSHA1' }],
    [{ TIQR_SERVICE_IDENTIFIER: 'not a host' }],
    [{ TIQR_SERVICE_IDENTIFIER: 'Org.PrivacyIDEA' }],
    [{ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA1-6:QA10' }],
    [{ TIQR_SERVICE_IDENTIFIER: 'org.privacyidea/x' }],
    [{ TIQR_REG_SERVER: 'mfa.example.org/ttype/tiqr' }],
    [{ TIQR_REG_SERVER: 'ftp://mfa.example.org/ttype/tiqr' }],
    [{ TIQR_AUTH_SERVER: 'https://mfa.example.org/ttype/tiqr?x=1' }],
    [{ TIQR_LOGO_URL: 'logo.png' }],
    [{ TIQR_SERVICE_DISPLAYNAME: 'x'.repeat(101) }],
  ])('refuses %j at start-up', (env) => {
    expect(() => loadTiqrConfig(env)).toThrow(ConfigError);
  });

  it('normalizes URLs as apps rebuild them (they are signed into push challenges)', () => {
    expect(
      loadTiqrConfig({ TIQR_REG_SERVER: 'HTTPS://MFA.Example.org:443/ttype/tiqr/' }).regServer,
    ).toBe('https://mfa.example.org/ttype/tiqr');
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://Host.example:80/mfa/' }).publicBaseUrl).toBe(
      'http://host.example/mfa',
    );
    expect(
      loadConfig({ PUSH_REGISTRATION_URL: 'https://H.example:8443/ttype/push' }).push
        .registrationUrl,
    ).toBe('https://h.example:8443/ttype/push');
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'mfa.example.org' })).toThrow(ConfigError);
  });

  it('accepts a hex question suite', () => {
    expect(loadTiqrConfig({ TIQR_OCRA_SUITE: 'OCRA-1:HOTP-SHA256-8:QH10' }).ocraSuite).toBe(
      'OCRA-1:HOTP-SHA256-8:QH10',
    );
  });
});
