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
}

export interface XmlShape {
  elements: number;
  /** Deepest element nesting; the root element is depth 1. */
  depth: number;
  /** The most attributes (namespace declarations included) on any one element. */
  attributesPerElement: number;
}

/** Stops counting past `maxElements` (default: counts everything). */
export function measureXml(xml: string, maxElements?: number): XmlShape;
export function shapeProblem(xml: string, limits: XmlLimits): string | undefined;
