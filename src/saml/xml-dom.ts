import { DOMParser } from '@xmldom/xmldom';
import { precheckXml } from './xml-prechecks.js';

/**
 * Parses a small XML document carried inside an attribute value (the basic privilege profile) with
 * the same refusals as a whole message, failing on any parser warning: xmldom otherwise recovers
 * from malformed input silently. Returns undefined on any problem.
 */
export function parseEmbeddedXml(xml: string): Document | undefined {
  try {
    precheckXml(xml);
    return parseStrictXml(xml);
  } catch {
    return undefined;
  }
}

/**
 * Parses XML the caller has already prechecked (xml-prechecks.ts), failing on any parser warning or
 * error: undefined instead of the partial document xmldom would otherwise recover.
 */
export function parseStrictXml(xml: string): Document | undefined {
  let problems = 0;
  const doc = new DOMParser({ locator: {}, errorHandler: () => void problems++ }).parseFromString(xml, 'text/xml');
  return problems === 0 && doc.documentElement ? (doc as unknown as Document) : undefined;
}

/** Element children of `parent` with this local name, in `namespaces` (null: no namespace, which xmldom reports as undefined). */
export function childElements(parent: Element, localName: string, namespaces: readonly (string | null)[]): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (element.localName === localName && namespaces.includes(element.namespaceURI ?? null)) found.push(element);
  }
  return found;
}
