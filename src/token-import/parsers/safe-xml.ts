import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ImportFormatError } from './imported-token';

/** A namespace-stripped XML element. */
export interface XmlElement {
  /** Local name (prefix removed). */
  name: string;
  /** Attributes by local name. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data of this element (not of its descendants). */
  text: string;
}

/** PSKC needs about 8 levels; anything much deeper is refused before it can hurt. */
export const MAX_XML_DEPTH = 32;

const TEXT_KEY = '#text';
const CDATA_KEY = '#cdata';
const ATTRS_KEY = ':@';
const SPECIAL_KEYS = new Set([TEXT_KEY, CDATA_KEY, ATTRS_KEY]);

/**
 * Parses untrusted XML into a small element tree. Documents with a DOCTYPE or entity
 * declarations are refused outright, so neither external entities (XXE) nor entity
 * expansion (billion laughs) can happen; nesting depth is capped.
 */
export function parseUntrustedXml(xml: string, what: string): XmlElement {
  const source = xml.replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(source) || /<!ENTITY/i.test(source)) {
    throw new ImportFormatError(
      `${what}: DOCTYPE and entity declarations are not allowed (refusing a possible XXE or entity-expansion attack)`,
    );
  }
  const valid = XMLValidator.validate(source);
  if (valid !== true) {
    throw new ImportFormatError(
      `${what}: not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`,
    );
  }
  let nodes: unknown;
  try {
    nodes = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      // The library expands nothing; decodeEntities handles the predefined ones.
      processEntities: false,
      htmlEntities: false,
      cdataPropName: CDATA_KEY,
      maxNestedTags: MAX_XML_DEPTH,
    }).parse(source);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new ImportFormatError(`${what}: XML could not be parsed: ${reason}`);
  }
  const roots = elementsOf(nodes);
  if (roots.length !== 1) {
    throw new ImportFormatError(
      `${what}: expected exactly one root element, found ${roots.length}`,
    );
  }
  return roots[0];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Converts fast-xml-parser's preserveOrder node list; depth is bounded by maxNestedTags. */
function elementsOf(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const out: XmlElement[] = [];
  for (const node of nodes as unknown[]) {
    if (!isRecord(node)) continue;
    const name = Object.keys(node).find((k) => !SPECIAL_KEYS.has(k));
    if (name !== undefined) out.push(toElement(name, node));
  }
  return out;
}

function toElement(name: string, node: Record<string, unknown>): XmlElement {
  const attrs: Record<string, string> = {};
  const rawAttrs = node[ATTRS_KEY];
  if (isRecord(rawAttrs)) {
    for (const [key, value] of Object.entries(rawAttrs)) {
      if (typeof value === 'string') attrs[key] = decodeEntities(value);
    }
  }
  let text = '';
  const rawChildren = node[name];
  if (Array.isArray(rawChildren)) {
    for (const child of rawChildren as unknown[]) {
      if (!isRecord(child)) continue;
      if (typeof child[TEXT_KEY] === 'string') text += decodeEntities(child[TEXT_KEY]);
      const cdata = child[CDATA_KEY];
      if (Array.isArray(cdata)) {
        for (const part of cdata as unknown[]) {
          if (isRecord(part) && typeof part[TEXT_KEY] === 'string') text += part[TEXT_KEY];
        }
      }
    }
  }
  return { name, attrs, children: elementsOf(rawChildren), text };
}

const PREDEFINED_ENTITIES: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/**
 * Single-pass decoding of the predefined entities and character references. Anything else
 * (an undeclared `&name;`) stays literal: there is no DTD that could define it.
 */
function decodeEntities(value: string): string {
  return value.replace(
    /&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]{1,6}|#[0-9]{1,7});/g,
    (ref, name: string) => {
      if (!name.startsWith('#')) return PREDEFINED_ENTITIES[name];
      const point = name.startsWith('#x')
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return point <= 0x10ffff && !(point >= 0xd800 && point <= 0xdfff)
        ? String.fromCodePoint(point)
        : ref;
    },
  );
}

const lower = (s: string): string => s.toLowerCase();

/** First child with the given local name (case-insensitive, like privacyIDEA's reader). */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => lower(c.name) === lower(name));
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el?.children.filter((c) => lower(c.name) === lower(name)) ?? [];
}

export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = el;
  for (const name of names) current = child(current, name);
  return current;
}

export function attr(el: XmlElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  const key = Object.keys(el.attrs).find((k) => lower(k) === lower(name));
  return key === undefined ? undefined : el.attrs[key].trim();
}

/** Trimmed text of an element, or undefined when absent or empty. */
export function textOf(el: XmlElement | undefined): string | undefined {
  const value = el?.text.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Whether any descendant (bounded depth) has the given local name. */
export function hasDescendant(el: XmlElement, name: string): boolean {
  return el.children.some((c) => lower(c.name) === lower(name) || hasDescendant(c, name));
}
