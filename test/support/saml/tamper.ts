import { DOMParser, XMLSerializer } from '@xmldom/xmldom';

/**
 * Edits of an already signed (and possibly encrypted) Response, as an attacker holding a genuine
 * one would make them. Pass one (or `compose(...)`) as `tamper` to TestIdp.respondTo / response.
 */
export type Tamper = (xml: string) => string;

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

export const compose =
  (...tampers: Tamper[]): Tamper =>
  (xml) =>
    tampers.reduce((out, t) => t(out), xml);

function edit(fn: (doc: Document) => void): Tamper {
  return (xml) => {
    const doc = new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
    fn(doc);
    return new XMLSerializer().serializeToString(doc as unknown as Node);
  };
}

function assertionOf(doc: Document): Element {
  const assertion = [...elements(doc.documentElement, SAML, 'Assertion')].find((a) => a.parentNode === doc.documentElement);
  if (!assertion) throw new Error('tamper: no plaintext assertion directly in the Response');
  return assertion;
}

function elements(root: Element, ns: string, localName: string): Element[] {
  const list = root.getElementsByTagNameNS(ns, localName);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
}

function setText(element: Element, value: string): void {
  while (element.firstChild) element.removeChild(element.firstChild);
  element.appendChild(element.ownerDocument.createTextNode(value));
}

/** Changes the first value of an attribute after signing (the digest no longer matches). */
export const modifyAttribute = (name: string, value: string): Tamper =>
  edit((doc) => {
    const attribute = elements(doc.documentElement, SAML, 'Attribute').find((a) => a.getAttribute('Name') === name);
    if (!attribute) throw new Error(`tamper: no attribute ${name}`);
    setText(elements(attribute, SAML, 'AttributeValue')[0], value);
  });

/** Sets (or with null removes) an attribute of the Response element, e.g. Destination. */
export const setResponseAttribute = (name: string, value: string | null): Tamper =>
  edit((doc) => {
    if (value === null) doc.documentElement.removeAttribute(name);
    else doc.documentElement.setAttribute(name, value);
  });

/** Removes signatures: every one, the assertion's, or the Response's. */
export const stripSignatures = (which: 'all' | 'assertion' | 'response' = 'all'): Tamper =>
  edit((doc) => {
    for (const signature of elements(doc.documentElement, DSIG, 'Signature')) {
      const onResponse = signature.parentNode === doc.documentElement;
      if (which === 'all' || (which === 'response') === onResponse) signature.parentNode!.removeChild(signature);
    }
  });

/** A forged copy of the signed assertion: new ID, no signature, one attribute changed. */
function forgedCopy(original: Element, attribute?: { name: string; value: string }): Element {
  const forged = original.cloneNode(true) as Element;
  forged.setAttribute('ID', `_forged${Date.now()}`);
  for (const signature of elements(forged, DSIG, 'Signature')) signature.parentNode!.removeChild(signature);
  if (attribute) {
    const target = elements(forged, SAML, 'Attribute').find((a) => a.getAttribute('Name') === attribute.name);
    if (target) setText(elements(target, SAML, 'AttributeValue')[0], attribute.value);
  }
  return forged;
}

/**
 * Signature wrapping (XSW): the signed assertion is moved into `<samlp:Extensions>`, where its
 * signature still verifies, and a forged assertion takes its place for a naive reader.
 */
export const moveSignedAssertionToExtensions = (attribute?: { name: string; value: string }): Tamper =>
  edit((doc) => {
    const original = assertionOf(doc);
    const forged = forgedCopy(original, attribute);
    const extensions = doc.createElementNS(SAMLP, 'samlp:Extensions');
    doc.documentElement.replaceChild(forged, original);
    extensions.appendChild(original);
    const status = elements(doc.documentElement, SAMLP, 'Status')[0];
    doc.documentElement.insertBefore(extensions, status);
  });

/** XSW variant: a forged assertion that carries the signed one inside its `<saml:Advice>`. */
export const wrapSignedAssertionInAdvice = (attribute?: { name: string; value: string }): Tamper =>
  edit((doc) => {
    const original = assertionOf(doc);
    const forged = forgedCopy(original, attribute);
    const advice = doc.createElementNS(SAML, 'saml:Advice');
    doc.documentElement.replaceChild(forged, original);
    advice.appendChild(original);
    const conditions = elements(forged, SAML, 'Conditions')[0];
    forged.insertBefore(advice, conditions?.nextSibling ?? null);
  });

/** The signed assertion twice (same ID). */
export const duplicateAssertion = (): Tamper =>
  edit((doc) => {
    const original = assertionOf(doc);
    doc.documentElement.insertBefore(original.cloneNode(true), original.nextSibling);
  });

/** An unsigned assertion beside the signed one, before or after it. */
export const addUnsignedAssertion = (position: 'before' | 'after' = 'before', attribute?: { name: string; value: string }): Tamper =>
  edit((doc) => {
    const original = assertionOf(doc);
    const forged = forgedCopy(original, attribute);
    doc.documentElement.insertBefore(forged, position === 'before' ? original : original.nextSibling);
  });

/**
 * CVE-2017-11428 class: a comment inside the NameID. Exclusive canonicalisation drops comments, so
 * the signature still verifies, while a reader taking the first text node sees a truncated value.
 */
export const injectNameIdComment = (): Tamper => (xml) =>
  xml.replace(/(<saml:NameID[^>]*>)([^<]{4})([^<]*)<\/saml:NameID>/, '$1$2<!---->$3</saml:NameID>');

/** A DTD with an internal entity before the Response (XXE / entity expansion). */
export const addDoctype = (): Tamper => (xml) =>
  `<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${xml.replace(/^<\?xml[^>]*\?>/, '')}`;

/** Pads the Response with whitespace to `totalBytes` (signatures unaffected: size is the point). */
export const oversize =
  (totalBytes = 250_000): Tamper =>
  (xml) => {
    const end = '</samlp:Response>';
    const padding = totalBytes - Buffer.byteLength(xml, 'utf8');
    return padding <= 0 ? xml : `${xml.slice(0, xml.lastIndexOf(end))}${' '.repeat(padding)}${end}`;
  };
