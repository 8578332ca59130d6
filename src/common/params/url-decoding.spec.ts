import { OptionalField } from './param-fields';
import { ParamReader } from './param-reader';
import { buildDto, PiDto } from './pi-params.decorator';
import { collectParams, FormBody } from './request-params';
import { lenientPercentDecode, parseUrlEncoded } from './url-decoding';

class SampleDto extends PiDto {
  @OptionalField({ description: 'serial' })
  serial?: string;

  @OptionalField({ description: 'otponly' })
  otponly?: string;
}

describe('percent-decoding', () => {
  it('decodes escapes byte-wise and UTF-8 once, leniently', () => {
    expect(lenientPercentDecode('abc')).toBe('abc');
    expect(lenientPercentDecode('%41%62%2b')).toBe('Ab+');
    expect(lenientPercentDecode('%C3%BC%e2%82%AC')).toBe('ü€');
    expect(lenientPercentDecode('a+b')).toBe('a+b');
    expect(lenientPercentDecode('a+b', true)).toBe('a b');
    expect(lenientPercentDecode('%2B', true)).toBe('+');
    // Invalid escapes stay literal, also at the very end.
    expect(lenientPercentDecode('%')).toBe('%');
    expect(lenientPercentDecode('%4')).toBe('%4');
    expect(lenientPercentDecode('%%41')).toBe('%A');
    expect(lenientPercentDecode('%g1%1g')).toBe('%g1%1g');
    // Invalid UTF-8 becomes U+FFFD; characters outside ASCII pass through unchanged.
    expect(lenientPercentDecode('%FF%C3')).toBe('\uFFFD\uFFFD');
    expect(lenientPercentDecode('%C0%AF')).toBe('\uFFFD\uFFFD');
    expect(lenientPercentDecode('é%20😀')).toBe('é 😀');
  });

  it('parses form bytes and query strings alike; the first of repeated keys wins', () => {
    const form = 'user=r%C3%B6se&pass=a+b%2Bc&user=other&flag&=empty&&x=1=2';
    const expected = { user: 'röse', pass: 'a b+c', flag: '', '': 'empty', x: '1=2' };
    expect({ ...parseUrlEncoded(form) }).toEqual(expected);
    expect({ ...parseUrlEncoded(Buffer.from(form)) }).toEqual(expected);
    expect({ ...parseUrlEncoded('') }).toEqual({});
    expect({ ...parseUrlEncoded('k%3Dx=v') }).toEqual({ 'k=x': 'v' });
  });

  it('keeps privacyIDEA’s second unquoting pass (without "+" as space)', () => {
    const body = new FormBody(parseUrlEncoded(Buffer.from('pass=%2541%252B%25%C3%A9&q=a%2Bb')));
    const req = { url: '/validate/check', body, headers: {} };
    expect({ ...collectParams(req) }).toEqual({ pass: 'A+%é', q: 'a+b' });
  });

  it('decodes a 1 MiB adversarial body in one pass over one scratch buffer', () => {
    const unit = '%25é';
    const repeat = Math.ceil((1024 * 1024) / Buffer.byteLength(unit));
    const body = Buffer.from(`pass=${unit.repeat(repeat)}&${'a=&'.repeat(1000)}b=1`);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const allocUnsafe = jest.spyOn(Buffer, 'allocUnsafe');
    const from = jest.spyOn(Buffer, 'from');
    try {
      const values = parseUrlEncoded(body);
      expect(values.pass).toBe('%é'.repeat(repeat));
      expect(values.b).toBe('1');
      // Work does not depend on what the body holds: one scratch buffer, no per-character
      // conversions (the old decoder built a Buffer per character and per field).
      expect(allocUnsafe).toHaveBeenCalledTimes(1);
      expect(from).not.toHaveBeenCalled();
      // The second pass leaves '%' followed by a non-hex byte alone.
      const merged = collectParams({ url: '/x', body: new FormBody(values), headers: {} });
      expect(merged.pass).toBe('%é'.repeat(repeat));
    } finally {
      allocUnsafe.mockRestore();
      from.mockRestore();
    }
  });
});

describe('parameter maps and prototypes', () => {
  it('never treats __proto__, constructor or prototype as parameters', () => {
    const form = parseUrlEncoded('__proto__=x&constructor=y&prototype=z&toString=t');
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(Object.keys(form)).toEqual(['toString']);
    // A JSON object keeps "__proto__" as an own key; it must not become the map's prototype.
    const json: unknown = JSON.parse(
      '{"__proto__": {"otponly": "1"}, "constructor": {"x": 1}, "serial": "S1"}',
    );
    const merged = collectParams({ url: '/validate/check?prototype=1', body: json, headers: {} });
    expect(Object.getPrototypeOf(merged)).toBeNull();
    expect(merged.otponly).toBeUndefined();
    expect({ ...merged }).toEqual({ serial: 'S1' });
  });

  it('reads own keys only, even from a plain object', () => {
    const polluted = Object.create({ otponly: '1', genkey: '1' }) as Record<string, unknown>;
    polluted.serial = 'S1';
    const reader = new ParamReader(polluted);
    expect(reader.bool('otponly')).toBe(false);
    expect(reader.has('genkey')).toBe(false);
    expect(reader.optional('constructor')).toBeUndefined();
    expect(reader.optional('serial')).toBe('S1');
  });

  it('builds DTOs from own, harmless keys only', () => {
    const raw = JSON.parse(
      '{"__proto__": {"otponly": "1"}, "constructor": "x", "prototype": "y", "serial": "S1"}',
    ) as Record<string, unknown>;
    const dto = buildDto(SampleDto, raw);
    expect(Object.getPrototypeOf(dto)).toBe(SampleDto.prototype);
    expect(dto.otponly).toBeUndefined();
    expect(dto.serial).toBe('S1');
    expect(Object.hasOwn(dto, 'constructor')).toBe(false);
    expect(dto.params.bool('otponly')).toBe(false);
  });
});
