/** Types of xml-shape.mjs. */

/**
 * Bounds on a document's shape. node-saml's XPath queries (xml-crypto reference lookup, node
 * ordering) cost far more than linear time in the element count: 16,000 empty elements (156 KB, under
 * the byte cap) took ~9 s of worker CPU to refuse. Config `saml.xmlLimits` sets them.
 */
export interface XmlLimits {
  maxElements: number;
  maxDepth: number;
  maxAttributesPerElement: number;
  /**
   * Attributes (namespace declarations included) in the whole document; unbounded when absent. The
   * XPath search for a signature's Reference (`//*[@ID=…]`) visits every attribute, so it is the
   * attribute total, not the element count alone, that sets its cost.
   */
  maxAttributes?: number;
}

export interface XmlShape {
  elements: number;
  /** Deepest element nesting; the root element is depth 1. */
  depth: number;
  /** The most attributes (namespace declarations included) on any one element. */
  attributesPerElement: number;
  /** Attributes (namespace declarations included) on all elements together. */
  attributes: number;
}

/** Stops counting past `maxElements` (default: counts everything). */
export function measureXml(xml: string, maxElements?: number): XmlShape;
export function shapeProblem(xml: string, limits: XmlLimits): string | undefined;
/** What `limits` leave, in elements and attributes, for a document carried inside `outer`. */
export function limitsLeftBy(outer: string, limits: XmlLimits): XmlLimits;
