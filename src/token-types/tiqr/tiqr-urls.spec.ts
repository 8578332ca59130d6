import {
  authenticationUri,
  enrollmentUri,
  enrollmentUrl,
  metadataDocument,
  tiqrEncode,
  tiqrIdentity,
} from './tiqr-urls';

describe('TiQR URLs (tiqr.md §2–3, §5)', () => {
  it('encodes like quote_plus but with %20 for a space, and %2F for a slash', () => {
    expect(tiqrEncode(tiqrIdentity('nönäscii', 'realm1'))).toBe('n%C3%B6n%C3%A4scii_realm1');
    expect(tiqrEncode('cornelius_realm1')).toBe('cornelius_realm1');
    expect(tiqrEncode('a b+c/d')).toBe('a%20b%2Bc%2Fd');
    expect(tiqrEncode("x!'()*~.-_y@:")).toBe('x%21%27%28%29%2A~.-_y%40%3A');
  });

  it('builds the enrollment URI with the registration server verbatim', () => {
    expect(enrollmentUri('https://mfa.example.org/ttype/tiqr', 'ab'.repeat(20), 'TiQR0001')).toBe(
      `tiqrenroll://https://mfa.example.org/ttype/tiqr?action=metadata&session=${'ab'.repeat(20)}&serial=TiQR0001`,
    );
    expect(enrollmentUrl('http://h/ttype/tiqr', 's', 'T1')).toBe(
      'http://h/ttype/tiqr?action=enrollment&session=s&serial=T1',
    );
  });

  it('builds the authentication URI without a version segment', () => {
    expect(
      authenticationUri({
        identity: tiqrIdentity('jürgen müller', 'default'),
        serviceIdentifier: 'org.privacyidea',
        transactionId: '01234567890123456789',
        question: '1234567890',
        displayName: 'My IdP / Test',
      }),
    ).toBe(
      'tiqrauth://j%C3%BCrgen%20m%C3%BCller_default@org.privacyidea/01234567890123456789/1234567890/My%20IdP%20%2F%20Test',
    );
  });

  it('fills all nine metadata fields with strings', () => {
    const doc = metadataDocument(
      {
        displayName: 'privacyIDEA',
        identifier: 'org.privacyidea',
        logoUrl: 'https://h/static/logo.png',
        infoUrl: 'https://h',
        authenticationUrl: 'https://h/ttype/tiqr',
        ocraSuite: 'OCRA-1:HOTP-SHA1-6:QN10',
        enrollmentUrl: 'https://h/ttype/tiqr?action=enrollment&session=s&serial=T',
      },
      'alice_default',
      '',
    );
    const values = [...Object.values(doc.service), ...Object.values(doc.identity)];
    expect(values).toHaveLength(9);
    for (const v of values) expect(typeof v === 'string' && v.length > 0).toBe(true);
    expect(doc.identity).toEqual({ identifier: 'alice_default', displayName: 'alice_default' });
  });
});
