import { collectParams, FormBody } from './request-params';
import { lenientPercentDecode, parseUrlEncoded } from './url-decoding';

describe('privacyIDEA parameter merging', () => {
  const req = (url: string, body?: unknown, ua?: string, params?: Record<string, string>) => ({
    url,
    body,
    headers: ua ? { 'user-agent': ua } : {},
    params,
  });

  it('lets the query win over the form, JSON override both, and the path override all', () => {
    const form = new FormBody(parseUrlEncoded('user=form&pass=1&realm=r1'));
    expect(collectParams(req('/x?user=query', form))).toMatchObject({ user: 'query', pass: '1' });
    expect(collectParams(req('/x?user=query', { user: 'json', n: 5 }))).toEqual({
      user: 'json',
      n: 5,
    });
    expect(collectParams(req('/x?serial=q', undefined, undefined, { serial: 'path' }))).toEqual({
      serial: 'path',
    });
  });

  it('keeps the first of repeated keys', () => {
    expect(collectParams(req('/x?user=a&user=b'))).toEqual({ user: 'a' });
  });

  it('unquotes a second time except for the known relying parties', () => {
    const body = () => new FormBody(parseUrlEncoded('pass=ab%2541'));
    expect(collectParams(req('/x', body())).pass).toBe('abA');
    expect(collectParams(req('/x', body(), 'curl/8.0')).pass).toBe('abA');
    expect(collectParams(req('/x', body(), 'privacyidea-cp/2.0')).pass).toBe('ab%41');
    expect(collectParams(req('/x', body(), 'simpleSAMLphp/1.0')).pass).toBe('ab%41');
    expect(collectParams(req('/x', body(), 'privacyIDEA-LDAP-Proxy/1.0')).pass).toBe('ab%41');
  });

  it('decodes broken percent-encoding leniently', () => {
    expect(lenientPercentDecode('%zz%4')).toBe('%zz%4');
    expect(lenientPercentDecode('%E0%A4%A')).toBe('\uFFFD%A');
    expect(lenientPercentDecode('%C3%BC+x', true)).toBe('ü x');
    expect(parseUrlEncoded('a=%ZZ&b&=c')).toEqual({ a: '%ZZ', b: '', '': 'c' });
  });
});
