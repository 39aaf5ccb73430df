/**
 * The shape of an XML text, counted without parsing it: shared by the precheck on the Response text
 * (xml-prechecks.ts) and the worker, which applies the same limits to a decrypted assertion the
 * precheck saw only as ciphertext (saml-worker.mjs). Plain JavaScript, as every file in this folder.
 */

const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/**
 * The document's shape, counted in one pass over the text (no DOM): a `<` outside a tag always starts
 * markup, since text and attribute values may not hold a raw `<` (XML 1.0 §2.4, §3.1). CDATA content
 * is skipped; comments and DTDs are refused before this runs. Malformed input still yields finite
 * counts; the parser refuses it afterwards. Counting stops past `maxElements`: a document already too
 * large costs no more to refuse.
 */
export function measureXml(xml, maxElements = Infinity) {
  let elements = 0;
  let depth = 0;
  let deepest = 0;
  let widest = 0;
  let totalAttributes = 0;
  let at = xml.indexOf('<');
  while (at !== -1 && elements <= maxElements) {
    const next = xml.charCodeAt(at + 1);
    if (next === SLASH) {
      depth = Math.max(0, depth - 1);
      at = xml.indexOf('<', at + 2);
    } else if (next === BANG || next === QUESTION) {
      const end = xml.startsWith('<![CDATA[', at) ? xml.indexOf(']]>', at) : next === QUESTION ? xml.indexOf('?>', at) : at;
      at = end === -1 ? -1 : xml.indexOf('<', end + 1);
    } else {
      // A start tag: to its closing `>`, which may also appear inside a quoted attribute value.
      let i = at + 1;
      let quote = 0;
      let attributes = 0;
      for (; i < xml.length; i++) {
        const c = xml.charCodeAt(i);
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === QUOTE || c === APOSTROPHE) quote = c;
        else if (c === EQUALS) attributes++;
        else if (c === GT) break;
      }
      elements++;
      totalAttributes += attributes;
      widest = Math.max(widest, attributes);
      deepest = Math.max(deepest, depth + 1);
      if (xml.charCodeAt(i - 1) !== SLASH) depth++;
      at = xml.indexOf('<', i + 1);
    }
  }
  return { elements, depth: deepest, attributesPerElement: widest, attributes: totalAttributes };
}

/**
 * What `limits` leave for a document carried inside `outer` (a decrypted assertion, in place of its
 * EncryptedAssertion): the elements and attributes `outer` has not used. node-saml works through
 * both, so together they get the Response's budget, not twice it.
 */
export function limitsLeftBy(outer, limits) {
  const used = measureXml(outer);
  return {
    ...limits,
    maxElements: limits.maxElements - used.elements,
    ...(limits.maxAttributes === undefined ? {} : { maxAttributes: limits.maxAttributes - used.attributes }),
  };
}

/** The first limit `xml` exceeds, as fixed wording; undefined when within all of them. */
export function shapeProblem(xml, limits) {
  const shape = measureXml(xml, limits.maxElements);
  if (shape.elements > limits.maxElements) return 'too many elements';
  if (shape.depth > limits.maxDepth) return 'elements nested too deeply';
  if (shape.attributesPerElement > limits.maxAttributesPerElement) return 'too many attributes on one element';
  if (limits.maxAttributes !== undefined && shape.attributes > limits.maxAttributes) return 'too many attributes';
  return undefined;
}
