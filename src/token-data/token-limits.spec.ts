import { ParameterError, PolicyError, TokenAdminError } from '../common/errors';
import {
  checkInfoCount,
  checkInfoKey,
  checkInfoValue,
  clamp,
  normalizeInfoValue,
  WINDOW_CAPS,
} from './token-limits';

const limits = {
  maxTokenInfoPerToken: 3,
  tokenInfoKeyMaxLength: 8,
  tokenInfoValueMaxLength: 60000,
};

describe('tokeninfo limits', () => {
  it('keys: bounded, no control characters, no outer whitespace', () => {
    expect(() => checkInfoKey('mykey', limits)).not.toThrow();
    for (const bad of ['', 'k'.repeat(9), 'key ', ' key', 'k\u0000', 'k\u007f']) {
      expect(() => checkInfoKey(bad, limits)).toThrow(ParameterError);
    }
  });

  it('values: at most the cap in characters and 65,535 UTF-8 bytes (a TEXT column)', () => {
    expect(() => checkInfoValue('k', 'x'.repeat(60000), limits)).not.toThrow();
    expect(() => checkInfoValue('k', 'x'.repeat(60001), limits)).toThrow(ParameterError);
    expect(() => checkInfoValue('k', 'é'.repeat(40000), limits)).toThrow(ParameterError);
  });

  it('counts the union of existing and new keys', () => {
    expect(() => checkInfoCount(['a', 'b'], ['b', 'c'], limits)).not.toThrow();
    expect(() => checkInfoCount(['a', 'b', 'c'], ['a'], limits)).not.toThrow();
    expect(() => checkInfoCount(['a', 'b', 'c'], ['d'], limits)).toThrow(PolicyError);
  });
});

describe('normalizeInfoValue', () => {
  it('parses validity dates into DATE_FORMAT and refuses unparsable ones', () => {
    expect(normalizeInfoValue('validity_period_end', '2030-01-02T03:04Z')).toMatch(
      /^2030-01-0[12]T\d{2}:\d{2}[+-]\d{4}$/,
    );
    expect(normalizeInfoValue('validity_period_start', '')).toBe('');
    expect(() => normalizeInfoValue('validity_period_end', 'garbage')).toThrow(TokenAdminError);
    expect(() => normalizeInfoValue('validity_period_start', '2030-13-01')).toThrow(
      TokenAdminError,
    );
  });

  it('range-checks numbers the engine reads and caps the TOTP window', () => {
    expect(normalizeInfoValue('timeWindow', '600')).toBe('600');
    expect(() => normalizeInfoValue('timeWindow', '601')).toThrow(ParameterError);
    expect(() => normalizeInfoValue('timeWindow', '86400')).toThrow(ParameterError);
    expect(normalizeInfoValue('timeStep', '60')).toBe('60');
    expect(() => normalizeInfoValue('timeStep', '10')).toThrow(ParameterError);
    expect(normalizeInfoValue('timeShift', '-90')).toBe('-90');
    expect(() => normalizeInfoValue('timeShift', '1e9')).toThrow(ParameterError);
    expect(normalizeInfoValue('count_auth_max', ' 5 ')).toBe('5');
    for (const bad of ['abc', '-1', '2147483648', '']) {
      expect(() => normalizeInfoValue('count_auth_max', bad)).toThrow(ParameterError);
    }
    expect(normalizeInfoValue('hashlib', 'SHA256')).toBe('sha256');
    expect(() => normalizeInfoValue('hashlib', 'md5')).toThrow(ParameterError);
    expect(normalizeInfoValue('free text', ' anything ')).toBe(' anything ');
  });

  it('clamp keeps stored windows within the caps', () => {
    expect(clamp(999_999, WINDOW_CAPS.countWindow)).toBe(1000);
    expect(clamp(10, WINDOW_CAPS.countWindow)).toBe(10);
    expect(clamp(-5, 10)).toBe(0);
    expect(clamp(NaN, 10)).toBe(0);
  });
});
