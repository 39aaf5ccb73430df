/**
 * Reads a verified LogoutRequest or LogoutResponse (SAML Core §3.7.1, §3.7.2) into plain values, as
 * saml-reader.mjs reads a Response: namespace-aware and position-exact, every field from where the
 * schema places it and nowhere else. Plain JavaScript: it runs inside the worker pool.
 */
import { PROTOCOL_NS, ASSERTION_NS, RejectedResponse, attr, children, is, nameIdOf, singleText, text } from './saml-reader.mjs';

/** The root of a verified logout message: its kind and fields, or a refusal in fixed wording. */
export function readLogoutMessage(root) {
  const kind = is(root, PROTOCOL_NS, 'LogoutRequest') ? 'request' : is(root, PROTOCOL_NS, 'LogoutResponse') ? 'response' : undefined;
  if (!kind) throw new RejectedResponse('not a LogoutRequest or LogoutResponse');
  if (root.getAttribute('Version') !== '2.0') throw new RejectedResponse('not a SAML 2.0 message');
  const id = attr(root, 'ID');
  if (!id) throw new RejectedResponse('message without ID');
  const common = {
    kind,
    id,
    issuer: singleText(root, ASSERTION_NS, 'Issuer', 'message'),
    destination: attr(root, 'Destination'),
    issueInstant: attr(root, 'IssueInstant'),
  };
  return kind === 'request' ? { ...common, ...readRequest(root) } : { ...common, ...readResponse(root) };
}

/** SAML Core §3.7.1: whom to log out (one NameID; BaseID and EncryptedID are not supported here) and which of their sessions. */
function readRequest(root) {
  const identifiers = ['BaseID', 'NameID', 'EncryptedID'].flatMap((name) => children(root, ASSERTION_NS, name));
  if (identifiers.length !== 1 || identifiers[0].localName !== 'NameID') {
    throw new RejectedResponse('LogoutRequest must name the principal by exactly one plain NameID');
  }
  const nameId = nameIdOf(identifiers[0]);
  if (nameId.value === '') throw new RejectedResponse('LogoutRequest with an empty NameID');
  return {
    notOnOrAfter: attr(root, 'NotOnOrAfter'),
    nameId,
    sessionIndexes: children(root, PROTOCOL_NS, 'SessionIndex').map(text),
  };
}

/** SAML Core §3.2.2: the request answered, and the top-level and first nested status codes. */
function readResponse(root) {
  const statuses = children(root, PROTOCOL_NS, 'Status');
  if (statuses.length !== 1) throw new RejectedResponse('LogoutResponse without exactly one Status');
  const [code] = children(statuses[0], PROTOCOL_NS, 'StatusCode');
  if (!code || !attr(code, 'Value')) throw new RejectedResponse('Status without StatusCode');
  const [sub] = children(code, PROTOCOL_NS, 'StatusCode');
  return { inResponseTo: attr(root, 'InResponseTo'), status: { code: attr(code, 'Value'), subCode: sub ? attr(sub, 'Value') : undefined } };
}
