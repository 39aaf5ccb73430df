import { hasForbiddenCharacter, hasForbiddenCharacterReference, hasTooManyReferences } from './worker/xml-characters.mjs';
import { shapeProblem, type XmlLimits } from './worker/xml-shape.mjs';

export { MAX_XML_REFERENCES } from './worker/xml-characters.mjs';
export { measureXml, type XmlLimits, type XmlShape } from './worker/xml-shape.mjs';

/**
 * Checks on the raw bytes of a SAML message, made before any XML parser sees them. They reject
 * what no SAML message needs and attacks rely on; each returns fixed wording for the log.
 */

/** Decoded XML larger than this is refused (a NemLog-in Response with an encrypted assertion is ~15 KB). */
export const MAX_XML_BYTES = 200_000;

/**
 * Shape limits (worker/xml-shape.d.mts) several times what real Responses use: a NemLog-in Response
 * with an encrypted assertion has ~35 elements (the assertion inside ~70 with 20 attributes), depth 8
 * (EncryptedAssertion › … › X509Certificate), and at most ~10 attributes on one element (Response
 * with its namespace declarations); an eHealth clinician's signed plaintext assertion stays under 120
 * elements, and a NemLog-in one with 25 attributes more than usual has 103 elements and 125
 * attributes in all. Anyone who starts a login may post a Response with a broken signature, which
 * node-saml parses and canonicalises whole before refusing it, at a cost that grows with its
 * elements and its attributes (namespace declarations above all). Measured against an honest
 * Response's ~20 ms: 300 elements of 31 namespace declarations each (183 KB, within the element
 * and per-element limits) took 240–505 ms to refuse; within these limits the worst shape found,
 * 500 elements and 500 attributes, 40–70 ms.
 */
export const DEFAULT_XML_LIMITS: Required<XmlLimits> = { maxElements: 500, maxDepth: 24, maxAttributesPerElement: 32, maxAttributes: 500 };

/**
 * A LogoutRequest or LogoutResponse (SAML Core §3.7.1, §3.7.2) is small: an Issuer, a NameID and a
 * few SessionIndexes, or a Status; with an enveloped Signature carrying its certificate (HTTP-POST,
 * Bindings §3.5.4) about 20 elements and 30 attributes in 4–6 KB, the widest element the root with
 * ~10 (namespace declarations, ID, Version, IssueInstant, Destination, NotOnOrAfter, Reason); over
 * HTTP-Redirect (§3.4.4.1, NemLog-in's and DigiD's usual binding) the signature is in the query and
 * the XML half that. Anyone can post one without a pending login, and node-saml searches the whole
 * document for the signature's Reference by XPath before any crypto (a forged LogoutRequest of 700
 * elements × 30 attributes cost ~300 ms of worker CPU), so these limits leave ~5× room over real
 * messages and no more. Combined with the configured `saml.xmlLimits` by {@link logoutXmlLimits}.
 */
export const LOGOUT_XML_LIMITS: Required<XmlLimits> = {
  maxElements: 100,
  maxDepth: 12,
  maxAttributesPerElement: 20,
  maxAttributes: 150,
};

/** Decoded logout messages larger than this are refused: ~5× a POSTed one with a 4096-bit certificate. */
export const MAX_LOGOUT_XML_BYTES = 32_000;

/** The logout profile, never looser than the configured limits (an operator may have set them tighter). */
export function logoutXmlLimits(configured: XmlLimits): XmlLimits {
  return {
    maxElements: Math.min(configured.maxElements, LOGOUT_XML_LIMITS.maxElements),
    maxDepth: Math.min(configured.maxDepth, LOGOUT_XML_LIMITS.maxDepth),
    maxAttributesPerElement: Math.min(configured.maxAttributesPerElement, LOGOUT_XML_LIMITS.maxAttributesPerElement),
    maxAttributes: Math.min(configured.maxAttributes ?? Infinity, LOGOUT_XML_LIMITS.maxAttributes),
  };
}

/** The base64 length of `maxBytes`, plus room for the CRLF some IdPs insert every 76 characters. */
export function maxBase64Chars(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4 + Math.ceil(maxBytes / 57) * 2;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class XmlPrecheckError extends Error {}

/**
 * Strict base64 (SAML Bindings §3.5.4: the POST binding base64-encodes the message) to UTF-8 text,
 * size-capped before and after decoding, prechecked, its references counted (at most {@link MAX_XML_REFERENCES}).
 */
export function decodeBase64Xml(value: string, maxBytes = MAX_XML_BYTES, limits: XmlLimits = DEFAULT_XML_LIMITS): string {
  if (value.length > maxBase64Chars(maxBytes)) throw new XmlPrecheckError('message too large');
  const compact = value.replace(/[\r\n\t ]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) throw new XmlPrecheckError('message is not base64');
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) throw new XmlPrecheckError('message too large');
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new XmlPrecheckError('message is not UTF-8');
  }
  precheckXml(xml, limits);
  if (hasTooManyReferences(xml)) throw new XmlPrecheckError('too many entity or character references');
  return xml;
}

/**
 * - A DTD or entity declaration: XXE and entity expansion ("billion laughs"); nothing in SAML uses one.
 * - A comment anywhere: exclusive canonicalisation drops comments, so text split by a comment
 *   (`user@example.com<!---->.evil.com` in a NameID) is still "signed" while a naive reader sees only
 *   part of it (CVE-2017-11428 and kin). Refusing every comment removes the whole class.
 * - A processing instruction other than the XML declaration, and control characters XML 1.0 forbids
 *   (a NUL-padded UTF-16 document would otherwise slip past the checks above), whether raw or written
 *   as a character reference (`&#0;`, which xmldom decodes into a NUL in a signed name).
 * - A shape beyond `limits` (element count, depth, attributes on one element, attributes in all).
 */
export function precheckXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) throw new XmlPrecheckError('DTD or entity declaration refused');
  if (xml.includes('<!--')) throw new XmlPrecheckError('XML comment refused');
  const withoutDeclaration = xml.replace(/^\uFEFF?<\?xml[^?]*\?>/, '');
  if (withoutDeclaration.includes('<?')) throw new XmlPrecheckError('processing instruction refused');
  if (hasForbiddenCharacter(xml)) throw new XmlPrecheckError('control character refused');
  if (hasForbiddenCharacterReference(xml)) throw new XmlPrecheckError('character reference to a character XML forbids refused');
  const problem = shapeProblem(xml, limits);
  if (problem) throw new XmlPrecheckError(problem);
}

/**
 * The unprefixed attribute `name` of the root element as written (entity references left undecoded),
 * read without a parser from a prechecked document: for a cheap look-up before the signature is
 * verified, never as a verified value. Undefined when the root has no such attribute.
 */
export function rootAttributeAsWritten(xml: string, name: string): string | undefined {
  const start = /<[^?!]/.exec(xml)?.index;
  if (start === undefined) return undefined;
  const tag = startTag(xml, start);
  for (const match of tag.matchAll(/\s([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (match[1] === name) return match[2] ?? match[3];
  }
  return undefined;
}

/** The start tag at `at`, up to its closing `>`, which may also appear inside a quoted attribute value (XML 1.0 §3.1). */
function startTag(xml: string, at: number): string {
  let quote = '';
  for (let i = at + 1; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return xml.slice(at, i);
  }
  return xml.slice(at);
}
