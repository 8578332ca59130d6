import { ImportFormatError } from './imported-token';
import { attr, parseUntrustedXml, path, textOf } from './safe-xml';

describe('parseUntrustedXml', () => {
  it('strips namespace prefixes and decodes entities exactly once', () => {
    const root = parseUntrustedXml(
      `<?xml version="1.0"?><!-- comment --><x:Root xmlns:x="urn:x" x:Kind="a &amp; b">
        <x:A>1 &amp;#65; &lt;&#x42;&#67;&gt; &quot;&apos;</x:A>
        <B><![CDATA[&amp; <raw>]]></B>
      </x:Root>`,
      'test',
    );
    expect(root.name).toBe('Root');
    expect(attr(root, 'kind')).toBe('a & b');
    expect(textOf(path(root, 'A'))).toBe(`1 &#65; <BC> "'`);
    expect(textOf(path(root, 'b'))).toBe('&amp; <raw>');
  });

  it('leaves out-of-range character references alone', () => {
    const root = parseUntrustedXml('<R>&#xD800;&#x110000;</R>', 'test');
    expect(root.text).toBe('&#xD800;&#x110000;');
  });

  it('accepts nesting up to the limit and refuses deeper documents', () => {
    const nest = (depth: number): string => '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(() => parseUntrustedXml(nest(30), 'test')).not.toThrow();
    expect(() => parseUntrustedXml(nest(40), 'test')).toThrow(ImportFormatError);
  });
});
