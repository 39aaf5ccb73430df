/**
 * Characters XML 1.0 forbids (§2.2 Char), raw or written as a character reference (§4.1, WFC: Legal
 * Character), which xmldom nonetheless decodes: `&#0;` in a name becomes a NUL that reaches SQL.
 * Plain JavaScript, shared by the precheck on the Response text (xml-prechecks.ts) and the worker,
 * which checks a decrypted assertion the precheck saw only as ciphertext (saml-reader.mjs).
 */

// Lone surrogates cannot occur: the text was decoded from UTF-8 (fatal) or by the parser.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** `&#…;` and `&#x…;`; a reference not of this form is left to the parser to refuse. */
const CHARACTER_REFERENCE = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g;

export function hasForbiddenCharacter(xml) {
  return FORBIDDEN_CHARACTER.test(xml);
}

export function hasForbiddenCharacterReference(xml) {
  for (const [, hex, decimal] of xml.matchAll(CHARACTER_REFERENCE)) {
    if (!isXmlChar(hex === undefined ? Number(decimal) : parseInt(hex, 16))) return true;
  }
  return false;
}

/** XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(code) {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/**
 * Entity and character references (`&lt;`, `&#60;`) a SAML message or a decrypted assertion may hold.
 * A real one has a handful, in names and attribute values; each costs the parser and the
 * canonicalisation more than the characters it stands for: a Response with a broken signature and one
 * attribute value of 47,000 `&lt;` (190 KB) cost the worker 102 ms to refuse, twice the worst shape
 * within the shape limits (xml-prechecks.ts).
 */
export const MAX_XML_REFERENCES = 1000;

/** Whether `xml` holds more than {@link MAX_XML_REFERENCES}: every reference starts with `&`, which XML allows nowhere else (§2.4). */
export function hasTooManyReferences(xml) {
  let references = 0;
  for (let at = xml.indexOf('&'); at !== -1; at = xml.indexOf('&', at + 1)) {
    if (++references > MAX_XML_REFERENCES) return true;
  }
  return false;
}
