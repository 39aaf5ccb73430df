import { hasForbiddenCharacter, hasForbiddenCharacterReference } from './worker/xml-characters.mjs';
import { shapeProblem, type XmlLimits } from './worker/xml-shape.mjs';

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
 * elements.
 */
export const DEFAULT_XML_LIMITS: XmlLimits = { maxElements: 1000, maxDepth: 24, maxAttributesPerElement: 32 };

/** The base64 length of `maxBytes`, plus room for the CRLF some IdPs insert every 76 characters. */
export function maxBase64Chars(maxBytes: number): number {
  return Math.ceil(maxBytes / 3) * 4 + Math.ceil(maxBytes / 57) * 2;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class XmlPrecheckError extends Error {}

/**
 * Strict base64 (SAML Bindings §3.5.4: the POST binding base64-encodes the message) to UTF-8 text,
 * size-capped before and after decoding.
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
 * - A shape beyond `limits` (element count, depth, attributes on one element).
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
