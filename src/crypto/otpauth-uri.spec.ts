import { otpauthUri, pyQuote, renderLabel } from './otpauth-uri';

const KEY = Buffer.from('3132333435363738393031323334353637383930', 'hex');

describe('otpauth URIs (hotp-totp.md §6.1)', () => {
  it('builds the HOTP worked example byte for byte', () => {
    expect(
      otpauthUri({
        type: 'hotp',
        key: KEY,
        label: 'OATH0001A2B3',
        issuer: 'privacyIDEA',
        serial: 'OATH0001A2B3',
        digits: 6,
        hash: 'sha1',
      }),
    ).toBe(
      'otpauth://hotp/OATH0001A2B3?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1&digits=6&creator=privacyidea&issuer=privacyIDEA&serial=OATH0001A2B3',
    );
  });

  it('builds the TOTP worked example with a user label and SHA256', () => {
    const label = renderLabel('<u>@<r>', {
      serial: 'TOTP0001A2B3',
      user: 'alice',
      realm: 'realm1',
    });
    expect(
      otpauthUri({
        type: 'totp',
        key: KEY,
        label,
        issuer: 'privacyIDEA',
        serial: 'TOTP0001A2B3',
        digits: 8,
        hash: 'sha256',
        period: 30,
      }),
    ).toBe(
      'otpauth://totp/alice%40realm1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&period=30&digits=8&creator=privacyidea&issuer=privacyIDEA&serial=TOTP0001A2B3',
    );
  });

  it('matches privacyIDEA test_lib_apps prefix for key 12345678', () => {
    const uri = otpauthUri({
      type: 'hotp',
      key: Buffer.from('12345678', 'hex'),
      label: 'mylabel',
      issuer: 'privacyIDEA',
      serial: 'mylabel',
      digits: 6,
      hash: 'sha1',
    });
    expect(uri.startsWith('otpauth://hotp/mylabel?secret=CI2FM6A&counter=1')).toBe(true);
  });

  it('quotes like Python with / kept', () => {
    expect(pyQuote('a b/c@d!ü')).toBe('a%20b/c%40d%21%C3%BC');
  });
});
