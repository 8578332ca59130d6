import { base32Decode } from '../base32';
import { newPushNonce, pushEnrollmentUri, pyQuote } from './push-uri';

const BASE = {
  label: 'PIPU0006EF85',
  url: 'https://mfa.example.org/ttype/push',
  ttl: 10,
  issuer: 'privacyIDEA',
  enrollmentCredential: '9311ee50678983c0f29d3d843f86e39405e2b427',
  serial: 'PIPU0006EF85',
  sslverify: '1' as const,
  pollOnly: true,
};

describe('pyQuote (Python urllib.parse.quote, safe="/")', () => {
  it('keeps unreserved characters and "/", encodes ":"', () => {
    expect(pyQuote('https://mfa.example.org/ttype/push')).toBe(
      'https%3A//mfa.example.org/ttype/push',
    );
    expect(pyQuote('AZaz09-._~/')).toBe('AZaz09-._~/');
  });

  it('encodes everything else as upper-case %XX of the UTF-8 bytes', () => {
    expect(pyQuote('a b+c&d=e?f#g%h')).toBe('a%20b%2Bc%26d%3De%3Ff%23g%25h');
    expect(pyQuote('alice@example.org')).toBe('alice%40example.org');
    expect(pyQuote('Jörg')).toBe('J%C3%B6rg');
    expect(pyQuote('€')).toBe('%E2%82%AC');
    expect(pyQuote('😀')).toBe('%F0%9F%98%80');
    expect(pyQuote('\n')).toBe('%0A');
    expect(pyQuote('')).toBe('');
  });
});

describe('pushEnrollmentUri (§2.1)', () => {
  it('reproduces the §2 example byte for byte', () => {
    expect(pushEnrollmentUri(BASE)).toBe(
      'otpauth://pipush/PIPU0006EF85?url=https%3A//mfa.example.org/ttype/push&ttl=10&issuer=privacyIDEA&enrollment_credential=9311ee50678983c0f29d3d843f86e39405e2b427&v=1&serial=PIPU0006EF85&sslverify=1&poll_only=True',
    );
  });

  it('puts the optional parameters in privacyIDEA order', () => {
    expect(
      pushEnrollmentUri({
        ...BASE,
        scheme: 'pia',
        label: 'alice@realm1',
        issuer: 'ACME Login',
        image: 'https://img.example.org/logo.png?size=1',
        sslverify: '0',
        pollOnly: false,
        pin: true,
        appForceUnlock: 'biometric',
      }),
    ).toBe(
      'pia://pipush/alice%40realm1?url=https%3A//mfa.example.org/ttype/push&ttl=10&issuer=ACME%20Login' +
        '&enrollment_credential=9311ee50678983c0f29d3d843f86e39405e2b427' +
        '&image=https%3A//img.example.org/logo.png%3Fsize%3D1' +
        '&v=1&serial=PIPU0006EF85&sslverify=0&poll_only=False&pin=True&app_force_unlock=biometric',
    );
  });

  it('omits pin=False, empty image and empty app_force_unlock', () => {
    const uri = pushEnrollmentUri({ ...BASE, pin: false, image: '', appForceUnlock: '' });
    expect(uri).toBe(pushEnrollmentUri(BASE));
    expect(uri).not.toMatch(/pin=|image=|app_force_unlock=/);
  });

  it('quotes UTF-8 labels and issuers', () => {
    const uri = pushEnrollmentUri({ ...BASE, label: 'Jörg Müller', issuer: 'Bank/€' });
    expect(uri).toMatch(/^otpauth:\/\/pipush\/J%C3%B6rg%20M%C3%BCller\?/);
    expect(uri).toContain('&issuer=Bank/%E2%82%AC&');
  });

  it('refuses a ttl that is not a non-negative integer', () => {
    for (const ttl of [-1, 1.5, Number.NaN, Infinity]) {
      expect(() => pushEnrollmentUri({ ...BASE, ttl })).toThrow(RangeError);
    }
  });
});

describe('newPushNonce', () => {
  it('is 32 base32 characters encoding 20 random bytes', () => {
    const a = newPushNonce();
    const b = newPushNonce();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(a)).toHaveLength(20);
    expect(a).not.toBe(b);
  });
});
