/**
 * Reads a SAML Response envelope and a verified assertion into plain values (they cross a worker
 * boundary by structured clone). Namespace-aware and position-exact: only the elements the SAML
 * schema places at a spot are read there (SAML Core §2.3.3, §3.2.2), so nothing is picked up from
 * elsewhere in the document. Plain JavaScript: it runs inside the worker pool (see saml-worker.mjs).
 */
import xmldom from '@xmldom/xmldom';
import { hasForbiddenCharacter, hasForbiddenCharacterReference } from './xml-characters.mjs';

const { DOMParser, XMLSerializer } = xmldom;

export const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** A failure whose message is fixed wording, safe for logs (never document content). */
export class RejectedResponse extends Error {}

/** Parses XML, failing on any parser warning or error (xmldom otherwise recovers silently). */
export function parseXml(xml) {
  const problems = [];
  let doc;
  try {
    doc = new DOMParser({ locator: {}, errorHandler: (level) => problems.push(level) }).parseFromString(xml, 'text/xml');
  } catch {
    throw new RejectedResponse('malformed XML');
  }
  if (problems.length > 0 || !doc || !doc.documentElement) throw new RejectedResponse('malformed XML');
  return doc;
}

export function serializeXml(node) {
  return new XMLSerializer().serializeToString(node);
}

/**
 * The `<samlp:Response>` around the assertion (SAML Core §3.2.2, §3.3.3). Its fields are not covered
 * by the assertion's signature; callers use them only where the signed assertion confirms them.
 */
export function readEnvelope(root) {
  if (!is(root, PROTOCOL_NS, 'Response')) throw new RejectedResponse('not a SAML Response');
  if (root.getAttribute('Version') !== '2.0') throw new RejectedResponse('not a SAML 2.0 Response');
  const id = attr(root, 'ID');
  if (!id) throw new RejectedResponse('Response without ID');
  const statuses = children(root, PROTOCOL_NS, 'Status');
  if (statuses.length !== 1) throw new RejectedResponse('Response without exactly one Status');
  return {
    id,
    destination: attr(root, 'Destination'),
    inResponseTo: attr(root, 'InResponseTo'),
    issueInstant: attr(root, 'IssueInstant'),
    issuer: singleText(root, ASSERTION_NS, 'Issuer', 'Response'),
    status: readStatus(statuses[0]),
    signed: responseSignatures(root).length > 0,
    ...countAssertions(root),
  };
}

/** The Response's own ds:Signature elements (its direct children, SAML Core §5.4.1). */
export function responseSignatures(root) {
  return children(root, DSIG_NS, 'Signature');
}

/**
 * Every Assertion or EncryptedAssertion anywhere in the document, in any namespace: a wrapping
 * attack moves the signed assertion elsewhere (Extensions, Signature/Object, Advice) and puts a
 * forged one where the reader looks. Exactly one, as a direct child of the Response, is accepted.
 */
function countAssertions(root) {
  const plain = descendants(root, 'Assertion');
  const encrypted = descendants(root, 'EncryptedAssertion');
  const all = [...plain, ...encrypted];
  const direct = all.length === 1 && all[0].parentNode === root && all[0].namespaceURI === ASSERTION_NS;
  return { assertionCount: all.length, assertionInPlace: direct, encrypted: encrypted.length > 0 };
}

/** The EncryptedAssertion directly inside the Response (readEnvelope has checked there is exactly one assertion, in place). */
export function encryptedAssertion(root) {
  const [found] = children(root, ASSERTION_NS, 'EncryptedAssertion');
  if (!found) throw new RejectedResponse('no EncryptedAssertion in the Response');
  return found;
}

/** Top-level StatusCode and its first nested StatusCode (SAML Core §3.2.2.2). */
function readStatus(status) {
  const [code] = children(status, PROTOCOL_NS, 'StatusCode');
  if (!code || !attr(code, 'Value')) throw new RejectedResponse('Status without StatusCode');
  const [sub] = children(code, PROTOCOL_NS, 'StatusCode');
  return { code: attr(code, 'Value'), subCode: sub ? attr(sub, 'Value') : undefined };
}

/**
 * The assertion as verified by node-saml: the canonical bytes its signature covers (xml-crypto's
 * signed reference), or the decrypted assertion whose own signature was verified. Read from nothing else.
 */
export function readAssertion(xml) {
  // The precheck saw an encrypted assertion only as ciphertext: what XML forbids is refused here too,
  // before any value is read (a NUL in a signed name would reach SQL, a control character the claims).
  if (hasForbiddenCharacter(xml) || hasForbiddenCharacterReference(xml))
    throw new RejectedResponse('assertion holds a character XML forbids');
  const root = parseXml(xml).documentElement;
  if (!is(root, ASSERTION_NS, 'Assertion')) throw new RejectedResponse('signed content is not an Assertion');
  // SAML Core §2.3.3: an assertion of this specification is Version 2.0, as its Response is (readEnvelope).
  if (root.getAttribute('Version') !== '2.0') throw new RejectedResponse('not a SAML 2.0 Assertion');
  if (descendants(root, 'Assertion').length > 0) throw new RejectedResponse('nested assertion (Advice) refused');
  const id = attr(root, 'ID');
  if (!id) throw new RejectedResponse('Assertion without ID');
  const [subject] = children(root, ASSERTION_NS, 'Subject');
  const conditions = children(root, ASSERTION_NS, 'Conditions');
  return {
    id,
    issueInstant: attr(root, 'IssueInstant'),
    issuer: singleText(root, ASSERTION_NS, 'Issuer', 'Assertion'),
    nameId: subject ? readNameId(subject) : undefined,
    subjectConfirmations: subject ? children(subject, ASSERTION_NS, 'SubjectConfirmation').map(readConfirmation) : [],
    conditionsCount: conditions.length,
    conditions: conditions[0] ? readConditions(conditions[0]) : undefined,
    authnStatements: children(root, ASSERTION_NS, 'AuthnStatement').map(readAuthnStatement),
    attributes: children(root, ASSERTION_NS, 'AttributeStatement').flatMap(readAttributes),
  };
}

function readNameId(subject) {
  const ids = children(subject, ASSERTION_NS, 'NameID');
  if (ids.length > 1) throw new RejectedResponse('Subject with more than one NameID');
  return ids[0] ? nameIdOf(ids[0]) : undefined;
}

/**
 * SAML Core §2.2.3: the value and what qualifies it; kept for single logout, whose LogoutRequest
 * names the person by the same NameID (§3.7.1). textContent joins every text node: a comment
 * splitting the value cannot truncate it.
 */
export function nameIdOf(element) {
  return {
    value: text(element),
    format: attr(element, 'Format'),
    nameQualifier: attr(element, 'NameQualifier'),
    spNameQualifier: attr(element, 'SPNameQualifier'),
  };
}

/** SAML Profiles §4.1.4.2: the bearer confirmation carries Recipient, NotOnOrAfter, InResponseTo. */
function readConfirmation(confirmation) {
  const [data] = children(confirmation, ASSERTION_NS, 'SubjectConfirmationData');
  return {
    bearer: attr(confirmation, 'Method') === BEARER,
    recipient: data ? attr(data, 'Recipient') : undefined,
    notBefore: data ? attr(data, 'NotBefore') : undefined,
    notOnOrAfter: data ? attr(data, 'NotOnOrAfter') : undefined,
    inResponseTo: data ? attr(data, 'InResponseTo') : undefined,
  };
}

/** SAML Core §2.5.1: validity window and audience restrictions (each must name us, §2.5.1.4). */
function readConditions(conditions) {
  return {
    notBefore: attr(conditions, 'NotBefore'),
    notOnOrAfter: attr(conditions, 'NotOnOrAfter'),
    audienceRestrictions: children(conditions, ASSERTION_NS, 'AudienceRestriction').map((restriction) =>
      children(restriction, ASSERTION_NS, 'Audience').map(text),
    ),
  };
}

/** SAML Core §2.7.2. */
function readAuthnStatement(statement) {
  const [context] = children(statement, ASSERTION_NS, 'AuthnContext');
  const [classRef] = context ? children(context, ASSERTION_NS, 'AuthnContextClassRef') : [];
  return {
    authnInstant: attr(statement, 'AuthnInstant'),
    sessionIndex: attr(statement, 'SessionIndex'),
    sessionNotOnOrAfter: attr(statement, 'SessionNotOnOrAfter'),
    authnContextClassRef: classRef ? text(classRef) : undefined,
  };
}

/** SAML Core §2.7.3.1: name → values; repeated Attribute elements of one name are merged by the caller. */
function readAttributes(statement) {
  return children(statement, ASSERTION_NS, 'Attribute').map((attribute) => ({
    name: attr(attribute, 'Name') ?? '',
    values: children(attribute, ASSERTION_NS, 'AttributeValue').map(text),
  }));
}

export function singleText(parent, ns, localName, where) {
  const found = children(parent, ns, localName);
  if (found.length > 1) throw new RejectedResponse(`${where} with more than one ${localName}`);
  return found[0] ? text(found[0]) : undefined;
}

export function children(parent, ns, localName) {
  const found = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && is(node, ns, localName)) found.push(node);
  }
  return found;
}

/** Descendant elements of this local name in any namespace (xmldom's NodeList is not iterable). */
function descendants(root, localName) {
  const list = root.getElementsByTagNameNS('*', localName);
  const found = [];
  for (let i = 0; i < list.length; i++) found.push(list.item(i));
  return found;
}

export function is(element, ns, localName) {
  return element.namespaceURI === ns && element.localName === localName;
}

export function attr(element, name) {
  return element.hasAttribute(name) ? element.getAttribute(name) : undefined;
}

export function text(element) {
  return (element.textContent ?? '').trim();
}
